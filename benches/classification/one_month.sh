#!/usr/bin/env bash
# What one new month's spend does to the classification of the rows already in a dataset
# (issue 11, "incremental where it can be"): ingests every real file but Manchester's last
# month, then that month, three times over copies of the same base, timing each; then
# compares every old row's category and source before and after the new month, with the
# rows read out by `spendql sql` and compared here in Python, not by spendql.
#
#   bash benches/classification/one_month.sh [path/to/spendql]
#
# Default binary: target/release/spendql if built, else target/debug/spendql.
set -euo pipefail
cd "$(dirname "$0")/../.."
REAL=../shared/data/real
[ -d "$REAL" ] || { echo "one_month: $REAL is absent; nothing measured"; exit 0; }
BIN=${1:-}
if [ -z "$BIN" ]; then
    if [ -x target/release/spendql ]; then BIN=target/release/spendql; else BIN=target/debug/spendql; fi
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
BASE=$WORK/base
M=$REAL/manchester
NEW=$M/2020-03.csv

"$BIN" ingest --dataset "$BASE" --council Manchester $(ls "$M"/*.csv | grep -v 2020-03.csv) >/dev/null
"$BIN" ingest --dataset "$BASE" --council Salford "$REAL"/salford/20*.csv >/dev/null
"$BIN" ingest --dataset "$BASE" --council Salford --kind contracts "$REAL"/salford/contracts-register-2022-07.csv >/dev/null
"$BIN" ingest --dataset "$BASE" --council Trafford "$REAL"/trafford/trafford-supplier-spend-2024-25.zip >/dev/null

echo "binary: $BIN"
for run in 1 2 3; do
    rm -rf "$WORK/run"
    cp -r "$BASE" "$WORK/run"
    /usr/bin/time -f "run $run: ingest of $(basename "$NEW") %e s, peak %M KB" \
        "$BIN" ingest --dataset "$WORK/run" --council Manchester "$NEW" 2>&1 >"$WORK/report.txt" | tail -1
done
grep -E '^classified' "$WORK/report.txt"
/usr/bin/time -f "classify with nothing to change: %e s, peak %M KB" "$BIN" classify --dataset "$WORK/run" 2>&1 >/dev/null | tail -1

QUERY="select council, source_file, source_row, supplier_name, amount, category, category_source from spend"
"$BIN" sql --dataset "$BASE" "$QUERY" --format csv >"$WORK/before.csv"
"$BIN" sql --dataset "$WORK/run" "$QUERY" --format csv >"$WORK/after.csv"
python3 - "$WORK/before.csv" "$WORK/after.csv" <<'EOF'
import csv, sys
from collections import Counter
from decimal import Decimal

def rows(path):
    return {(r["council"], r["source_file"], r["source_row"]): r for r in csv.DictReader(open(path, newline=""))}

before, after = rows(sys.argv[1]), rows(sys.argv[2])
moved = [(key, before[key], after[key]) for key in before
         if (before[key]["category"], before[key]["category_source"]) != (after[key]["category"], after[key]["category_source"])]
value = sum(abs(Decimal(old["amount"])) for _, old, _ in moved)
files = {key[:2] for key, _, _ in moved}
print(f"old rows: {len(before)}; new rows: {len(after) - len(before)}")
print(f"old rows whose category or source moved: {len(moved)} (£{value:,.2f}), in {len(files)} of "
      f"{len({k[:2] for k in before})} old files")
print("by council:", dict(Counter(key[0] for key, _, _ in moved)))
print("source before -> after:", dict(Counter(f"{o['category_source']}->{n['category_source']}" for _, o, n in moved)))
EOF
