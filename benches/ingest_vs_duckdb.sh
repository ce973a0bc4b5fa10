#!/usr/bin/env bash
# spendql ingest vs DuckDB's CSV -> Parquet on the same Trafford-layout CSV.
#
#   benches/ingest_vs_duckdb.sh [ROWS]        (default 10,000,000)
#
# Builds spendql in release mode, makes a venv with duckdb, generates the CSV (with
# `spendql generate` when that subcommand works, else a small Python generator below),
# then times each tool three times and reports the median, rows/s, the ratio and the
# peak RSS (from /usr/bin/time -v). Work files go to bench-data/ (git-ignored).
set -euo pipefail

ROWS="${1:-10000000}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$ROOT/bench-data/ingest"
VENV="$ROOT/bench-data/venv"
CSV="$WORK/trafford-$ROWS.csv"
mkdir -p "$WORK"

if [ ! -x /usr/bin/time ]; then
  echo "needs /usr/bin/time (GNU time) for peak RSS: apt-get install time" >&2
  exit 1
fi

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet duckdb
fi

(cd "$ROOT" && cargo build --release --quiet)
SPENDQL="${CARGO_TARGET_DIR:-$ROOT/target}/release/spendql"

if [ ! -s "$CSV" ]; then
  GEN="$WORK/generated"
  rm -rf "$GEN"
  if "$SPENDQL" generate --out "$GEN" --rows "$ROWS" >/dev/null 2>&1 \
      && FOUND="$(find "$GEN" -iname '*trafford*spend*.csv' | head -n 1)" && [ -n "$FOUND" ]; then
    mv "$FOUND" "$CSV"
  else
    echo "generating $ROWS rows with the built-in Python generator" >&2
    "$VENV/bin/python" - "$CSV" "$ROWS" <<'PY'
import random, sys, datetime
path, rows = sys.argv[1], int(sys.argv[2])
rng = random.Random(2015)
suppliers = [f"Supplier {i} Ltd" for i in range(5000)] + ["Redacted"] * 500
units = [f"UNIT {i}" for i in range(800)]
start = datetime.date(2024, 4, 1)
header = ("OrganisationLabel,OrganisationURI,EffectiveDate,OrganisationalUnit,BeneficiaryName,BeneficiaryOtherID,"
          "PaymentDate,TransactionNumber,Amount,IrrecoverableVATAmount,Purpose,ProclassLabel,ProclassCode,"
          "InvoiceNumber,ProfitCentre,VATRegistrationNumber\n")
uri = "https://opendatacommunities.org/id/metropolitan-district-council/trafford"
with open(path, "w", newline="") as out:
    out.write(header)
    lines = []
    for i in range(rows):
        day = start + datetime.timedelta(days=(i * 365) // rows)
        supplier = rng.choice(suppliers)
        pence = int(rng.lognormvariate(9, 1.5)) * (-1 if rng.random() < 0.03 else 1)
        amount = f"{'-' if pence < 0 else ''}{abs(pence) // 100}.{abs(pence) % 100:02d}"
        lines.append(f"Trafford Council,{uri},{day:%Y-%m}-28,{rng.choice(units)},{supplier},{rng.randint(1000, 200000)},"
                     f"{day.isoformat()},{5100000000 + i},{amount},0.00,PAYMENT FOR SERVICES {i % 97},"
                     f"SOCIAL CARE : Adult,{321000 + i % 200},{1000000 + i},{150000 + i % 900},NA\n")
        if len(lines) == 100000:
            out.writelines(lines)
            lines = []
    out.writelines(lines)
PY
  fi
fi

SIZE_MB=$(( $(stat -c %s "$CSV") / 1048576 ))
echo "input: $CSV ($ROWS rows, ${SIZE_MB} MB)"

# run LABEL COMMAND...: three timed runs; prints "seconds peak_kb" of the median run.
run() {
  local label="$1"; shift
  local results=()
  for i in 1 2 3; do
    local log="$WORK/$label-$i.time"
    /usr/bin/time -v -o "$log" "$@" >/dev/null 2>"$WORK/$label-$i.err" || {
      echo "$label run $i failed:" >&2; cat "$WORK/$label-$i.err" >&2; exit 1; }
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log" \
      | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    results+=("$wall $rss")
  done
  printf '%s\n' "${results[@]}" | sort -n | sed -n 2p
}

spendql_once() {
  rm -rf "$WORK/dataset"
  "$SPENDQL" ingest --dataset "$WORK/dataset" --council Trafford "$CSV"
}
export -f spendql_once
export SPENDQL WORK CSV

read -r S_SECS S_RSS < <(run spendql bash -c spendql_once)
read -r D_SECS D_RSS < <(run duckdb "$VENV/bin/python" -c "
import duckdb, sys
duckdb.sql(\"COPY (SELECT * FROM read_csv('$CSV')) TO '$WORK/duckdb.parquet' (FORMAT parquet)\")
")

awk -v rows="$ROWS" -v s="$S_SECS" -v d="$D_SECS" -v srss="$S_RSS" -v drss="$D_RSS" 'BEGIN {
  printf "spendql ingest : %8.2f s  %12.0f rows/s  peak RSS %6.0f MB\n", s, rows / s, srss / 1024
  printf "duckdb COPY    : %8.2f s  %12.0f rows/s  peak RSS %6.0f MB\n", d, rows / d, drss / 1024
  printf "ratio (spendql time / duckdb time, target <= 1.0): %.2f\n", s / d
}'
