"""Read a spendql dataset's tables as other teams do, with each common Parquet reader and
no options, and print what each reader saw as JSON (tests/readers.rs compares it with
`spendql sql`).

Usage: python readers.py SPEC.json, where SPEC is
  {"tables": [{"name": "spend", "path": "DATA/spend", "money": ["amount", ...],
               "group": "council" or null}, ...]}

Output: {"READER": {"TABLE": {"columns": [...], "rows": N, "money_types": {COL: TYPE},
         "groups": {GROUP: {"rows": N, "sums": {COL: "1234.56" or null}}}}}}

Money is summed here with Python's decimal.Decimal over the values each reader returned, so
a reader that turned money into floats shows up as a wrong type or a wrong penny.
"""

import json
import sys
from decimal import Decimal

import duckdb
import pandas
import polars
import pyarrow.dataset
import pyarrow.parquet

PENNY = Decimal("0.01")


def summarise(columns, rows, money_types, values_of, group):
    """values_of(col) -> list of Python values, one per row, in row order."""
    keys = values_of(group) if group else ["*"] * rows
    groups = {}
    for key in keys:
        groups.setdefault(str(key), {"rows": 0, "sums": {}})["rows"] += 1
    for col in money_types:
        totals = {}
        for key, value in zip(keys, values_of(col)):
            if value is None:
                continue
            if not isinstance(value, Decimal):
                raise SystemExit(f"{col}: a {type(value).__name__}, not a decimal: {value!r}")
            totals[str(key)] = totals.get(str(key), Decimal(0)) + value
        for key, entry in groups.items():
            total = totals.get(key)
            entry["sums"][col] = None if total is None else str(total.quantize(PENNY))
    return {"columns": columns, "rows": rows, "money_types": money_types, "groups": groups}


def with_pandas(table):
    frame = pandas.read_parquet(table["path"])

    def kind(col):
        values = [v for v in frame[col].tolist() if v is not None]
        decimal = str(frame[col].dtype) == "object" and all(isinstance(v, Decimal) for v in values)
        return "decimal.Decimal" if decimal else str(frame[col].dtype)

    money = {col: kind(col) for col in table["money"]}
    return summarise(list(frame.columns), len(frame), money, lambda c: frame[c].tolist(), table["group"])


def with_arrow(arrow_table, table):
    money = {col: str(arrow_table.schema.field(col).type) for col in table["money"]}
    return summarise(
        arrow_table.column_names,
        arrow_table.num_rows,
        money,
        lambda c: arrow_table.column(c).to_pylist(),
        table["group"],
    )


def with_polars(frame, table):
    money = {col: str(frame.schema[col]) for col in table["money"]}
    return summarise(frame.columns, frame.height, money, lambda c: frame[c].to_list(), table["group"])


def with_duckdb(table):
    glob = table["path"].replace("'", "''") + "/**/*.parquet"
    relation = duckdb.sql(f"SELECT * FROM read_parquet('{glob}')")
    types = dict(zip(relation.columns, (str(t) for t in relation.types)))
    money = {col: types[col] for col in table["money"]}
    wanted = ([table["group"]] if table["group"] else []) + table["money"]
    quoted = ", ".join('"' + c.replace('"', '""') + '"' for c in wanted)
    picked = duckdb.sql(f"SELECT {quoted} FROM read_parquet('{glob}')").fetchall() if wanted else []
    rows = duckdb.sql(f"SELECT count(*) FROM read_parquet('{glob}')").fetchall()[0][0]
    index = {c: i for i, c in enumerate(wanted)}
    return summarise(relation.columns, rows, money, lambda c: [r[index[c]] for r in picked], table["group"])


READERS = {
    "pandas.read_parquet": with_pandas,
    "pyarrow.parquet.read_table": lambda t: with_arrow(pyarrow.parquet.read_table(t["path"]), t),
    "pyarrow.dataset(hive)": lambda t: with_arrow(
        pyarrow.dataset.dataset(t["path"], partitioning="hive").to_table(), t
    ),
    "polars.read_parquet": lambda t: with_polars(polars.read_parquet(t["path"]), t),
    "polars.scan_parquet(glob)": lambda t: with_polars(
        polars.scan_parquet(t["path"] + "/**/*.parquet").collect(), t
    ),
    "duckdb.read_parquet(glob)": with_duckdb,
}


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    out = {}
    for reader, read in READERS.items():
        out[reader] = {}
        for table in spec["tables"]:
            try:
                out[reader][table["name"]] = read(table)
            except Exception as e:  # the test prints which reader failed on which table
                out[reader][table["name"]] = {"error": f"{type(e).__name__}: {e}"}
    json.dump(out, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
