//! A dataset written by an older spendql, rewritten in the current format inside the
//! caller's transaction: every stored row of every table file is read and written again in
//! the current layout ([`catalog::partition_folder`]) and the current schema
//! ([`Table::schema`]), a column the old files lack becoming null. The caller then runs the
//! derivation pass over everything (`link::Scope::All`), as after any ingest, so derived
//! columns are recomputed and the upgrade needs no list of what changed between formats.
//!
//! It works from the stored rows, not the published files: the manifest records the files'
//! names and hashes, not where they are, and the analyst may no longer have them. A new
//! column that only the published file could fill stays null until that file is ingested
//! again (README, "Datasets from older versions").

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs::{self, File};
use std::path::{Path, PathBuf};

use datafusion::arrow::array::{ArrayRef, RecordBatch, new_null_array};
use datafusion::arrow::compute::{CastOptions, cast_with_options};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::parquet::arrow::ArrowWriter;

use crate::catalog::reader::{damaged, read_file};
use crate::catalog::{self, FORMAT, SourceRecord, Transaction};
use crate::error::{Error, Result};
use crate::schema::Table;

use super::write::writer_properties;

/// What rewriting an older dataset did, for the report.
#[derive(Debug, Clone, Default)]
pub struct Upgraded {
    /// The format the dataset was in.
    pub from: u32,
    /// Table files rewritten.
    pub files: usize,
    /// Rows rewritten (all of them).
    pub rows: u64,
    /// `table.column` of the current schemas that the old files lacked (written null, then
    /// filled by the derivation pass where it derives them).
    pub added: BTreeSet<String>,
    /// `table.column` the old files held that the current schemas no longer have.
    pub dropped: BTreeSet<String>,
    /// `table.old → new` for columns kept under a new name ([`RENAMED`]).
    pub renamed: BTreeSet<String>,
}

/// Columns kept under a new name: (table, name in the older formats, current name). Format
/// 3 (issue 11) moved what the council published on spend to `published_category(_code)`
/// and gave `category(_code)` to the harmonised ProClass classification; format 4 did the
/// same for the contracts register. The classification pass derives the harmonised columns
/// after the upgrade; an old file is recognised by lacking the new name.
const RENAMED: &[(Table, &str, &str)] = &[
    (Table::Spend, "category", crate::schema::spend::PUBLISHED_CATEGORY),
    (Table::Spend, "category_code", crate::schema::spend::PUBLISHED_CATEGORY_CODE),
    (Table::Contracts, "category", crate::schema::contracts::PUBLISHED_CATEGORY),
    (Table::Contracts, "category_code", crate::schema::contracts::PUBLISHED_CATEGORY_CODE),
];

/// The stored column `field` of the current schema is read from in an older file: its
/// older name when renamed, none when that name now means a derived column.
fn stored_name<'a>(table: Table, stored: &SchemaRef, field: &'a str) -> Option<&'a str> {
    let old_layout = |new: &str| stored.field_with_name(new).is_err();
    for (t, old, new) in RENAMED {
        if *t != table || !old_layout(new) {
            continue;
        }
        if *new == field {
            return Some(old);
        }
        if *old == field {
            // The old column moves to its new name; the current one is derived afresh.
            return None;
        }
    }
    Some(field)
}

impl Upgraded {
    /// Lines for the ingest or upgrade report.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "upgrading the dataset from format {} to format {FORMAT}: {} table file(s), {} row(s) rewritten in the current layout",
            self.from, self.files, self.rows
        )];
        if !self.added.is_empty() {
            let added: Vec<&str> = self.added.iter().map(String::as_str).collect();
            lines.push(format!("  new columns (empty until derived or re-ingested): {}", added.join(", ")));
        }
        if !self.renamed.is_empty() {
            let renamed: Vec<&str> = self.renamed.iter().map(String::as_str).collect();
            lines.push(format!("  columns renamed: {}", renamed.join(", ")));
        }
        if !self.dropped.is_empty() {
            let dropped: Vec<&str> = self.dropped.iter().map(String::as_str).collect();
            lines.push(format!("  columns no longer kept: {}", dropped.join(", ")));
        }
        lines
    }
}

