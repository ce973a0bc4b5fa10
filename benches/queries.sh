#!/usr/bin/env bash
# End-to-end query benchmark: SpendQL vs hand-written SQL in DataFusion vs DuckDB, over a
# synthetic dataset of ROWS spend rows (default 10 million). Not part of CI.
#   benches/queries.sh [ROWS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-10000000}
RUNS=${2:-5}
WORK=${BENCH_DIR:-bench-data}
mkdir -p "$WORK"
if [ ! -x "$WORK/venv/bin/python" ]; then
    python3 -m venv "$WORK/venv"
    "$WORK/venv/bin/pip" install --quiet duckdb
fi
cargo build --release --locked
BIN=${CARGO_TARGET_DIR:-target}/release/spendql
if [ ! -f "$WORK/data-$ROWS/.done" ]; then
    rm -rf "$WORK/data-$ROWS" "$WORK/files-$ROWS"
    "$BIN" generate --out "$WORK/files-$ROWS" --rows "$ROWS" --seed 7
    for council in Stockport Trafford Rochdale; do
        dir="$WORK/files-$ROWS/$(echo "$council" | tr '[:upper:]' '[:lower:]')"
        spend=$(ls "$dir"/* | grep -viE 'card|gpc|contracts')
        card=$(ls "$dir"/* | grep -iE 'card|gpc')
        contracts=$(ls "$dir"/* | grep -iE 'contracts')
        "$BIN" --dataset "$WORK/data-$ROWS" ingest --council "$council" --kind spend $spend
        "$BIN" --dataset "$WORK/data-$ROWS" ingest --council "$council" --kind card $card
        "$BIN" --dataset "$WORK/data-$ROWS" ingest --council "$council" --kind contracts $contracts
    done
    touch "$WORK/data-$ROWS/.done"
fi
"$WORK/venv/bin/python" benches/queries.py "$BIN" "$WORK/data-$ROWS" --runs "$RUNS" --markdown ${CONFIGS:+--configs}
