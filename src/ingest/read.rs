//! Getting records out of published files: plain, gzipped and zipped CSV and XLSX, with the
//! text encoding detected per file (UTF-8 with or without a byte-order mark, or
//! Windows-1252). Everything streams except XLSX, which calamine reads whole. The SHA-256
//! of each source's bytes is computed on the same pass, so a file is read once.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use calamine::{Data, Reader as _, Xlsx};
use csv::ByteRecord;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

use super::values;

/// How a source's bytes are reached.
#[derive(Debug, Clone)]
enum Origin {
    Plain,
    Gzip,
    ZipMember(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    Csv,
    Xlsx,
}

/// One loadable source: a file, or one member of a zip.
#[derive(Debug, Clone)]
pub struct Source {
    /// The name stored in the manifest and `source_file`: the base name, or
    /// `archive.zip/member.csv` for zip members.
    pub name: String,
    /// The file given on the command line.
    pub path: PathBuf,
    pub format: Format,
    /// Size of the file on disk, for the progress bar.
    pub file_size: u64,
    origin: Origin,
}

/// The sources a command-line file holds, checked enough to fail before anything is written:
/// missing, empty, unreadable and zips without a CSV or XLSX are errors.
pub fn expand(path: &Path) -> Result<Vec<Source>> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => Error::input(path, None, "file not found"),
        _ => Error::input(path, None, format!("cannot read: {e}")),
    })?;
    if meta.is_dir() {
        return Err(Error::input(path, None, "is a folder, not a file"));
    }
    if meta.len() == 0 {
        return Err(Error::input(path, None, "file is empty"));
    }
    let mut magic = [0u8; 4];
    let mut file = File::open(path).map_err(|e| Error::input(path, None, format!("cannot open: {e}")))?;
    let n = read_up_to(&mut file, &mut magic).map_err(|e| Error::input(path, None, format!("cannot read: {e}")))?;
    let base = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let source =
        |name: String, format, origin| Source { name, path: path.to_path_buf(), format, file_size: meta.len(), origin };
    if &magic[..n.min(4)] == b"PK\x03\x04" {
        if has_extension(&base, "xlsx") || has_extension(&base, "xlsm") {
            return Ok(vec![source(base, Format::Xlsx, Origin::Plain)]);
        }
        let file = File::open(path).map_err(|e| Error::input(path, None, format!("cannot open: {e}")))?;
        let archive = zip::ZipArchive::new(file).map_err(|e| Error::input(path, None, format!("damaged zip: {e}")))?;
        if archive.file_names_raw().any(|n| n == b"xl/workbook.xml") {
            return Ok(vec![source(base, Format::Xlsx, Origin::Plain)]);
        }
        let mut members: Vec<(String, usize, Format)> = Vec::new();
        let mut seen = Vec::new();
        for index in 0..archive.len() {
            let Some(Ok(name)) = archive.name_for_index(index) else { continue };
            let name = name.into_owned();
            seen.push(name.clone());
            let hidden = name.starts_with("__MACOSX/") || name.rsplit('/').next().is_some_and(|b| b.starts_with('.'));
            if name.ends_with('/') || hidden {
                continue;
            }
            if has_extension(&name, "csv") || has_extension(&name, "txt") {
                members.push((name, index, Format::Csv));
            } else if has_extension(&name, "xlsx") {
                members.push((name, index, Format::Xlsx));
            }
        }
        if members.is_empty() {
            let held = if seen.is_empty() { "nothing".to_string() } else { seen.join(", ") };
            return Err(Error::input(path, None, format!("zip contains no CSV or XLSX file (it holds: {held})")));
        }
        members.sort();
        return Ok(members
            .into_iter()
            .map(|(member, index, format)| source(format!("{base}/{member}"), format, Origin::ZipMember(index)))
            .collect());
    }
    if n >= 2 && magic[..2] == [0x1f, 0x8b] {
        return Ok(vec![source(base, Format::Csv, Origin::Gzip)]);
    }
    if has_extension(&base, "xlsx") {
        return Err(Error::input(path, None, "is not an XLSX workbook (no zip signature)"));
    }
    Ok(vec![source(base, Format::Csv, Origin::Plain)])
}

fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Counts bytes read from the file on disk, for the progress bar.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: io::Seek> io::Seek for Counting<R> {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// Hashes every byte of the source as it is read.
/// Passes bytes through while a helper thread hashes them: SHA-256 costs as much as a good
/// share of the parsing, and the parse thread is the ingest's bottleneck (BENCHMARKS.md).
struct Hashing<'a> {
    inner: &'a mut dyn Read,
    pending: Vec<u8>,
    sender: std::sync::mpsc::SyncSender<Vec<u8>>,
}

