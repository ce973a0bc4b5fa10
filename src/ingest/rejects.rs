//! Rows that could not be loaded, kept so nothing disappears silently: one `rejects.csv` per
//! dataset version (`council,source_file,line,reason,raw_line`). Each source's rejects are
//! replaced with the source itself when it is re-ingested.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use csv::ByteRecord;

use crate::catalog::REJECTS;
use crate::error::{Error, Result};

use super::read::Encoding;

pub const HEADER: [&str; 5] = ["council", "source_file", "line", "reason", "raw_line"];

/// The rejects of one source, written to a scratch file while it is parsed.
pub struct RejectWriter {
    path: PathBuf,
    writer: csv::Writer<BufWriter<File>>,
    council: String,
    source_file: String,
    raw: Vec<u8>,
}

impl RejectWriter {
    pub fn create(path: &Path, council: &str, source_file: &str) -> Result<Self> {
        let file = File::create(path).map_err(|e| Error::io(format!("cannot create {}", path.display()), e))?;
        Ok(RejectWriter {
            path: path.to_path_buf(),
            writer: csv::Writer::from_writer(BufWriter::new(file)),
            council: council.to_string(),
            source_file: source_file.to_string(),
            raw: Vec::new(),
        })
    }

    pub fn write(&mut self, line: u64, reason: &str, record: &ByteRecord, encoding: Encoding) -> Result<()> {
        // The raw line as CSV again, so it can be pasted back into the source file.
        self.raw.clear();
        {
            let mut line_writer =
                csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(&mut self.raw);
            let written = line_writer.write_byte_record(record).and_then(|()| Ok(line_writer.flush()?));
            written.map_err(|e| {
                Error::io(format!("cannot write {}", self.path.display()), std::io::Error::other(e.to_string()))
            })?;
        }
        if self.raw.last() == Some(&b'\n') {
            self.raw.pop();
        }
        let raw = encoding.decode(&self.raw).into_owned();
        let line = line.to_string();
        self.writer
            .write_record([self.council.as_str(), self.source_file.as_str(), line.as_str(), reason, raw.as_str()])
            .map_err(|e| self.error(e))
    }

    pub fn finish(&mut self) -> Result<()> {
        self.writer.flush().map_err(|e| Error::io(format!("cannot write {}", self.path.display()), e))
    }

    fn error(&self, e: csv::Error) -> Error {
        Error::io(format!("cannot write {}", self.path.display()), std::io::Error::other(e.to_string()))
    }
}

/// Write the version's `rejects.csv`: the previous rows of sources not re-ingested, then the
/// new rejects. Written beside and renamed over the carried-over hard link, so the previous
/// version's file is never modified.
pub fn rebuild(version_dir: &Path, replaced: &HashSet<(String, String)>, new_files: &[PathBuf]) -> Result<()> {
    let target = version_dir.join(REJECTS);
    let tmp = version_dir.join(format!("{REJECTS}.tmp"));
    let io_err = |path: &Path, e: std::io::Error| Error::io(format!("cannot write {}", path.display()), e);
    let csv_err = |path: &Path, e: csv::Error| {
        Error::io(format!("cannot write {}", path.display()), std::io::Error::other(e.to_string()))
    };
    let file = File::create(&tmp).map_err(|e| io_err(&tmp, e))?;
    let mut writer = csv::Writer::from_writer(BufWriter::new(file));
    writer.write_record(HEADER).map_err(|e| csv_err(&tmp, e))?;
    if target.exists() {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_path(&target)
            .map_err(|e| Error::dataset(format!("cannot read {}: {e}", target.display())))?;
        for record in reader.byte_records() {
            let record = record.map_err(|e| Error::dataset(format!("damaged {}: {e}", target.display())))?;
            let key = |i: usize| String::from_utf8_lossy(record.get(i).unwrap_or_default()).into_owned();
            if !replaced.contains(&(key(0), key(1))) {
                writer.write_byte_record(&record).map_err(|e| csv_err(&tmp, e))?;
            }
        }
    }
    for path in new_files {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(path)
            .map_err(|e| Error::io(format!("cannot read {}", path.display()), std::io::Error::other(e.to_string())))?;
        for record in reader.byte_records() {
            let record = record.map_err(|e| {
                Error::io(format!("cannot read {}", path.display()), std::io::Error::other(e.to_string()))
            })?;
            writer.write_byte_record(&record).map_err(|e| csv_err(&tmp, e))?;
        }
    }
    let file = writer.into_inner().map_err(|e| Error::io(format!("cannot write {}", tmp.display()), e.into_error()))?;
    let file = file.into_inner().map_err(|e| io_err(&tmp, e.into_error()))?;
    file.sync_all().map_err(|e| io_err(&tmp, e))?;
    fs::rename(&tmp, &target).map_err(|e| io_err(&target, e))
}

