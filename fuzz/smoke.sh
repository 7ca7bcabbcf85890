#!/usr/bin/env bash
# Fuzz smoke runs: builds every target (build.sh), writes the seed corpora (seeds.py: tests/fixtures,
# simulator answers, hand-made samples), then runs each target for FUZZ_SECONDS (5)
# seconds. Any crash, panic, timeout or memory blow-up fails the step and leaves its input under
# fuzz/artifacts/<target>/. Longer runs: FUZZ_SECONDS=600 FUZZ_TARGETS="isapi_xml" fuzz/smoke.sh
set -euo pipefail
cd "$(dirname "$0")"
FUZZ=$(pwd)
ROOT=$(cd .. && pwd)
SECONDS_EACH=${FUZZ_SECONDS:-5}
TARGETS=${FUZZ_TARGETS:-"isapi_xml status_json www_authenticate session_cap sadp_xml sadp_binary reset_files label_qr decode_any"}
t0=$SECONDS

if ! command -v c++ >/dev/null 2>&1; then
  echo "fuzz: a C++ compiler is needed to build libFuzzer; installing g++"
  apt-get install -y -q g++ >/dev/null
fi
BIN=$(FUZZ_QUIET=1 ./build.sh | tail -n 1)
echo "fuzz: targets built in $((SECONDS - t0)) s"

SIM="$ROOT/target/debug/hikproto-sim"
if [ ! -x "$SIM" ]; then
  (cd "$ROOT" && cargo build --quiet --locked -p hikproto-sim --bin hikproto-sim) || {
    echo "fuzz: the simulator (seed source) did not build"; exit 1; }
fi
FIXTURES=${HIKPROTO_FIXTURES:-$ROOT/tests/fixtures}
python3 "$FUZZ/seeds.py" "$FUZZ/corpus" "$FIXTURES" "$SIM"

failed=0
for t in $TARGETS; do
  mkdir -p "$FUZZ/artifacts/$t"
  log="$FUZZ/artifacts/$t.log"
  # -rss_limit_mb bounds memory, -timeout catches hangs (seconds per input).
  if "$BIN/$t" "$FUZZ/corpus/$t" -max_total_time="$SECONDS_EACH" -rss_limit_mb=1024 -timeout=10 \
      -max_len=65536 -print_final_stats=1 -artifact_prefix="$FUZZ/artifacts/$t/" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz: $t ok, ${runs:-?} executions in ${SECONDS_EACH} s"
  else
    failed=$((failed + 1))
    echo "fuzz: $t FAILED; see $log and $FUZZ/artifacts/$t/"
    grep -m 20 -E "panicked|ERROR|SUMMARY|artifact" "$log" || tail -n 20 "$log"
  fi
done
n=$(wc -w <<<"$TARGETS")
echo "fuzz: done in $((SECONDS - t0)) s"
echo "fuzz: $((n - failed)) passed, $failed failed (targets, ${SECONDS_EACH} s each)"
[ "$failed" -eq 0 ]
