#!/usr/bin/env python3
"""Time each example query three ways over the same Parquet files:

  * SpendQL through `spendql query` (engine time: parse + resolve + plan + run),
  * the same question as hand-written SQL through `spendql sql` (DataFusion, same session setup),
  * the same SQL in DuckDB (in process, over a glob of the same Parquet files).

Engine-side times are read from `--timing` (printed on stderr), so process start-up is excluded
on both sides, as it is for DuckDB in process. Medians of --runs runs; ratios are SpendQL/SQL
and SpendQL/DuckDB measured in the same run.

usage: queries.py SPENDQL_BINARY DATASET_DIR [--runs N] [--markdown]
"""
import re
import statistics
import subprocess
import sys
import time

import duckdb

FY = ("CASE WHEN month(payment_date) >= 4 THEN year(payment_date) ELSE year(payment_date) - 1 END")
DF_FY = ("CASE WHEN CAST(date_part('month', payment_date) AS BIGINT) >= 4 THEN CAST(date_part('year', payment_date) AS BIGINT) "
         "ELSE CAST(date_part('year', payment_date) AS BIGINT) - 1 END")

NAMES = ("WITH names AS (SELECT supplier_key, supplier_name, row_number() OVER (PARTITION BY supplier_key "
         "ORDER BY count(*) DESC, supplier_name) AS rn FROM spend GROUP BY supplier_key, supplier_name) ")