const HASH_CHUNK: usize = 1 << 20;

impl Hashing<'_> {
    fn flush(&mut self) {
        if !self.pending.is_empty() {
            let chunk = std::mem::replace(&mut self.pending, Vec::with_capacity(HASH_CHUNK));
            // The hasher only stops when this side hangs up, so a send cannot fail earlier.
            let _ = self.sender.send(chunk);
        }
    }
}

impl Read for Hashing<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pending.extend_from_slice(&buf[..n]);
        if self.pending.len() >= HASH_CHUNK {
            self.flush();
        }
        Ok(n)
    }
}

/// The SHA-256 of a source's (decompressed) bytes as 64 lower-case hex digits: how the
/// manifest recognises a source whose bytes are unchanged. Only a whole read makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentHash(String);

impl ContentHash {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first twelve digits: enough to tell a source's versions apart in file names.
    pub fn short(&self) -> &str {
        &self.0[..12]
    }
}

impl From<ContentHash> for String {
    fn from(hash: ContentHash) -> String {
        hash.0
    }
}

impl Source {
    /// Run `f` over the source's records, from the reader its format needs.
    pub fn records<T>(
        &self,
        progress: &Arc<AtomicU64>,
        f: impl FnOnce(&mut dyn Records, Encoding) -> Result<T>,
    ) -> Result<T> {
        self.bytes(progress, |input| self.open_records(input, f))
    }

    /// [`Source::records`], hashing the source's bytes on the same pass, including any `f`
    /// did not read.
    pub fn records_hashed<T>(
        &self,
        progress: &Arc<AtomicU64>,
        f: impl FnOnce(&mut dyn Records, Encoding) -> Result<T>,
    ) -> Result<(T, ContentHash)> {
        let io_err = |e: io::Error| Error::input(&self.path, None, format!("cannot read {}: {e}", self.name));
        self.bytes(progress, |inner| {
            let (sender, chunks) = std::sync::mpsc::sync_channel::<Vec<u8>>(8);
            std::thread::scope(|scope| {
                let hasher = scope.spawn(move || {
                    let mut hasher = Sha256::new();
                    for chunk in chunks {
                        hasher.update(&chunk);
                    }
                    ContentHash(hex(&hasher.finalize()))
                });
                let mut hashing = Hashing { inner, pending: Vec::with_capacity(HASH_CHUNK), sender };
                let value = self.open_records(&mut hashing, f).and_then(|value| {
                    io::copy(&mut hashing, &mut io::sink()).map_err(io_err)?;
                    Ok(value)
                });
                hashing.flush();
                drop(hashing);
                let hash = hasher.join().map_err(|_| Error::execution("the hashing thread panicked"))?;
                Ok((value?, hash))
            })
        })
    }

    /// Run `f` over the source's (decompressed) bytes.
    fn bytes<T>(&self, progress: &Arc<AtomicU64>, f: impl FnOnce(&mut dyn Read) -> Result<T>) -> Result<T> {
        let file = File::open(&self.path).map_err(|e| Error::input(&self.path, None, format!("cannot open: {e}")))?;
        let counting = Counting { inner: file, count: Arc::clone(progress) };
        match self.origin {
            Origin::Plain => f(&mut { counting }),
            Origin::Gzip => f(&mut flate2::read::MultiGzDecoder::new(BufReader::with_capacity(1 << 20, counting))),
            Origin::ZipMember(index) => {
                let mut archive = zip::ZipArchive::new(BufReader::with_capacity(1 << 20, counting))
                    .map_err(|e| Error::input(&self.path, None, format!("damaged zip: {e}")))?;
                let mut member = archive
                    .by_index(index)
                    .map_err(|e| Error::input(&self.path, None, format!("cannot read {}: {e}", self.name)))?;
                f(&mut member)
            }
        }
    }

    /// Open the record reader of the source's format over its bytes and run `f` over it.
    fn open_records<T>(
        &self,
        input: &mut dyn Read,
        f: impl FnOnce(&mut dyn Records, Encoding) -> Result<T>,
    ) -> Result<T> {
        match self.format {
            Format::Csv => {
                let mut buffered = BufReader::with_capacity(1 << 20, input);
                let (mut records, encoding) = CsvRecords::open(&mut buffered, &self.path, &self.name)?;
                f(&mut records, encoding)
            }
            Format::Xlsx => {
                let mut bytes = Vec::new();
                input
                    .read_to_end(&mut bytes)
                    .map_err(|e| Error::input(&self.path, None, format!("cannot read {}: {e}", self.name)))?;
                let mut records = XlsxRecords::open(bytes, &self.path, &self.name)?;
                f(&mut records, Encoding::Utf8)
            }
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The text encoding of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Windows1252,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Windows1252 => "Windows-1252",
        }
    }

