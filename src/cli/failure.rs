//! A command's failure: the error and the texts its span may point into, so the edge draws
//! the caret in the right text with the one renderer (`diagnostic::render`).

use crate::error::Error;
use crate::exec::Engine;
use crate::sources::Sources;

/// An error, with the texts its span may point into.
#[derive(Debug)]
pub struct Failure {
    /// What went wrong.
    pub error: Box<Error>,
    /// The query and file texts the engine kept, which the error's source id names.
    pub sources: Sources,
}

impl Failure {
    /// An error from `engine`, with the texts it kept.
    pub fn new(error: Error, engine: &Engine) -> Failure {
        Failure { error: Box::new(error), sources: engine.sources() }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure { error: Box::new(e), sources: Sources::new() }
    }
}