# (label, SpendQL, DataFusion SQL, DuckDB SQL). Each SQL pair asks the same question as the DSL.
QUERIES = [
    ("spend by council", "spend by council",
     "SELECT council, sum(amount) AS spend FROM spend GROUP BY council ORDER BY spend DESC, council",
     "SELECT council, sum(amount) AS spend FROM spend GROUP BY council ORDER BY spend DESC, council"),
    ("spend, transactions, suppliers by council, fy", "spend, transactions, suppliers by council, fy",
     f"SELECT council, {DF_FY} AS fy, sum(amount), count(*), count(DISTINCT supplier_key) FROM spend GROUP BY 1, 2 ORDER BY 1, 2",
     f"SELECT council, {FY} AS fy, sum(amount), count(*), count(DISTINCT supplier_key) FROM spend GROUP BY 1, 2 ORDER BY 1, 2"),
    ("top 10 suppliers in Trafford FY2022/23",
     'top 10 suppliers by spend where council = "Trafford" and fy = FY2022/23',
     NAMES + ", totals AS (SELECT supplier_key, sum(amount) AS s FROM spend WHERE council = 'Trafford' AND payment_date >= DATE '2022-04-01' "
     "AND payment_date < DATE '2023-04-01' GROUP BY supplier_key ORDER BY s DESC LIMIT 10) "
     "SELECT n.supplier_name, t.s FROM totals t LEFT JOIN names n ON n.supplier_key = t.supplier_key AND n.rn = 1 ORDER BY t.s DESC",
     NAMES + ", totals AS (SELECT supplier_key, sum(amount) AS s FROM spend WHERE council = 'Trafford' AND payment_date >= DATE '2022-04-01' "
     "AND payment_date < DATE '2023-04-01' GROUP BY supplier_key ORDER BY s DESC LIMIT 10) "
     "SELECT n.supplier_name, t.s FROM totals t LEFT JOIN names n ON n.supplier_key = t.supplier_key AND n.rn = 1 ORDER BY t.s DESC"),
    ("spend by month, one council, half a year",
     'spend by month where council = "Rochdale" and date between 2022-04-01 and 2022-09-30',
     "SELECT to_char(payment_date, '%Y-%m') AS m, sum(amount) FROM spend WHERE council = 'Rochdale' "
     "AND payment_date BETWEEN DATE '2022-04-01' AND DATE '2022-09-30' GROUP BY 1 ORDER BY 1",
     "SELECT strftime(payment_date, '%Y-%m') AS m, sum(amount) FROM spend WHERE council = 'Rochdale' "
     "AND payment_date BETWEEN DATE '2022-04-01' AND DATE '2022-09-30' GROUP BY 1 ORDER BY 1"),
    ("spend by category where supplier ~ text", 'spend by category where supplier ~ "construction"',
     "SELECT category, sum(amount) AS s FROM spend WHERE strpos(lower(supplier_name), 'construction') > 0 GROUP BY 1 ORDER BY s DESC, 1",
     "SELECT category, sum(amount) AS s FROM spend WHERE contains(lower(supplier_name), 'construction') GROUP BY 1 ORDER BY s DESC, 1"),
    ("spend share by category within council", "spend share by category within council",
     "SELECT council, category, CAST(s AS DOUBLE) * 100 / sum(CAST(s AS DOUBLE)) OVER (PARTITION BY council) FROM "
     "(SELECT council, category, sum(amount) AS s FROM spend GROUP BY 1, 2) ORDER BY 1, 2",
     "SELECT council, category, CAST(s AS DOUBLE) * 100 / sum(CAST(s AS DOUBLE)) OVER (PARTITION BY council) FROM "
     "(SELECT council, category, sum(amount) AS s FROM spend GROUP BY 1, 2) ORDER BY 1, 2"),
    ("compare two financial years", "spend by council compare FY2022/23 with FY2021/22",
     "SELECT council, a, b, coalesce(a, 0) - coalesce(b, 0), (CAST(coalesce(a, 0) AS DOUBLE) - CAST(b AS DOUBLE)) * 100 / nullif(CAST(b AS DOUBLE), 0) FROM "
     "(SELECT council, sum(amount) FILTER (WHERE payment_date >= DATE '2022-04-01' AND payment_date < DATE '2023-04-01') AS a, "
     "sum(amount) FILTER (WHERE payment_date >= DATE '2021-04-01' AND payment_date < DATE '2022-04-01') AS b FROM spend "
     "WHERE payment_date >= DATE '2021-04-01' AND payment_date < DATE '2023-04-01' GROUP BY council) ORDER BY council",
     "SELECT council, a, b, coalesce(a, 0) - coalesce(b, 0), (CAST(coalesce(a, 0) AS DOUBLE) - CAST(b AS DOUBLE)) * 100 / nullif(CAST(b AS DOUBLE), 0) FROM "
     "(SELECT council, sum(amount) FILTER (WHERE payment_date >= DATE '2022-04-01' AND payment_date < DATE '2023-04-01') AS a, "
     "sum(amount) FILTER (WHERE payment_date >= DATE '2021-04-01' AND payment_date < DATE '2022-04-01') AS b FROM spend "
     "WHERE payment_date >= DATE '2021-04-01' AND payment_date < DATE '2023-04-01' GROUP BY council) ORDER BY council"),
    ("spend by category across council", "spend by category across council",
     "SELECT category, sum(amount) FILTER (WHERE council = 'Rochdale'), sum(amount) FILTER (WHERE council = 'Stockport'), "
     "sum(amount) FILTER (WHERE council = 'Trafford'), sum(amount) FROM spend GROUP BY category ORDER BY category",
     "SELECT category, sum(amount) FILTER (WHERE council = 'Rochdale'), sum(amount) FILTER (WHERE council = 'Stockport'), "
     "sum(amount) FILTER (WHERE council = 'Trafford'), sum(amount) FROM spend GROUP BY category ORDER BY category"),
    ("large payments by supplier, not redacted",
     "spend by supplier where amount >= £25k and not redacted order by spend desc limit 20",
     NAMES + ", totals AS (SELECT supplier_key, sum(amount) AS s FROM spend WHERE amount >= 25000 AND NOT redacted "
     "GROUP BY supplier_key ORDER BY s DESC LIMIT 20) SELECT n.supplier_name, t.s FROM totals t LEFT JOIN names n "
     "ON n.supplier_key = t.supplier_key AND n.rn = 1 ORDER BY t.s DESC",
     NAMES + ", totals AS (SELECT supplier_key, sum(amount) AS s FROM spend WHERE amount >= 25000 AND NOT redacted "
     "GROUP BY supplier_key ORDER BY s DESC LIMIT 20) SELECT n.supplier_name, t.s FROM totals t LEFT JOIN names n "
     "ON n.supplier_key = t.supplier_key AND n.rn = 1 ORDER BY t.s DESC"),
    ("transactions, average payment by department, last 3 months",
     "transactions, average payment by department where date in last 3 months",
     "SELECT department, count(*), CAST(avg(amount) AS DECIMAL(18,2)) FROM spend WHERE payment_date >= DATE '{last3}' "
     "AND payment_date <= DATE '{asof}' GROUP BY 1 ORDER BY 2 DESC, 1",
     "SELECT department, count(*), CAST(avg(amount) AS DECIMAL(18,2)) FROM spend WHERE payment_date >= DATE '{last3}' "
     "AND payment_date <= DATE '{asof}' GROUP BY 1 ORDER BY 2 DESC, 1"),
    ("spend card by council, quarter", "spend card by council, quarter",
     "SELECT council, concat(CAST(CAST(date_part('year', payment_date) AS BIGINT) AS VARCHAR), ' Q', "
     "CAST(CAST(date_part('quarter', payment_date) AS BIGINT) AS VARCHAR)) AS q, sum(amount) "
     "FROM spend WHERE is_card GROUP BY 1, 2 ORDER BY 1, 2",
     "SELECT council, concat(CAST(year(payment_date) AS VARCHAR), ' Q', CAST(quarter(payment_date) AS VARCHAR)) AS q, "
     "sum(amount) FROM spend WHERE is_card GROUP BY 1, 2 ORDER BY 1, 2"),
    ("spend off-contract by council, category in a year", "spend off-contract by council, category where year = 2022",
     "SELECT council, category, sum(amount) AS s FROM spend WHERE contract_id IS NULL AND NOT redacted "
     "AND payment_date >= DATE '2022-01-01' AND payment_date < DATE '2023-01-01' GROUP BY 1, 2 ORDER BY 1, 2",
     "SELECT council, category, sum(amount) AS s FROM spend WHERE contract_id IS NULL AND NOT redacted "
     "AND payment_date >= DATE '2022-01-01' AND payment_date < DATE '2023-01-01' GROUP BY 1, 2 ORDER BY 1, 2"),
]