/// Rewrite every table file of the staged version in the current layout and schemas, and
/// mark the version upgraded. Files are written beside the staged hard links and replace
/// only those, so the committed version is untouched until the caller commits.
pub fn rewrite(tx: &mut Transaction) -> Result<Upgraded> {
    let mut upgraded = Upgraded { from: tx.base().format, ..Upgraded::default() };
    let mut renames: HashMap<String, String> = HashMap::new();
    let sources: Vec<SourceRecord> = tx.manifest().sources.clone();
    for record in &sources {
        let table = record.kind.table();
        for old in &record.parquet_files {
            let new = current_path(table, record, old);
            if renames.values().any(|n| *n == new) {
                return Err(Error::dataset(format!("cannot upgrade: two table files would both become {new}")));
            }
            rewrite_file(&tx.dir().join(old), &tx.dir().join(&new), table, &mut upgraded)?;
            renames.insert(old.clone(), new);
        }
    }
    // Outside readers list folders rather than read the manifest, so nothing but the listed
    // files may stay under a table's folder (the old layout's folders go).
    let keep: HashSet<PathBuf> = renames.values().map(|f| tx.dir().join(f)).collect();
    for table in Table::ALL {
        remove_unlisted(&tx.dir().join(table.name()), &keep)?;
    }
    tx.rename_parquet_files(|_, old| renames.get(old).cloned().unwrap_or_else(|| old.to_string()));
    tx.mark_upgraded();
    Ok(upgraded)
}

/// Where a stored file goes in the current layout. Format 1 spelt folders `council=NAME`
/// and `fy=YEAR`; the council comes from the manifest and the year from the folder, since
/// spend was partitioned by it.
fn current_path(table: Table, record: &SourceRecord, old: &str) -> String {
    let parts: Vec<&str> = old.split('/').collect();
    let year = parts.iter().find_map(|p| p.strip_prefix("fy="));
    let name = parts.last().copied().unwrap_or(old);
    format!("{}/{}", catalog::partition_folder(table, &record.council, year), catalog::path_component(name))
}

/// Read `old` and write its rows to `new` in `table`'s schema, atomically.
fn rewrite_file(old: &Path, new: &Path, table: Table, upgraded: &mut Upgraded) -> Result<()> {
    let schema = table.schema();
    if let Some(parent) = new.parent() {
        fs::create_dir_all(parent).map_err(|e| Error::io(format!("cannot create {}", parent.display()), e))?;
    }
    let tmp = new.with_extension("parquet.upgrade-tmp");
    let out = File::create(&tmp).map_err(|e| Error::io(format!("cannot create {}", tmp.display()), e))?;
    let mut writer = ArrowWriter::try_new(out, schema.clone(), Some(writer_properties()))?;
    for batch in read_file(old, None)? {
        let batch = batch?.into_batch();
        note_columns(&batch, &schema, table, upgraded);
        upgraded.rows += batch.num_rows() as u64;
        writer.write(&conform(&batch, &schema, table, old)?)?;
    }
    let out = writer.into_inner()?;
    out.sync_all().map_err(|e| Error::io(format!("cannot sync {}", tmp.display()), e))?;
    fs::rename(&tmp, new).map_err(|e| Error::io(format!("cannot write {}", new.display()), e))?;
    if old != new {
        // The staged hard link only; the committed version keeps its own.
        fs::remove_file(old).map_err(|e| Error::io(format!("cannot remove {}", old.display()), e))?;
    }
    upgraded.files += 1;
    Ok(())
}

fn note_columns(batch: &RecordBatch, schema: &SchemaRef, table: Table, upgraded: &mut Upgraded) {
    let stored = batch.schema();
    let mut moved = HashSet::new();
    for field in schema.fields() {
        match stored_name(table, &stored, field.name()) {
            Some(old) if old != field.name() && stored.field_with_name(old).is_ok() => {
                moved.insert(old.to_string());
                upgraded.renamed.insert(format!("{}.{old} → {}", table.name(), field.name()));
            }
            Some(name) if stored.field_with_name(name).is_ok() => {}
            _ => {
                upgraded.added.insert(format!("{}.{}", table.name(), field.name()));
            }
        }
    }
    for field in stored.fields() {
        if moved.contains(field.name()) {
            continue;
        }
        if schema.field_with_name(field.name()).is_err() {
            upgraded.dropped.insert(format!("{}.{}", table.name(), field.name()));
        }
    }
}

