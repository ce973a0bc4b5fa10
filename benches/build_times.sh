#!/usr/bin/env bash
# The newcomer's wait: from a fresh clone with an empty cargo target, how long until the
# README's first command (the demo) prints its first result, and how long the README's test
# command takes after it, on this machine.
#
#   benches/build_times.sh [REV]        (default HEAD)
#
# Clones REV into bench-data/build-times/clone (a new clone each run, with its own empty
# target/), then runs, in order and timed from the start of each:
#   1. `cargo run --locked -- demo`: when cargo starts the binary (build done), when the first
#      result table is printed, and when the demo ends;
#   2. `cargo test --locked --no-run`: the extra build the tests need after the demo (tests ready);
#   3. `cargo test --locked`: running the suite (needs ../shared beside the clone: it is linked in).
# The crate registry (~/.cargo/registry) is left warm: downloads are not what is measured.
# Prints the load average before and after; the machine is shared, so run it when it is quiet.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
REV="${1:-HEAD}"
WORK="$ROOT/bench-data/build-times"
CLONE="$WORK/clone"
rm -rf "$CLONE"
mkdir -p "$WORK"
git -C "$ROOT" worktree prune
git clone --quiet --no-local "$ROOT" "$CLONE"
git -C "$CLONE" checkout --quiet "$REV"
# The tests read ../shared relative to the clone.
if [ -d "$ROOT/../shared" ] && [ ! -e "$WORK/shared" ]; then
  ln -s "$(cd "$ROOT/../shared" && pwd)" "$WORK/shared"
fi
unset CARGO_TARGET_DIR

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", b - a }'; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
cd "$CLONE"

# 1. The demo: timestamp every line cargo and the demo print.
start=$(now)
built="" first=""
while IFS= read -r line; do
  t=$(now)
  if [ -z "$built" ] && [[ "$line" == *"Running \`"* ]]; then built=$t; fi
  # The first result: the first table border after the build (comfy-table draws with these).
  if [ -n "$built" ] && [ -z "$first" ] && [[ "$line" =~ ^[[:space:]]*[+│┌╭|] ]]; then first=$t; fi
done < <(cargo run --locked -- --dataset "$WORK/demo-data" demo 2>&1)
end=$(now)
echo "demo: build $(since "$start" "${built:-$end}") s, first result $(since "$start" "${first:-$end}") s, done $(since "$start" "$end") s"

# 2. What the tests compile on top of the demo's build.
start=$(now)
cargo test --locked --no-run --quiet 2>&1 | tail -n 3
ready=$(now)
echo "tests: ready $(since "$start" "$ready") s after the demo"

# 3. The suite itself.
start=$(now)
cargo test --locked 2>&1 | grep -E '^test result:' || true
end=$(now)
echo "tests: ran in $(since "$start" "$end") s"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
