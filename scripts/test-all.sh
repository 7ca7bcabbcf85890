#!/usr/bin/env bash
# The one test command: everything CI checks, from a clean checkout.
#   fmt, clippy -D warnings, cargo test, the core without default features, rustdoc -D warnings,
#   the C suite, the Python suite, the Python default build without the simulator, fuzz smoke runs.
# First it checks (and, as root, installs) every tool the steps need, so that a missing piece is named
# once instead of surfacing as a stack of unrelated failures. Installs the Python tools in a venv
# under .venv/. Each step prints what ran ("N passed, M failed, K skipped"); nothing passes by not
# running. Exits non-zero when any step fails; the last line is "steps: N passed, M failed".
set -u -o pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
export RUST_BACKTRACE=1
LOGS="$ROOT/target/test-all"
mkdir -p "$LOGS"
passed=0; failed=0; failed_steps=(); skipped_total=0; skip_reasons=()
COUNTS="$LOGS/counts"

step() {
  local name=$1; shift
  local t0=$SECONDS
  echo "::: $name"
  : >"$COUNTS"
  if "$@"; then
    passed=$((passed + 1)); echo "::: $name ok ($((SECONDS - t0)) s)$(summary)"
  else
    failed=$((failed + 1)); failed_steps+=("$name"); echo "::: $name FAILED ($((SECONDS - t0)) s)$(summary)"
  fi
}

# What the step ran, as it recorded it in $COUNTS.
summary() { [ -s "$COUNTS" ] && printf ': %s' "$(cat "$COUNTS")"; }

skipped() { skipped_total=$((skipped_total + 1)); skip_reasons+=("$1"); echo "SKIPPED: $1"; }

# ---- preflight -----------------------------------------------------------------------------------

# The fixtures are part of the repository; HIKPROTO_FIXTURES may point elsewhere (an override).
FIXTURES=${HIKPROTO_FIXTURES:-$ROOT/tests/fixtures}
if [ ! -d "$FIXTURES/real-devices" ]; then
  echo "device fixtures missing: $FIXTURES holds no real-devices/ folder (the repository carries tests/fixtures/)"
  echo "steps: 0 passed, 1 failed (preflight)"
  exit 2
fi
echo "::: fixtures: $FIXTURES"

