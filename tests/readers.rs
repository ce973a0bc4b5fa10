//! Issue 10: the dataset is an interface other teams read directly. pandas, pyarrow
//! (`read_table`, and `dataset` with hive partitioning), Polars and DuckDB read every table
//! folder with no options, and see the same columns, rows and money, to the penny and as
//! decimals, as `spendql sql`. The readers run in `tests/readers.py`; which tables, which
//! columns are money and what spendql says all come from here, from `schema::Table`, so a
//! table or column added later is checked without touching this file.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use spendql::schema::{self, Table};

use crate::support::{self, csv_rows, run_ok};

/// How each reader names `Decimal128(18,2)`; `tests/readers.py` names the readers. pandas
/// has no decimal dtype: the script says `decimal.Decimal` when every value is one.
const MONEY_TYPES: [(&str, &str); 6] = [
    ("pandas.read_parquet", "decimal.Decimal"),
    ("pyarrow.parquet.read_table", "decimal128(18, 2)"),
    ("pyarrow.dataset(hive)", "decimal128(18, 2)"),
    ("polars.read_parquet", "Decimal(precision=18, scale=2)"),
    ("polars.scan_parquet(glob)", "Decimal(precision=18, scale=2)"),
    ("duckdb.read_parquet(glob)", "DECIMAL(18,2)"),
];

/// The column a table's rows are totalled by, when it has one.
const GROUP: &str = "council";

fn quoted(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

fn money_columns(table: Table) -> Vec<String> {
    table.schema().fields().iter().filter(|f| f.data_type() == &schema::MONEY).map(|f| f.name().clone()).collect()
}

fn has_group(table: Table) -> bool {
    table.schema().field_with_name(GROUP).is_ok()
}

/// Per council (or `*` for a table without one): rows, and the sum of every money column
/// as decimal text (empty: no values).
type Groups = BTreeMap<String, (u64, Vec<String>)>;

/// What `spendql sql` says of `table`: its columns, and its [`Groups`].
fn spendql_view(dataset: &Path, table: Table) -> (Vec<String>, Groups) {
    let header =
        run_ok(dataset, &["sql", "--format", "csv", &format!("SELECT * FROM {} LIMIT 0", quoted(table.name()))]);
    let columns = csv_rows(&header).into_iter().next().expect("a header row");
    let money = money_columns(table);
    let sums: Vec<String> = money.iter().map(|c| format!("SUM({}) AS {}", quoted(c), quoted(c))).collect();
    let (key, group_by) = if has_group(table) {
        (quoted(GROUP), format!(" GROUP BY {}", quoted(GROUP)))
    } else {
        ("'*'".into(), String::new())
    };
    let select = [format!("{key} AS group_key"), "COUNT(*) AS row_count".to_string()].into_iter().chain(sums);
    let sql = format!("SELECT {} FROM {}{group_by}", select.collect::<Vec<_>>().join(", "), quoted(table.name()));
    let rows = csv_rows(&run_ok(dataset, &["sql", "--format", "csv", &sql]));
    let groups =
        rows[1..].iter().map(|r| (r[0].clone(), (r[1].parse::<u64>().expect("a count"), r[2..].to_vec()))).collect();
    (columns, groups)
}

/// Run every reader of `tests/readers.py` over every table `dataset` holds and compare each
/// with `spendql sql`. Skips (visibly; fails under CI) without the Python readers.
pub fn assert_readers_agree(test: &str, dataset: &Path) {
    let Some(python) = support::python_readers(test) else { return };
    let tables: Vec<Table> = Table::ALL.into_iter().filter(|t| dataset.join(t.name()).is_dir()).collect();
    let spec = serde_json::json!({
        "tables": tables.iter().map(|t| serde_json::json!({
            "name": t.name(),
            "path": dataset.join(t.name()),
            "money": money_columns(*t),
            "group": has_group(*t).then_some(GROUP),
        })).collect::<Vec<_>>(),
    });
    let scratch = tempfile::tempdir().unwrap();
    let spec_path = scratch.path().join("spec.json");
    std::fs::write(&spec_path, spec.to_string()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/readers.py");
    let output = std::process::Command::new(&python).arg(&script).arg(&spec_path).output().expect("python runs");
    assert!(output.status.success(), "{} failed:\n{}", script.display(), support::stderr(&output));
    let seen: Value = serde_json::from_slice(&output.stdout).expect("the script prints JSON");

    let mut wrong = Vec::new();
    for table in &tables {
        let name = table.name();
        let schema_columns: Vec<String> = table.schema().fields().iter().map(|f| f.name().clone()).collect();
        let (columns, groups) = spendql_view(dataset, *table);
        assert_eq!(columns, schema_columns, "spendql sql's columns of {name} are the schema's");
        assert!(!groups.is_empty(), "{name} has rows to compare");
        let money = money_columns(*table);
        for (reader, money_type) in MONEY_TYPES {
            let view = &seen[reader][name];
            if let Some(error) = view.get("error") {
                wrong.push(format!("{reader} cannot read {name}: {error}"));
                continue;
            }
            let theirs: Vec<&str> = view["columns"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
            if theirs != schema_columns {
                wrong.push(format!("{reader} {name}: columns {theirs:?}, spendql has {schema_columns:?}"));
            }
            let total: u64 = groups.values().map(|(n, _)| n).sum();
            if view["rows"].as_u64() != Some(total) {
                wrong.push(format!("{reader} {name}: {} rows, spendql has {total}", view["rows"]));
            }
            for column in &money {
                if view["money_types"][column].as_str() != Some(money_type) {
                    wrong.push(format!(
                        "{reader} {name}.{column}: type {}, not {money_type}",
                        view["money_types"][column]
                    ));
                }
            }
            let their_groups = view["groups"].as_object().unwrap();
            if their_groups.len() != groups.len() {
                wrong.push(format!("{reader} {name}: {} groups, spendql has {}", their_groups.len(), groups.len()));
            }
            for (key, (rows, sums)) in &groups {
                let group = &view["groups"][key];
                if group["rows"].as_u64() != Some(*rows) {
                    wrong.push(format!("{reader} {name} {key}: {} rows, spendql has {rows}", group["rows"]));
                }
                for (column, sum) in money.iter().zip(sums) {
                    let theirs = group["sums"][column].as_str().unwrap_or("");
                    if theirs != sum {
                        wrong.push(format!("{reader} {name} {key} sum({column}): {theirs:?}, spendql has {sum:?}"));
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "outside readers disagree with spendql:\n{}", wrong.join("\n"));
}

#[test]
fn issue_10_pandas_pyarrow_polars_and_duckdb_read_every_real_table_as_spendql_does() {
    let test = "issue_10_pandas_pyarrow_polars_and_duckdb_read_every_real_table_as_spendql_does";
    let Some(dataset) = support::real_dataset(test) else { return };
    // The real councils' files hold no metrics (issue 12): every other table is there.
    for table in Table::ALL.into_iter().filter(|t| *t != Table::Metrics) {
        assert!(dataset.join(table.name()).is_dir(), "the real dataset has a {} folder", table.name());
    }
    assert_readers_agree(test, dataset);
}