    /// A field as text. A UTF-8 file with a stray invalid byte far past the sniffed start
    /// still loads: that field alone is read as Windows-1252, which maps every byte.
    pub fn decode(self, bytes: &[u8]) -> Cow<'_, str> {
        if self == Encoding::Utf8
            && let Ok(s) = std::str::from_utf8(bytes)
        {
            return Cow::Borrowed(s);
        }
        if bytes.is_ascii() {
            // ASCII is valid UTF-8; this cannot fail.
            return std::str::from_utf8(bytes).map_or(Cow::Borrowed(""), Cow::Borrowed);
        }
        encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0
    }
}

/// Decide a file's encoding from its first bytes, and how many bytes of byte-order mark to
/// skip. Binary data (NUL bytes, many control characters) is refused here, before it can
/// be mistaken for one enormous CSV field.
pub fn sniff(start: &[u8]) -> std::result::Result<(Encoding, usize), String> {
    if start.starts_with(&[0xFF, 0xFE]) || start.starts_with(&[0xFE, 0xFF]) {
        return Err("is UTF-16 text; save it as UTF-8 CSV".into());
    }
    let control = start.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c)).count();
    if start.contains(&0) || control * 20 > start.len().max(1) {
        return Err("is binary data, not a CSV file".into());
    }
    let bom = if start.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let body = &start[bom..];
    let encoding = match std::str::from_utf8(body) {
        Ok(_) => Encoding::Utf8,
        // A multi-byte character cut off by the end of the sample is still UTF-8.
        Err(e) if e.error_len().is_none() => Encoding::Utf8,
        Err(_) => Encoding::Windows1252,
    };
    Ok((encoding, bom))
}

/// A stream of records from CSV or XLSX, each with the 1-based line (or sheet row) it
/// started on.
pub trait Records {
    fn next_record(&mut self, record: &mut ByteRecord) -> Result<Option<u64>>;
    /// XLSX money cells are floats; once the amount columns are known they are rounded to
    /// pence rather than printed in full.
    fn set_money_columns(&mut self, _columns: &[usize]) {}
}

pub struct CsvRecords<'a> {
    reader: csv::Reader<LineCounter<&'a mut dyn BufRead>>,
    path: PathBuf,
    lines_before: u64,
}

/// Remembers where the newlines are in the bytes the CSV parser has read but not yet
/// returned as records, so each record gets the true line it starts on. The `csv` crate's
/// own line count skips newlines inside quoted fields.
struct LineCounter<R> {
    inner: R,
    offset: u64,
    /// Offsets of newlines not yet passed, and whether a `\r` came just before each.
    newlines: std::collections::VecDeque<(u64, bool)>,
    last_byte: u8,
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for (i, &b) in buf[..n].iter().enumerate() {
            if b == b'\n' {
                let previous = if i == 0 { self.last_byte } else { buf[i - 1] };
                self.newlines.push_back((self.offset + i as u64, previous == b'\r'));
            }
        }
        if n > 0 {
            self.last_byte = buf[n - 1];
        }
        self.offset += n as u64;
        Ok(n)
    }
}

impl<'a> CsvRecords<'a> {
    /// Sniff the encoding, skip any byte-order mark and start reading records.
    pub fn open(input: &'a mut dyn BufRead, path: &Path, name: &str) -> Result<(Self, Encoding)> {
        let start = input.fill_buf().map_err(|e| Error::input(path, None, format!("cannot read {name}: {e}")))?;
        if start.is_empty() {
            return Err(Error::input(path, None, format!("{name} is empty")));
        }
        let (encoding, bom) = sniff(start).map_err(|why| Error::input(path, None, format!("{name} {why}")))?;
        input.consume(bom);
        let counter =
            LineCounter { inner: input, offset: 0, newlines: std::collections::VecDeque::new(), last_byte: 0 };
        let reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(counter);
        Ok((CsvRecords { reader, path: path.to_path_buf(), lines_before: 0 }, encoding))
    }

