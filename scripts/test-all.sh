#!/usr/bin/env bash
# The one test command: everything CI checks, from a clean checkout.
#   fmt, clippy -D warnings, cargo test, rustdoc -D warnings, the C suite, the Python suite, fuzz smoke runs.
# Installs what it needs itself (a Python venv with maturin and pytest under .venv/).
# Exits non-zero when any step fails; prints a summary line per step and a closing "N passed, M failed".
set -u -o pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
export RUST_BACKTRACE=1
passed=0; failed=0; failed_steps=()

step() {
  local name=$1; shift
  local t0=$SECONDS
  echo "::: $name"
  if "$@"; then
    passed=$((passed + 1)); echo "::: $name ok ($((SECONDS - t0)) s)"
  else
    failed=$((failed + 1)); failed_steps+=("$name"); echo "::: $name FAILED ($((SECONDS - t0)) s)"
  fi
}

python_env() {
  local venv="$ROOT/.venv"
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" || return 1
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$ROOT/scripts/requirements-test.txt"
}

python_suite() {
  local venv="$ROOT/.venv"
  rm -rf "$ROOT/target/wheels"
  (cd "$ROOT/hikproto-py" && "$venv/bin/maturin" build --release --locked --out "$ROOT/target/wheels" --quiet) || return 1
  "$venv/bin/pip" install --quiet --force-reinstall --no-deps "$ROOT"/target/wheels/*.whl || return 1
  (cd "$ROOT" && "$venv/bin/python" -m pytest -q -p no:cacheprovider "$ROOT/hikproto-py/tests" "$ROOT/hikproto-sim/tests")
}

c_suite() {
  bash "$ROOT/hikproto-ffi/tests/run-c-tests.sh"
}

fuzz_smoke() {
  bash "$ROOT/fuzz/smoke.sh"
}

# The real device responses the tests read in place: HIKPROTO_FIXTURES, or the first
# shared/fixtures found walking up from the checkout (../shared/fixtures beside it). Found once here
# and exported, so every step reads the same folder; without it the run stops at once.
find_fixtures() {
  if [ -n "${HIKPROTO_FIXTURES:-}" ]; then
    [ -d "$HIKPROTO_FIXTURES/real-devices" ] && return 0
    echo "HIKPROTO_FIXTURES=$HIKPROTO_FIXTURES holds no real-devices/ folder"
    return 1
  fi
  local d=$ROOT
  while :; do
    if [ -d "$d/shared/fixtures/real-devices" ]; then
      export HIKPROTO_FIXTURES="$d/shared/fixtures"
      return 0
    fi
    [ "$d" = / ] && break
    d=$(dirname "$d")
  done
  echo "device fixtures not found above $ROOT: place the checkout beside shared/ (shared/fixtures)"
  echo "or set HIKPROTO_FIXTURES to the shared/fixtures folder"
  return 1
}
if ! find_fixtures; then
  echo "steps: 0 passed, 1 failed (no fixtures)"
  exit 2
fi
echo "::: fixtures: $HIKPROTO_FIXTURES"

step "cargo fmt --check" cargo fmt --all -- --check
step "cargo clippy -D warnings" cargo clippy --workspace --all-targets --locked -- -D warnings
step "cargo test" cargo test --workspace --locked
step "cargo doc -D warnings" env RUSTDOCFLAGS=-Dwarnings cargo doc --workspace --no-deps --locked --quiet
step "C suite (plain, valgrind, ASan)" c_suite
step "python venv" python_env
step "Python suite" python_suite
step "fuzz smoke runs" fuzz_smoke

echo
if [ "$failed" -ne 0 ]; then
  echo "failed steps: ${failed_steps[*]}"
fi
echo "steps: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