TIME = re.compile(r"Time: ([0-9.]+)s")


def spendql_time(binary, dataset, args):
    out = subprocess.run([binary, "--dataset", dataset, *args, "--timing", "--format", "csv"],
                         capture_output=True, text=True, check=True)
    m = TIME.search(out.stderr)
    if not m:
        sys.exit(f"no timing in stderr of {args}: {out.stderr}")
    return float(m.group(1))


CONFIGS = [
    ("partitions=4, pushdown on (default on 2 cores)", {}),
    ("partitions=4, pushdown off", {"SPENDQL_PUSHDOWN_FILTERS": "0"}),
    ("partitions=2, pushdown on", {"SPENDQL_TARGET_PARTITIONS": "2"}),
    ("partitions=8, pushdown on", {"SPENDQL_TARGET_PARTITIONS": "8"}),
]


def compare_configs(binary, dataset, runs, asof, last3):
    """Median SpendQL time per query under each session setting, and the geometric mean ratio
    against the default, so the default is chosen by measurement."""
    import math, os
    base_env = dict(os.environ)
    results = {}
    for name, extra in CONFIGS:
        os.environ.clear()
        os.environ.update(base_env)
        os.environ.update(extra)
        times = []
        for label, dsl, _, _ in QUERIES:
            spendql_time(binary, dataset, ["query", dsl])
            times.append(statistics.median(spendql_time(binary, dataset, ["query", dsl]) for _ in range(runs)))
        results[name] = times
    os.environ.clear()
    os.environ.update(base_env)
    default = results[CONFIGS[0][0]]
    print("\n| session setting | " + " | ".join(q[0] for q in QUERIES) + " | geomean vs default |")
    print("|---|" + "---:|" * (len(QUERIES) + 1))
    for name, times in results.items():
        geo = math.exp(sum(math.log(t / d) for t, d in zip(times, default)) / len(times))
        print(f"| {name} | " + " | ".join(f"{t*1000:.0f}" for t in times) + f" | {geo:.2f} |")


def main():
    binary, dataset = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 5
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.execute(f"CREATE VIEW spend AS SELECT * FROM read_parquet('{dataset}/spend/**/*.parquet')")
    asof = con.execute("SELECT max(payment_date) FROM spend").fetchone()[0]
    start = asof.replace(day=1)
    month = start.month - 2
    year = start.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    last3 = start.replace(year=year, month=month)
    rows = []
    for label, dsl, df_sql, duck_sql in QUERIES:
        df_sql = df_sql.format(asof=asof, last3=last3)
        duck_sql = duck_sql.format(asof=asof, last3=last3)
        spendql_time(binary, dataset, ["query", dsl])  # warm the file cache
        dsl_t = statistics.median(spendql_time(binary, dataset, ["query", dsl]) for _ in range(runs))
        sql_t = statistics.median(spendql_time(binary, dataset, ["sql", df_sql]) for _ in range(runs))
        con.execute(duck_sql).fetchall()
        duck = []
        for _ in range(runs):
            t0 = time.perf_counter()
            con.execute(duck_sql).fetchall()
            duck.append(time.perf_counter() - t0)
        duck_t = statistics.median(duck)
        rows.append((label, dsl_t, sql_t, duck_t))
        print(f"{label:55} spendql {dsl_t*1000:8.1f} ms  sql {sql_t*1000:8.1f} ms  duckdb {duck_t*1000:8.1f} ms  "
              f"dsl/sql {dsl_t/sql_t:5.2f}  dsl/duckdb {dsl_t/duck_t:5.2f}", flush=True)
    if "--configs" in sys.argv:
        compare_configs(binary, dataset, runs, asof, last3)
    if "--markdown" in sys.argv:
        print("\n| query | SpendQL (ms) | DataFusion SQL (ms) | DuckDB (ms) | SpendQL / SQL | SpendQL / DuckDB |")
        print("|---|---:|---:|---:|---:|---:|")
        for label, a, b, c in rows:
            print(f"| {label} | {a*1000:.1f} | {b*1000:.1f} | {c*1000:.1f} | {a/b:.2f} | {a/c:.2f} |")


if __name__ == "__main__":
    main()