    /// The 1-based line of a record the parser says starts at `offset`. The parser's
    /// offset includes blank lines it skipped before the record, so those are stepped over.
    fn line_at(&mut self, offset: u64) -> u64 {
        let counter = self.reader.get_mut();
        let mut start = offset;
        loop {
            while counter.newlines.front().is_some_and(|&(n, _)| n < start) {
                counter.newlines.pop_front();
                self.lines_before += 1;
            }
            match counter.newlines.front() {
                Some(&(n, cr)) if n == start || (n == start + 1 && cr) => start = n + 1,
                _ => break,
            }
        }
        self.lines_before + 1
    }
}

impl Records for CsvRecords<'_> {
    fn next_record(&mut self, record: &mut ByteRecord) -> Result<Option<u64>> {
        match self.reader.read_byte_record(record) {
            Ok(true) => {
                let offset = record.position().map_or(0, csv::Position::byte);
                Ok(Some(self.line_at(offset)))
            }
            Ok(false) => Ok(None),
            Err(e) => {
                let line = e.position().map(csv::Position::byte).map(|offset| self.line_at(offset));
                Err(Error::input(&self.path, line, format!("cannot read CSV: {e}")))
            }
        }
    }
}

/// The first non-empty worksheet of a workbook, as text records.
pub struct XlsxRecords {
    rows: Vec<Vec<Data>>,
    next: usize,
    first_row: u64,
    money: Vec<bool>,
}

impl XlsxRecords {
    pub fn open(bytes: Vec<u8>, path: &Path, name: &str) -> Result<Self> {
        let mut workbook = Xlsx::new(Cursor::new(bytes))
            .map_err(|e| Error::input(path, None, format!("{name} is not a readable XLSX workbook: {e}")))?;
        for sheet in workbook.sheet_names() {
            let range = workbook
                .worksheet_range(&sheet)
                .map_err(|e| Error::input(path, None, format!("cannot read sheet '{sheet}' of {name}: {e}")))?;
            if range.is_empty() {
                continue;
            }
            let first_row = u64::from(range.start().map_or(0, |(row, _)| row)) + 1;
            let rows = range.rows().map(<[Data]>::to_vec).collect();
            return Ok(XlsxRecords { rows, next: 0, first_row, money: Vec::new() });
        }
        Err(Error::input(path, None, format!("{name} has no worksheet with data")))
    }
}

impl Records for XlsxRecords {
    fn next_record(&mut self, record: &mut ByteRecord) -> Result<Option<u64>> {
        let Some(row) = self.rows.get(self.next) else { return Ok(None) };
        let line = self.first_row + self.next as u64;
        self.next += 1;
        record.clear();
        let mut text = String::new();
        for (i, cell) in row.iter().enumerate() {
            text.clear();
            cell_text(cell, self.money.get(i).copied().unwrap_or(false), &mut text);
            record.push_field(text.as_bytes());
        }
        // Trailing empty cells carry nothing; dropping them keeps field counts honest.
        while record.len() > 1 && record.get(record.len() - 1).is_some_and(<[u8]>::is_empty) {
            record.truncate(record.len() - 1);
        }
        Ok(Some(line))
    }

    fn set_money_columns(&mut self, columns: &[usize]) {
        for &c in columns {
            if self.money.len() <= c {
                self.money.resize(c + 1, false);
            }
            self.money[c] = true;
        }
    }
}

fn cell_text(cell: &Data, money: bool, out: &mut String) {
    use std::fmt::Write as _;
    match cell {
        Data::Empty => {}
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => out.push_str(s),
        Data::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Data::Float(f) if money => match values::float_to_pence(*f) {
            Some(pence) => out.push_str(&values::format_pence(pence)),
            None => {
                let _ = write!(out, "{f}");
            }
        },
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
            let _ = write!(out, "{}", *f as i64);
        }
        Data::Float(f) => {
            let _ = write!(out, "{f}");
        }
        Data::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
        Data::DateTime(dt) if dt.is_duration() => {
            let _ = write!(out, "{}", dt.as_f64());
        }
        Data::DateTime(dt) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            let _ = write!(out, "{y:04}-{m:02}-{d:02}");
        }
        Data::Error(e) => {
            let _ = write!(out, "#{e}");
        }
    }
}

