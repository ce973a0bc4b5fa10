//! The texts errors point into. Every query the engine parses and every query file it
//! reads is kept here under a [`SourceId`]; an [`Error`](crate::Error) with a span carries
//! the id of the text the span is in. The edges then render any error against the one
//! [`Sources`] map (see [`crate::diagnostic::render`]), so nobody re-reads a file or
//! carries a query string around beside its error to draw a caret.

use std::num::NonZeroU32;
use std::sync::Arc;

/// Which text of a [`Sources`] map an error's span points into. It holds the index plus
/// one, so `Option<SourceId>` takes four bytes and [`crate::Error`] stays small enough to
/// return by value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SourceId(NonZeroU32);

impl SourceId {
    /// Four billion texts in one session cannot happen; if they did, the id would find no
    /// text and the error would be shown without its source line, never wrongly.
    fn of(index: usize) -> SourceId {
        let one_based = u32::try_from(index).ok().and_then(|i| i.checked_add(1)).unwrap_or(u32::MAX);
        SourceId(NonZeroU32::new(one_based).unwrap_or(NonZeroU32::MAX))
    }

    fn index(self) -> Option<usize> {
        usize::try_from(self.0.get() - 1).ok()
    }
}

/// One text: what to call it in a diagnostic (`query`, or a file's path) and its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// What a diagnostic calls the text: `query`, or a file's path.
    pub name: String,
    /// The full text as it was read.
    pub text: Arc<str>,
}

/// The texts of a session, by id. Adding the same name and text twice gives the same id,
/// so a REPL that runs one query a hundred times keeps it once.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    entries: Vec<Source>,
}

impl Sources {
    /// An empty map.
    pub fn new() -> Sources {
        Sources::default()
    }

    /// Keep `text` under `name` and return its id.
    pub fn add(&mut self, name: impl Into<String>, text: &str) -> SourceId {
        let name = name.into();
        // Newest first: the text just run is the one most likely to be run again.
        if let Some(at) = self.entries.iter().rposition(|s| s.name == name && *s.text == *text) {
            return SourceId::of(at);
        }
        self.entries.push(Source { name, text: Arc::from(text) });
        SourceId::of(self.entries.len() - 1)
    }

    /// The text `id` stands for; `None` for an id from another map.
    pub fn get(&self, id: SourceId) -> Option<&Source> {
        self.entries.get(id.index()?)
    }

    /// How many distinct texts are kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no text has been added yet.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_give_back_their_text_and_repeats_share_one() {
        let mut sources = Sources::new();
        let a = sources.add("query", "spend by council");
        let b = sources.add("q.spql", "query \"A\" = spend\n");
        assert_ne!(a, b);
        assert_eq!(sources.add("query", "spend by council"), a);
        // The same text under another name is another source: its diagnostics say where.
        assert_ne!(sources.add("other.spql", "spend by council"), a);
        assert_eq!(sources.len(), 3);
        let source = sources.get(b).unwrap();
        assert_eq!((source.name.as_str(), &*source.text), ("q.spql", "query \"A\" = spend\n"));
        assert!(Sources::new().get(a).is_none());
    }
}