/// `batch` in `schema`: columns matched by name, cast where the stored type differs (text
/// stored as a view or dictionary), nulls for a nullable column it lacks. A value that does
/// not convert, or a required column that is missing, is an error: an upgrade never guesses.
fn conform(batch: &RecordBatch, schema: &SchemaRef, table: Table, path: &Path) -> Result<RecordBatch> {
    let strict = CastOptions { safe: false, ..CastOptions::default() };
    let stored = batch.schema();
    let columns = schema
        .fields()
        .iter()
        .map(|field| -> Result<ArrayRef> {
            match stored_name(table, &stored, field.name()).and_then(|name| batch.column_by_name(name)) {
                Some(column) if column.data_type() == field.data_type() => Ok(column.clone()),
                Some(column) => cast_with_options(column, field.data_type(), &strict).map_err(|e| {
                    damaged(path, format!("column {} does not convert to {}: {e}", field.name(), field.data_type()))
                }),
                None if field.is_nullable() => Ok(new_null_array(field.data_type(), batch.num_rows())),
                None => Err(Error::dataset(format!(
                    "cannot upgrade {}: it has no column {}, which format {FORMAT} requires; ingest the published files into a fresh dataset",
                    path.display(),
                    field.name()
                ))),
            }
        })
        .collect::<Result<Vec<_>>>()?;
    RecordBatch::try_new(schema.clone(), columns).map_err(|e| damaged(path, e))
}