/// Whether `name` ends in `.ext`, in any case.
fn has_extension(name: &str, ext: &str) -> bool {
    Path::new(name).extension().is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_detected_per_file() {
        assert_eq!(sniff(b"Supplier,Amount\nAcme,1.00\n"), Ok((Encoding::Utf8, 0)));
        assert_eq!(sniff(b"\xEF\xBB\xBFSupplier,Amount\n"), Ok((Encoding::Utf8, 3)));
        assert_eq!(sniff("Caf\u{e9},\u{a3}12\n".as_bytes()), Ok((Encoding::Utf8, 0)));
        assert_eq!(sniff(b"Caf\xE9,\xA312.00\n"), Ok((Encoding::Windows1252, 0)));
        // A two-byte character cut in half at the end of the sample.
        assert_eq!(sniff(b"Amount\n\xC2"), Ok((Encoding::Utf8, 0)));
        assert!(sniff(b"\x00\x01\x02garbage").unwrap_err().contains("binary"));
        assert!(sniff(b"\x01\x02\x03\x04\x05\x06\x07\x08abc").unwrap_err().contains("binary"));
        assert!(sniff(b"\xFF\xFEa\x00").unwrap_err().contains("UTF-16"));
    }

    #[test]
    fn windows_1252_pound_decodes() {
        assert_eq!(Encoding::Windows1252.decode(b"\xA312.00"), "£12.00");
        assert_eq!(Encoding::Utf8.decode("£12.00".as_bytes()), "£12.00");
        assert_eq!(Encoding::Utf8.decode(b"stray \xA3"), "stray £", "invalid UTF-8 falls back per field");
        assert!(matches!(Encoding::Windows1252.decode(b"plain"), Cow::Borrowed("plain")));
    }

    #[test]
    fn mis_encoded_bom_is_text_and_left_to_header_detection() {
        // `ï»¿` is a UTF-8 BOM read as Windows-1252 and saved again as UTF-8.
        let (encoding, bom) = sniff("ï»¿Directorate Name,Amount\n".as_bytes()).unwrap();
        assert_eq!((encoding, bom), (Encoding::Utf8, 0));
        assert_eq!(super::super::headers::normalise("ï»¿Directorate Name"), "directoratename");
    }

    #[test]
    fn csv_records_carry_their_line_numbers() {
        let data = b"\xEF\xBB\xBFa,b\n1,\"multi\nline\"\n\n2,x\r\n\r\n\r\n3\n".to_vec();
        let mut input = BufReader::new(&data[..]);
        let (mut records, encoding) = CsvRecords::open(&mut input, Path::new("t.csv"), "t.csv").unwrap();
        assert_eq!(encoding, Encoding::Utf8);
        let mut record = ByteRecord::new();
        let mut seen = Vec::new();
        while let Some(line) = records.next_record(&mut record).unwrap() {
            seen.push((line, record.get(0).unwrap().to_vec()));
        }
        assert_eq!(seen, vec![(1, b"a".to_vec()), (2, b"1".to_vec()), (5, b"2".to_vec()), (8, b"3".to_vec())]);
    }

    #[test]
    fn missing_empty_and_zip_without_csv_fail_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let missing = expand(&dir.path().join("nope.csv")).unwrap_err();
        assert!(missing.message.contains("not found"), "{}", missing.message);
        std::fs::write(dir.path().join("empty.csv"), b"").unwrap();
        assert!(expand(&dir.path().join("empty.csv")).unwrap_err().message.contains("empty"));
        let zip_path = dir.path().join("docs.zip");
        let mut writer = zip::ZipWriter::new(File::create(&zip_path).unwrap());
        writer.start_file("readme.pdf", zip::write::SimpleFileOptions::default()).unwrap();
        io::Write::write_all(&mut writer, b"%PDF").unwrap();
        writer.finish().unwrap();
        let err = expand(&zip_path).unwrap_err();
        assert!(err.message.contains("no CSV or XLSX") && err.message.contains("readme.pdf"), "{}", err.message);
    }

    #[test]
    fn zip_members_are_named_inside_their_archive_and_hashed_decompressed() {
        let dir = tempfile::tempdir().unwrap();
        let zip_path = dir.path().join("spend.zip");
        let mut writer = zip::ZipWriter::new(File::create(&zip_path).unwrap());
        let options = zip::write::SimpleFileOptions::default();
        writer.start_file("b.csv", options).unwrap();
        io::Write::write_all(&mut writer, b"abc").unwrap();
        writer.start_file("a.CSV", options).unwrap();
        io::Write::write_all(&mut writer, b"abc").unwrap();
        writer.finish().unwrap();
        let sources = expand(&zip_path).unwrap();
        let names: Vec<_> = sources.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["spend.zip/a.CSV", "spend.zip/b.csv"]);
        let counter = Arc::new(AtomicU64::new(0));
        let ((), sha) = sources[1].records_hashed(&counter, |_, _| Ok(())).unwrap();
        // SHA-256("abc"), from FIPS 180-2.
        assert_eq!(sha.as_str(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(sha.short(), "ba7816bf8f01");
    }
}
