//! Writing generated files safely and byte-for-byte reproducibly: each file is written under a
//! temporary name and renamed into place only when complete, so an interrupted run never leaves
//! a half-written file that looks finished; CSV records are quoted and encoded here (UTF-8 or
//! Windows-1252), and money is formatted from integer pence, never from a float.

use std::fs::File;
use std::io::{BufWriter, Seek, Write};
use std::path::{Path, PathBuf};

use crate::catalog::SourceKind;
use crate::error::{Error, Result};

/// One file written.
#[derive(Debug, Clone)]
pub struct GeneratedFile {
    /// The council the file is published as.
    pub council: String,
    /// What kind of published file it is.
    pub kind: SourceKind,
    /// Where it was written.
    pub path: PathBuf,
    /// Data rows written.
    pub rows: u64,
}

/// A file being written under a temporary name next to its final path. Dropped without
/// [`PendingFile::commit`], it removes the temporary file.
pub struct PendingFile {
    pub path: PathBuf,
    temp: PathBuf,
    committed: bool,
}

impl PendingFile {
    pub fn new(path: PathBuf) -> PendingFile {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let temp = path.with_file_name(format!(".{name}.partial"));
        PendingFile { path, temp, committed: false }
    }

    pub fn temp_path(&self) -> &Path {
        &self.temp
    }

    pub fn create(&self) -> Result<BufWriter<File>> {
        let file =
            File::create(&self.temp).map_err(|e| Error::io(format!("cannot create {}", self.temp.display()), e))?;
        Ok(BufWriter::with_capacity(1 << 16, file))
    }

    pub fn commit(mut self) -> Result<PathBuf> {
        std::fs::rename(&self.temp, &self.path)
            .map_err(|e| Error::io(format!("cannot move {} into place", self.path.display()), e))?;
        self.committed = true;
        Ok(self.path.clone())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Windows1252,
}

/// Where CSV bytes go: straight to a file, or into one member of a zip archive.
pub enum Sink {
    Plain(BufWriter<File>),
    Zip(Box<zip::ZipWriter<BufWriter<File>>>),
}

impl Sink {
    /// A zip archive holding one deflated member. The member's timestamp and permissions are
    /// fixed so that the archive's bytes depend only on its content.
    pub fn zip(file: BufWriter<File>, member: &str, expected_bytes: u64) -> Result<Sink> {
        let mut writer = zip::ZipWriter::new(file);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(0o644)
            // Zip64 only when the member may pass 4 GiB, so ordinary archives stay plain zip.
            .large_file(expected_bytes >= u64::from(u32::MAX) / 2);
        writer
            .start_file(member, options)
            .map_err(|e| Error::io(format!("cannot start zip member {member}"), e.into()))?;
        Ok(Sink::Zip(Box::new(writer)))
    }

    pub fn finish(self) -> std::io::Result<()> {
        match self {
            Sink::Plain(mut w) => w.flush(),
            Sink::Zip(w) => {
                let mut inner = w.finish().map_err(std::io::Error::other)?;
                inner.flush()?;
                inner.rewind()
            }
        }
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Plain(w) => w.write(buf),
            Sink::Zip(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Plain(w) => w.flush(),
            Sink::Zip(w) => w.flush(),
        }
    }
}

/// Writes CSV records one at a time in a given encoding and line ending.
pub struct CsvWriter {
    sink: Sink,
    encoding: Encoding,
    line_end: &'static str,
    line: String,
    path: PathBuf,
}

impl CsvWriter {
    pub fn new(sink: Sink, encoding: Encoding, crlf: bool, path: PathBuf) -> CsvWriter {
        CsvWriter { sink, encoding, line_end: if crlf { "\r\n" } else { "\n" }, line: String::with_capacity(512), path }
    }