preflight_failed=()
need_cmd() { # need_cmd COMMAND DEBIAN-PACKAGE
  command -v "$1" >/dev/null 2>&1 || missing_pkgs+=("$2")
}
missing_pkgs=()
need_cmd cc gcc
need_cmd c++ g++
need_cmd make make
need_cmd valgrind valgrind
need_cmd pkg-config pkg-config
need_cmd cmake cmake
need_cmd timeout coreutils
need_cmd ip iproute2
need_cmd python3 python3
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  missing_pkgs+=(python3-venv)
fi
if [ ${#missing_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "::: installing ${missing_pkgs[*]} (apt-get)"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing_pkgs[@]}" >/dev/null; }; then
      preflight_failed+=("apt-get could not install: ${missing_pkgs[*]} (is the Debian mirror reachable?)")
    fi
  else
    preflight_failed+=("missing tools, install them first (Debian packages): ${missing_pkgs[*]}")
  fi
fi
command -v cargo >/dev/null 2>&1 || preflight_failed+=("cargo is not installed (a Rust toolchain, see rust-toolchain docs)")
if command -v cargo >/dev/null 2>&1; then
  cargo fmt --version >/dev/null 2>&1 || preflight_failed+=("the rustfmt component is missing: rustup component add rustfmt")
  cargo clippy --version >/dev/null 2>&1 || preflight_failed+=("the clippy component is missing: rustup component add clippy")
fi
if [ ${#preflight_failed[@]} -gt 0 ]; then
  printf 'preflight: %s\n' "${preflight_failed[@]}"
  echo "steps: 0 passed, 1 failed (preflight)"
  exit 2
fi

# The SADP multicast test builds a network namespace: as root it must run (a failure otherwise).
if [ "$(id -u)" = 0 ]; then
  export HIKPROTO_REQUIRE_NETNS=1
else
  skipped "SADP multicast discovery in a network namespace: needs root (run the test command as root)"
fi

# ---- steps ---------------------------------------------------------------------------------------

# cargo_tests: the workspace's tests, counted from libtest's "test result" lines.
cargo_tests() {
  local log="$LOGS/cargo-test.log"
  cargo test --workspace --locked --no-fail-fast 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  libtest_counts "cargo test" "$log"
  return "$rc"
}

# libtest_counts NAME LOG: records libtest's "test result" lines of LOG in $COUNTS; ignored tests
# are reported as skipped.
libtest_counts() {
  awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^ignored/) s += $i } }
       END { printf "%d passed, %d failed, %d skipped", p, f, s }' "$2" >"$COUNTS"
  local ignored
  ignored=$(awk '{ print $5 }' "$COUNTS")
  [ "$ignored" = 0 ] || skipped "$1: $ignored ignored test(s), listed in $2"
}

# core_codecs: the core without its network stack (no tokio, reqwest, sockets): it builds, and
# the unit tests of its codecs and models pass.
core_codecs() {
  local log="$LOGS/core-no-default-features.log"
  { cargo build -p hikproto --no-default-features --locked &&
    cargo test -p hikproto --no-default-features --lib --locked --no-fail-fast; } 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  libtest_counts "core without features" "$log"
  return "$rc"
}

c_suite() {
  local log="$LOGS/c-suite.log"
  bash "$ROOT/hikproto-ffi/tests/run-c-tests.sh" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 | sed 's/$/ (C programs × modes)/' >"$COUNTS"
  if grep -q '^SKIPPED: ' "$log"; then
    while IFS= read -r line; do skipped "C suite: ${line#SKIPPED: }"; done < <(grep '^SKIPPED: ' "$log")
  fi
  return "$rc"
}

python_env() {
  local venv="$ROOT/.venv"
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" || { echo "python3 -m venv failed: install python3-venv"; return 1; }
  fi
  if ! "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$ROOT/scripts/requirements-test.txt"; then
    echo "pip could not install scripts/requirements-test.txt into $venv (is PyPI reachable?)"
    return 1
  fi
  echo "$(wc -l <"$ROOT/scripts/requirements-test.txt") requirements installed" >"$COUNTS"
}

python_suite() {
  local venv="$ROOT/.venv"
  if [ ! -x "$venv/bin/maturin" ]; then
    echo "not run: the python venv step did not install maturin and pytest"
    return 1
  fi
  rm -rf "$ROOT/target/wheels"
  # the test build carries the simulator (the `sim` feature); the shipped default build does not
  (cd "$ROOT/hikproto-py" && "$venv/bin/maturin" build --release --locked --features sim --out "$ROOT/target/wheels" --quiet) || return 1
  "$venv/bin/pip" install --quiet --force-reinstall --no-deps "$ROOT"/target/wheels/*.whl || return 1
  local log="$LOGS/python.log"
  (cd "$ROOT" && "$venv/bin/python" -m pytest -q -p no:cacheprovider -rs "$ROOT/hikproto-py/tests" "$ROOT/hikproto-sim/tests") 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local last p f s
  last=$(grep -E '[0-9]+ (passed|failed)' "$log" | tail -n 1)
  p=$(grep -oE '[0-9]+ passed' <<<"$last" | grep -oE '[0-9]+')
  f=$(grep -oE '[0-9]+ failed' <<<"$last" | grep -oE '[0-9]+')
  s=$(grep -oE '[0-9]+ skipped' <<<"$last" | grep -oE '[0-9]+')
  echo "${p:-0} passed, ${f:-0} failed, ${s:-0} skipped" >"$COUNTS"
  while IFS= read -r line; do skipped "Python suite: ${line#SKIPPED }"; done < <(grep '^SKIPPED ' "$log")
  return "$rc"
}

# python_default_build: the wheel of a plain `maturin build --release` (what ships) has no simulator:
# its module imports without the `Simulator` class, and its library links no simulator code while
# the test wheel's does (the symbol count is checked on both, so the check cannot pass vacuously).
python_default_build() {
  local venv="$ROOT/.venv" out="$ROOT/target/wheels-default" x="$ROOT/target/wheels-unpacked"
  if [ ! -x "$venv/bin/maturin" ]; then
    echo "not run: the python venv step did not install maturin"
    return 1
  fi
  rm -rf "$out" "$x"
  (cd "$ROOT/hikproto-py" && "$venv/bin/maturin" build --release --locked --out "$out" --quiet) || return 1
  "$venv/bin/python" -m zipfile -e "$out"/*.whl "$x/default" || return 1
  "$venv/bin/python" -m zipfile -e "$ROOT"/target/wheels/*.whl "$x/sim" || return 1
  local p=0 f=0 with without
  with=$(nm "$(find "$x/sim" -name '_hikproto*.so' | head -n 1)" 2>/dev/null | grep -c hikproto_sim)
  without=$(nm "$(find "$x/default" -name '_hikproto*.so' | head -n 1)" 2>/dev/null | grep -c hikproto_sim)
  echo "simulator symbols: ${with:-0} in the test build, ${without:-0} in the default build"
  if [ "${with:-0}" -gt 0 ] && [ "${without:-1}" = 0 ]; then p=$((p + 1)); else f=$((f + 1)); fi
  if "$venv/bin/python" - "$x/default" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import hikproto
import hikproto._hikproto as ext
assert hikproto.__file__.startswith(sys.argv[1]), f"imported {hikproto.__file__}, not the default build"
assert not hasattr(ext, "Simulator"), "the default build carries the simulator"
try:
    hikproto.sim.Simulator(devices=1)
except RuntimeError as e:
    assert "sim" in str(e), e
else:
    raise AssertionError("Simulator() started without a simulator in the module")
print("the default build imports without a simulator")
PY
  then p=$((p + 1)); else f=$((f + 1)); fi
  echo "$p passed, $f failed, 0 skipped" >"$COUNTS"
  [ "$f" = 0 ]
}

fuzz_smoke() {
  local log="$LOGS/fuzz.log"
  bash "$ROOT/fuzz/smoke.sh" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  grep -E '^fuzz: [0-9]+ passed' "$log" | tail -n 1 | sed 's/^fuzz: //' >"$COUNTS"
  return "$rc"
}

fmt_check() { cargo fmt --all -- --check && echo "every crate formatted" >"$COUNTS"; }
# hikproto-py/sim: the Python simulator class is compiled (and so linted) only with that feature
clippy_check() { cargo clippy --workspace --all-targets --locked --features hikproto-py/sim -- -D warnings && echo "no warnings" >"$COUNTS"; }
doc_check() { env RUSTDOCFLAGS=-Dwarnings cargo doc --workspace --no-deps --locked --quiet && echo "no warnings" >"$COUNTS"; }

step "cargo fmt --check" fmt_check
step "cargo clippy -D warnings" clippy_check
step "cargo test" cargo_tests
step "core without default features (build, unit tests)" core_codecs
step "cargo doc -D warnings" doc_check
step "C suite (plain, valgrind, ASan)" c_suite
step "python venv" python_env
step "Python suite" python_suite
step "Python default build has no simulator" python_default_build
step "fuzz smoke runs" fuzz_smoke

echo
if [ "$skipped_total" -ne 0 ]; then
  echo "skipped: $skipped_total"
  printf '  %s\n' "${skip_reasons[@]}"
fi
if [ "$failed" -ne 0 ]; then
  echo "failed steps: ${failed_steps[*]}"
fi
echo "steps: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