/// Remove every file under `dir` not in `keep`, and the folders left empty.
fn remove_unlisted(dir: &Path, keep: &HashSet<PathBuf>) -> Result<()> {
    let Ok(entries) = fs::read_dir(dir) else { return Ok(()) };
    for entry in entries {
        let path = entry.map_err(|e| Error::io(format!("cannot read {}", dir.display()), e))?.path();
        if path.is_dir() {
            remove_unlisted(&path, keep)?;
            if fs::read_dir(&path).is_ok_and(|mut d| d.next().is_none()) {
                fs::remove_dir(&path).map_err(|e| Error::io(format!("cannot remove {}", path.display()), e))?;
            }
        } else if !keep.contains(&path) {
            fs::remove_file(&path).map_err(|e| Error::io(format!("cannot remove {}", path.display()), e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{Array, AsArray, Decimal128Array, StringArray, StringViewArray};
    use datafusion::arrow::datatypes::{DataType, Decimal128Type, Field, Schema};

    use super::*;
    use crate::catalog::SourceKind;
    use crate::schema::{MONEY, spend};

    fn record(council: &str) -> SourceRecord {
        SourceRecord {
            council: council.into(),
            kind: SourceKind::Spend,
            source_name: "a.csv".into(),
            sha256: String::new(),
            rows_read: 0,
            rows_loaded: 0,
            rows_rejected: 0,
            amount_read: "0.00".into(),
            amount_loaded: "0.00".into(),
            amount_rejected: "0.00".into(),
            parquet_files: vec![],
            mapping: vec![],
            ingested_at: String::new(),
        }
    }

    #[test]
    fn format_one_paths_move_to_folders_without_hive_names() {
        let old = "spend/council=Trafford/fy=2024-25/a.csv-0123.parquet";
        assert_eq!(current_path(Table::Spend, &record("Trafford"), old), "spend/Trafford/2024-25/a.csv-0123.parquet");
        let old = "contracts/council=Salford/r.csv-89.parquet";
        assert_eq!(current_path(Table::Contracts, &record("Salford"), old), "contracts/Salford/r.csv-89.parquet");
    }

    #[test]
    fn a_format_2_category_becomes_the_published_one_and_the_harmonised_one_is_left_to_derive() {
        let stored = Schema::new(vec![
            Field::new("category", DataType::Utf8, true),
            Field::new("category_code", DataType::Utf8, true),
        ]);
        let batch = RecordBatch::try_new(
            Arc::new(stored),
            vec![
                Arc::new(StringArray::from(vec![Some("SC : Equipment"), Some("Caterers")])),
                Arc::new(StringArray::from(vec![Some("321311"), None])),
            ],
        )
        .unwrap();
        let current = Arc::new(Schema::new(vec![
            Field::new(spend::PUBLISHED_CATEGORY, DataType::Utf8, true),
            Field::new(spend::PUBLISHED_CATEGORY_CODE, DataType::Utf8, true),
            Field::new(spend::CATEGORY, DataType::Utf8, true),
            Field::new(spend::CATEGORY_CODE, DataType::Utf8, true),
        ]));
        let conformed = conform(&batch, &current, Table::Spend, Path::new("old.parquet")).unwrap();
        let text = |i: usize| {
            let column = conformed.column(i).as_string::<i32>();
            (0..2).map(|r| column.is_valid(r).then(|| column.value(r).to_string())).collect::<Vec<_>>()
        };
        assert_eq!(text(0), [Some("SC : Equipment".to_string()), Some("Caterers".to_string())]);
        assert_eq!(text(1), [Some("321311".to_string()), None]);
        assert_eq!(conformed.column(2).null_count(), 2, "the harmonised category is derived, not copied");
        assert_eq!(conformed.column(3).null_count(), 2);
        // A current file keeps its own columns as they are.
        let again = conform(&conformed, &current, Table::Spend, Path::new("new.parquet")).unwrap();
        assert_eq!(again, conformed);

        let mut upgraded = Upgraded::default();
        note_columns(&batch, &current, Table::Spend, &mut upgraded);
        assert_eq!(
            upgraded.renamed.iter().map(String::as_str).collect::<Vec<_>>(),
            ["spend.category → published_category", "spend.category_code → published_category_code"]
        );
        assert_eq!(
            upgraded.added.iter().map(String::as_str).collect::<Vec<_>>(),
            ["spend.category", "spend.category_code"]
        );
        assert!(upgraded.dropped.is_empty(), "{:?}", upgraded.dropped);
    }

    #[test]
    fn a_format_3_contracts_category_becomes_the_published_one() {
        use crate::schema::contracts;
        let stored = Schema::new(vec![
            Field::new("category", DataType::Utf8, true),
            Field::new("category_code", DataType::Utf8, true),
        ]);
        let batch = RecordBatch::try_new(
            Arc::new(stored),
            vec![Arc::new(StringArray::from(vec![Some("Surveys")])), Arc::new(StringArray::from(vec![Some("231810")]))],
        )
        .unwrap();
        let current = Arc::new(Schema::new(vec![
            Field::new(contracts::PUBLISHED_CATEGORY, DataType::Utf8, true),
            Field::new(contracts::PUBLISHED_CATEGORY_CODE, DataType::Utf8, true),
            Field::new(contracts::CATEGORY, DataType::Utf8, true),
            Field::new(contracts::CATEGORY_GROUP, DataType::Utf8, true),
        ]));
        let conformed = conform(&batch, &current, Table::Contracts, Path::new("register.parquet")).unwrap();
        assert_eq!(conformed.column(0).as_string::<i32>().value(0), "Surveys");
        assert_eq!(conformed.column(1).as_string::<i32>().value(0), "231810");
        assert_eq!(conformed.column(2).null_count(), 1, "the harmonised category is derived, not copied");
        assert_eq!(conformed.column(3).null_count(), 1);
        // A current register keeps its own columns as they are.
        assert_eq!(conform(&conformed, &current, Table::Contracts, Path::new("new.parquet")).unwrap(), conformed);
        let mut upgraded = Upgraded::default();
        note_columns(&batch, &current, Table::Contracts, &mut upgraded);
        assert_eq!(
            upgraded.renamed.iter().map(String::as_str).collect::<Vec<_>>(),
            ["contracts.category → published_category", "contracts.category_code → published_category_code"]
        );
    }

    #[test]
    fn stored_rows_take_the_current_schema_by_name() {
        // An old file: a few columns, in another order, text as a view, one column since dropped.
        let stored = Schema::new(vec![
            Field::new(spend::AMOUNT, MONEY, false),
            Field::new(spend::COUNCIL, DataType::Utf8View, false),
            Field::new("retired_column", DataType::Utf8, true),
        ]);
        let amounts = Decimal128Array::from(vec![12_345, -500]).with_precision_and_scale(18, 2).unwrap();
        let batch = RecordBatch::try_new(
            Arc::new(stored),
            vec![
                Arc::new(amounts),
                Arc::new(StringViewArray::from(vec!["Trafford", "Salford"])),
                Arc::new(StringArray::from(vec![Some("x"), None])),
            ],
        )
        .unwrap();
        let schema = Table::Spend.schema();
        // payment_date and the other required columns are missing: refused, not guessed.
        let err = conform(&batch, &schema, Table::Spend, Path::new("old.parquet")).unwrap_err();
        assert!(err.message.contains("payment_date"), "{}", err.message);

        let loose = Arc::new(Schema::new(vec![
            Field::new(spend::COUNCIL, DataType::Utf8, false),
            Field::new(spend::AMOUNT, MONEY, false),
            Field::new(spend::SUPPLIER_NAME, DataType::Utf8, true),
        ]));
        let conformed = conform(&batch, &loose, Table::Spend, Path::new("old.parquet")).unwrap();
        assert_eq!(conformed.schema(), loose);
        assert_eq!(conformed.column(0).as_string::<i32>().value(1), "Salford");
        assert_eq!(conformed.column(1).as_primitive::<Decimal128Type>().values().to_vec(), vec![12_345, -500]);
        assert_eq!(conformed.column(2).null_count(), 2);
    }
}