    pub fn record<S: AsRef<str>>(&mut self, fields: &[S]) -> Result<()> {
        self.line.clear();
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                self.line.push(',');
            }
            push_csv_field(&mut self.line, field.as_ref());
        }
        self.line.push_str(self.line_end);
        let written = match self.encoding {
            Encoding::Utf8 => self.sink.write_all(self.line.as_bytes()),
            Encoding::Windows1252 => {
                let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&self.line);
                if unmappable {
                    return Err(Error::input(
                        &self.path,
                        None,
                        format!("cannot write {:?} in Windows-1252", self.line.trim_end()),
                    ));
                }
                self.sink.write_all(&bytes)
            }
        };
        written.map_err(|e| Error::io(format!("cannot write {}", self.path.display()), e))
    }

    pub fn finish(self) -> Result<()> {
        let path = self.path;
        self.sink.finish().map_err(|e| Error::io(format!("cannot finish {}", path.display()), e))
    }
}

/// Appends `field` to `line`, quoted when it holds a comma, quote or line break.
pub fn push_csv_field(line: &mut String, field: &str) {
    if field.contains([',', '"', '\r', '\n']) {
        line.push('"');
        line.push_str(&field.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(field);
    }
}

/// `-195.75`: pounds and pence with a point, as most councils publish.
pub fn plain_money(pence: i64) -> String {
    crate::money::format_pence(i128::from(pence))
}

/// `313.4`, `0`: the shortest form, as Trafford's card file writes amounts.
pub fn short_money(pence: i64) -> String {
    let full = plain_money(pence);
    let trimmed = full.trim_end_matches('0').trim_end_matches('.');
    if trimmed.is_empty() || trimmed == "-" { "0".to_string() } else { trimmed.to_string() }
}

/// `£1,234.56` with thousands separators; credits as `-£1,234.56` or, in accounting style,
/// `(£1,234.56)`.
pub fn pound_money(pence: i64, accounting_credit: bool) -> String {
    let body = crate::money::money_text(i128::from(pence.unsigned_abs()));
    match (pence < 0, accounting_credit) {
        (false, _) => body,
        (true, true) => format!("({body})"),
        (true, false) => format!("-{body}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_formatted_from_pence_exactly() {
        assert_eq!(plain_money(-19575), "-195.75");
        assert_eq!(plain_money(5), "0.05");
        assert_eq!(plain_money(0), "0.00");
        assert_eq!(short_money(31340), "313.4");
        assert_eq!(short_money(30633), "306.33");
        assert_eq!(short_money(0), "0");
        assert_eq!(short_money(-500), "-5");
        assert_eq!(pound_money(123_456, false), "£1,234.56");
        assert_eq!(pound_money(-123_456, false), "-£1,234.56");
        assert_eq!(pound_money(-123_456, true), "(£1,234.56)");
        assert_eq!(pound_money(100_000_000, false), "£1,000,000.00");
        assert_eq!(pound_money(99, false), "£0.99");
    }

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        let mut line = String::new();
        push_csv_field(&mut line, "plain");
        line.push(',');
        push_csv_field(&mut line, "£1,234.56");
        line.push(',');
        push_csv_field(&mut line, "say \"hi\"");
        assert_eq!(line, "plain,\"£1,234.56\",\"say \"\"hi\"\"\"");
    }

    #[test]
    fn windows_1252_records_encode_the_pound_sign_as_one_byte() {
        let dir = tempfile::tempdir().unwrap();
        let pending = PendingFile::new(dir.path().join("x.csv"));
        let mut csv =
            CsvWriter::new(Sink::Plain(pending.create().unwrap()), Encoding::Windows1252, true, pending.path.clone());
        csv.record(&["£5"]).unwrap();
        csv.finish().unwrap();
        let path = pending.commit().unwrap();
        assert_eq!(std::fs::read(path).unwrap(), b"\xa35\r\n");
    }

    #[test]
    fn an_uncommitted_file_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        {
            let pending = PendingFile::new(dir.path().join("y.csv"));
            let mut w = pending.create().unwrap();
            w.write_all(b"half").unwrap();
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
