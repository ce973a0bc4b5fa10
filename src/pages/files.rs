//! Report files appear whole or not at all: written under a hidden temporary name beside
//! the target and renamed into place only when complete, as `output` writes its files.

use std::path::Path;

use crate::error::{Error, Result};

/// Write `bytes` to `path` under a hidden temporary name, renamed into place only when
/// complete, so a failed run never leaves half a report that looks finished.
pub(super) fn write_whole(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = path.with_file_name(format!(".partial-{name}"));
    let written =
        std::fs::write(&temp, bytes).map_err(|e| Error::io(format!("cannot write {}", temp.display()), e)).and_then(
            |()| std::fs::rename(&temp, path).map_err(|e| Error::io(format!("cannot write {}", path.display()), e)),
        );
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}