/// One kind of reject in a file: its reason with the cell values blanked (`unreadable payment
/// date '…'`), how many rows had it, and the first such line with its reason as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectReason {
    pub kind: String,
    pub count: u64,
    pub first_line: u64,
    pub first_reason: String,
}

/// The reasons in a source's scratch rejects file, most common first (ties: earliest first).
pub fn top_reasons(path: &Path) -> Result<Vec<RejectReason>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .map_err(|e| Error::io(format!("cannot read {}", path.display()), std::io::Error::other(e.to_string())))?;
    let mut by_kind: Vec<RejectReason> = Vec::new();
    for record in reader.records() {
        let record = record
            .map_err(|e| Error::io(format!("cannot read {}", path.display()), std::io::Error::other(e.to_string())))?;
        let (Some(line), Some(reason)) = (record.get(2), record.get(3)) else { continue };
        let kind = blank_quoted(reason);
        match by_kind.iter_mut().find(|r| r.kind == kind) {
            Some(r) => r.count += 1,
            None => by_kind.push(RejectReason {
                kind,
                count: 1,
                first_line: line.parse().unwrap_or(0),
                first_reason: reason.to_string(),
            }),
        }
    }
    by_kind.sort_by(|a, b| b.count.cmp(&a.count).then(a.first_line.cmp(&b.first_line)));
    Ok(by_kind)
}

/// `unreadable date '2021-13-01'` → `unreadable date '…'`: the same problem on many rows is
/// one reason, whatever each row held.
fn blank_quoted(reason: &str) -> String {
    let mut out = String::with_capacity(reason.len());
    let mut inside = false;
    for c in reason.chars() {
        if c == '\'' {
            if !inside {
                out.push_str("'…");
            }
            inside = !inside;
            if !inside {
                out.push('\'');
            }
        } else if !inside {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_of_a_reingested_source_are_replaced_and_others_kept() {
        let dir = tempfile::tempdir().unwrap();
        let old = "council,source_file,line,reason,raw_line\nTrafford,a.csv,3,no amount,\"x,,y\"\nTrafford,b.csv,9,no amount,z\n";
        fs::write(dir.path().join(REJECTS), old).unwrap();
        // The previous version's file is a hard link to the same inode: it must survive.
        fs::hard_link(dir.path().join(REJECTS), dir.path().join("previous.csv")).unwrap();
        let scratch = dir.path().join("new.csv");
        let mut writer = RejectWriter::create(&scratch, "Trafford", "a.csv").unwrap();
        let mut record = ByteRecord::new();
        record.push_field(b"Acme");
        record.push_field(b"\xA3oops");
        writer.write(7, "amount is not a number: '£oops'", &record, Encoding::Windows1252).unwrap();
        writer.finish().unwrap();
        drop(writer);
        let replaced: HashSet<_> = [("Trafford".to_string(), "a.csv".to_string())].into_iter().collect();
        rebuild(dir.path(), &replaced, &[scratch]).unwrap();
        let text = fs::read_to_string(dir.path().join(REJECTS)).unwrap();
        assert_eq!(
            text,
            "council,source_file,line,reason,raw_line\nTrafford,b.csv,9,no amount,z\nTrafford,a.csv,7,amount is not a number: '£oops',Acme,£oops\n"
                .replace(",Acme,£oops", ",\"Acme,£oops\"")
        );
        assert_eq!(fs::read_to_string(dir.path().join("previous.csv")).unwrap(), old);
    }

    #[test]
    fn issue_10_reasons_group_by_kind_whatever_the_cell_held() {
        assert_eq!(blank_quoted("unreadable date '2021-13-01'"), "unreadable date '…'");
        assert_eq!(
            blank_quoted("irrecoverable VAT: amount is not a number: 'Nil'"),
            "irrecoverable VAT: amount is not a number: '…'"
        );
        assert_eq!(blank_quoted("no amount"), "no amount");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        fs::write(
            &path,
            "Salford,a.csv,4,unreadable date 'x',raw\nSalford,a.csv,7,no amount,raw\nSalford,a.csv,9,unreadable date 'y',raw\n",
        )
        .unwrap();
        let reasons = top_reasons(&path).unwrap();
        assert_eq!(reasons.len(), 2);
        assert_eq!((reasons[0].kind.as_str(), reasons[0].count, reasons[0].first_line), ("unreadable date '…'", 2, 4));
        assert_eq!(reasons[0].first_reason, "unreadable date 'x'");
        assert_eq!((reasons[1].kind.as_str(), reasons[1].count, reasons[1].first_line), ("no amount", 1, 7));
    }
}
