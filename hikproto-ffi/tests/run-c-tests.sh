#!/usr/bin/env bash
# The C suite: builds libhikproto, compiles every tests/c/test_*.c and the README example with
# the system cc, and runs each one three ways:
#   1. plain (linked against libhikproto.so);
#   2. under valgrind --leak-check=full --error-exitcode=1 with the default leak kinds (every
#      program ends with hikproto_shutdown(), so nothing of the library is left);
#   3. built with -fsanitize=address (AddressSanitizer + LeakSanitizer).
# Before that, the library as it ships (default features, no simulator) is checked: SONAME
# libhikproto.so.0, no hikproto_sim_* export, and the packaged static library (one object, see
# the Makefile's staticlib-api) defines no global symbol outside hikproto_*. The tests then use
# a build with the `sim` feature (-DHIKPROTO_SIM). Plus one static link of test_basics through
# the generated hikproto.pc (pkg-config --static), which keeps Libs.private true, and a check
# of every JSON document the tests printed against its schema (tests/c/check-json.py).
#
# Usage: hikproto-ffi/tests/run-c-tests.sh [--release]   (default: debug build)
# Env:   CC (default cc), CARGO_TARGET_DIR, HIKPROTO_C_NO_VALGRIND=1 / HIKPROTO_C_NO_ASAN=1 to
#        leave a mode out: each run left out prints "SKIPPED: <name>: <reason>" and is counted.
# A tool that a mode needs (valgrind, pkg-config, cmake) and that is missing fails that mode with
# the reason: the test command installs them, and a run never passes by not running.
# Exit status is non-zero on any failure; the last line is "N passed, M failed, K skipped".
set -u -o pipefail

FFI=$(cd "$(dirname "$0")/.." && pwd)
ROOT=$(dirname "$FFI")
PROFILE=debug
CARGO_FLAGS=()
if [ "${1:-}" = "--release" ]; then
  PROFILE=release
  CARGO_FLAGS=(--release)
fi
CC=${CC:-cc}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
LIBDIR=$TARGET_DIR/$PROFILE
BUILD=$FFI/tests/c/build
PER_RUN_TIMEOUT=${HIKPROTO_C_TIMEOUT:-240}
passed=0
failed=0
skipped=0
failures=()

pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); failures+=("$1"); echo "FAIL $1"; }
skip() { skipped=$((skipped + 1)); echo "SKIPPED: $1: $2"; }

finish() {
  echo
  if [ "$failed" -ne 0 ]; then
    echo "failed: ${failures[*]}"
  fi
  echo "$passed passed, $failed failed, $skipped skipped"
  [ "$failed" -eq 0 ]
  exit $?
}

rm -rf "$BUILD"
mkdir -p "$BUILD/plain" "$BUILD/asan" "$BUILD/static/lib" "$BUILD/logs" "$BUILD/shipped" "$BUILD/json"

echo "::: building libhikproto as it ships ($PROFILE, default features)"
if ! (cd "$ROOT" && cargo build -p hikproto-ffi --locked "${CARGO_FLAGS[@]}"); then
  fail "cargo build (default features)"
  finish
fi
SHIPPED=$BUILD/shipped
cp "$LIBDIR/libhikproto.so" "$SHIPPED/"
if readelf -d "$SHIPPED/libhikproto.so" | grep -q 'SONAME.*\[libhikproto\.so\.0\]'; then
  pass "SONAME libhikproto.so.0"
else
  fail "SONAME libhikproto.so.0"
  readelf -d "$SHIPPED/libhikproto.so" | grep SONAME
fi
sims=$(nm -D --defined-only "$SHIPPED/libhikproto.so" | grep -c ' hikproto_sim_')
if [ "$sims" = 0 ]; then
  pass "no hikproto_sim_* export by default"
else
  fail "no hikproto_sim_* export by default ($sims found)"
fi
strays=$(nm -D --defined-only "$SHIPPED/libhikproto.so" | awk '$2 ~ /^[TDBRVW]$/ && $3 !~ /^hikproto_/' | wc -l)
if [ "$strays" = 0 ]; then
  pass "shared library exports only hikproto_*"
else
  fail "shared library exports only hikproto_* ($strays others)"
  nm -D --defined-only "$SHIPPED/libhikproto.so" | awk '$3 !~ /^hikproto_/' | head
fi
if make -s -C "$FFI" staticlib-api IN="$LIBDIR/libhikproto.a" OUT="$SHIPPED/libhikproto.a"; then
  strays=$(nm -g --defined-only "$SHIPPED/libhikproto.a" | grep -v ' hikproto_' | grep -cv -e '^$' -e ':$')
  if [ "$strays" = 0 ]; then
    pass "static library: no global symbol outside hikproto_*"
  else
    fail "static library: no global symbol outside hikproto_* ($strays others)"
    nm -g --defined-only "$SHIPPED/libhikproto.a" | grep -v ' hikproto_' | head
  fi
else
  fail "static library packaging (make staticlib-api)"
fi

echo "::: building libhikproto for the tests ($PROFILE, --features sim)"
if ! (cd "$ROOT" && cargo build -p hikproto-ffi --features sim --locked "${CARGO_FLAGS[@]}"); then
  fail "cargo build --features sim"
  finish
fi
for f in libhikproto.so libhikproto.a; do
  [ -f "$LIBDIR/$f" ] || { echo "missing $LIBDIR/$f"; fail "library files"; finish; }
done
# programs record the SONAME: give the loader that name in the build folder
ln -sf libhikproto.so "$LIBDIR/libhikproto.so.0"

CFLAGS=(-std=c11 -Wall -Wextra -Werror -g -O1 -DHIKPROTO_SIM -I"$FFI/include" -I"$FFI/tests/c")
DYN_LIBS=(-L"$LIBDIR" -lhikproto -Wl,-rpath,"$LIBDIR" -lpthread -ldl -lm)

# run NAME LOG CMD... : runs one program with a deadline, keeps its output in LOG.
run() {
  local name=$1 log=$2
  shift 2
  if timeout "$PER_RUN_TIMEOUT" "$@" >"$log" 2>&1; then
    pass "$name"
  else
    local rc=$?
    fail "$name"
    echo "---- $name (exit $rc), last lines of $log:"
    tail -n 40 "$log"
    echo "----"
  fi
}

SOURCES=("$FFI"/tests/c/test_*.c)
[ -f "$FFI/examples/c/info.c" ] && SOURCES+=("$FFI/examples/c/info.c")

# Modes: "run", "skip:<reason>" (asked for by the environment) or "missing:<what>" (a failure).
valgrind_mode=run
if [ "${HIKPROTO_C_NO_VALGRIND:-}" = "1" ]; then
  valgrind_mode="skip:HIKPROTO_C_NO_VALGRIND=1"
elif ! command -v valgrind >/dev/null 2>&1; then
  valgrind_mode="missing:valgrind is not installed (apt-get install valgrind)"
fi
asan_mode=run
if [ "${HIKPROTO_C_NO_ASAN:-}" = "1" ]; then
  asan_mode="skip:HIKPROTO_C_NO_ASAN=1"
fi

# mode_gate NAME MODE: true when the run should happen; otherwise counts it skipped or failed.
mode_gate() {
  case $2 in
    run) return 0 ;;
    skip:*) skip "$1" "${2#skip:}" ;;
    missing:*) fail "$1 (${2#missing:})" ;;
  esac
  return 1
}

for src in "${SOURCES[@]}"; do
  name=$(basename "$src" .c)
  args=()
  [ "$name" = info ] && args=(--sim) # the README example reads a simulated camera
  # 1. plain
  if "$CC" "${CFLAGS[@]}" "$src" -o "$BUILD/plain/$name" "${DYN_LIBS[@]}"; then
    HIKPROTO_TEST_JSON_DIR="$BUILD/json" run "$name" "$BUILD/logs/$name.log" "$BUILD/plain/$name" "${args[@]}"
  else
    fail "$name (compile)"
    continue
  fi
  # 2. valgrind
  if mode_gate "$name (valgrind)" "$valgrind_mode"; then
    run "$name (valgrind)" "$BUILD/logs/$name.valgrind.log" \
      valgrind --quiet --leak-check=full --error-exitcode=1 \
      --suppressions="$FFI/tests/c/valgrind.supp" "$BUILD/plain/$name" "${args[@]}"
  fi
  # 3. AddressSanitizer
  if mode_gate "$name (asan)" "$asan_mode"; then
    if "$CC" "${CFLAGS[@]}" -fsanitize=address -fno-omit-frame-pointer "$src" \
      -o "$BUILD/asan/$name" "${DYN_LIBS[@]}"; then
      ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
        run "$name (asan)" "$BUILD/logs/$name.asan.log" "$BUILD/asan/$name" "${args[@]}"
    else
      fail "$name (asan compile)"
    fi
  fi
done

# Every JSON document the plain runs kept, against its schema; the header's keys against them.
if python3 "$FFI/tests/c/check-json.py" "$BUILD/json" >"$BUILD/logs/json.log" 2>&1; then
  pass "JSON results match their schemas; header keys exist ($(tail -n 1 "$BUILD/logs/json.log"))"
else
  fail "JSON results match their schemas; header keys exist"
  tail -n 20 "$BUILD/logs/json.log"
fi

# No JSON document the library returned carries a secret the tests used.
if python3 "$FFI/tests/c/check-secrets.py" "$BUILD/json" >"$BUILD/logs/secrets.log" 2>&1; then
  pass "no secret in any JSON result ($(tail -n 1 "$BUILD/logs/secrets.log"))"
else
  fail "no secret in any JSON result"
  tail -n 20 "$BUILD/logs/secrets.log"
fi

# Static link through pkg-config, with the .pc the Makefile produces.
if command -v pkg-config >/dev/null 2>&1; then
  if make -s -C "$FFI" staticlib-api IN="$LIBDIR/libhikproto.a" OUT="$BUILD/static/lib/libhikproto.a" &&
    make -s -C "$FFI" pc PREFIX="$BUILD/static" LIBDIR="$BUILD/static/lib" FEATURES=sim \
    INCLUDEDIR="$FFI/include" PC_OUT="$BUILD/static/lib/pkgconfig/hikproto.pc" &&
    PC_FLAGS=$(PKG_CONFIG_PATH="$BUILD/static/lib/pkgconfig" pkg-config --static --cflags --libs hikproto) &&
    # shellcheck disable=SC2086 # word splitting of pkg-config output is intended
    "$CC" "${CFLAGS[@]}" -I"$FFI/tests/c" "$FFI/tests/c/test_basics.c" -o "$BUILD/static/test_basics" $PC_FLAGS; then
    if ldd "$BUILD/static/test_basics" | grep -q libhikproto; then
      fail "static link (pkg-config): the program still loads libhikproto.so"
    else
      run "test_basics (static, pkg-config)" "$BUILD/logs/static.log" "$BUILD/static/test_basics"
    fi
  else
    fail "static link (pkg-config)"
  fi
else
  fail "static link (pkg-config is not installed: apt-get install pkg-config)"
fi

# The example's own build files, as a user runs them, against a generated hikproto.pc.
if command -v pkg-config >/dev/null 2>&1; then
  EX=$BUILD/example
  mkdir -p "$EX/pc"
  cp "$FFI/examples/c/info.c" "$FFI/examples/c/Makefile" "$FFI/examples/c/CMakeLists.txt" "$EX/"
  make -s -C "$FFI" pc PREFIX="$ROOT" LIBDIR="$LIBDIR" INCLUDEDIR="$FFI/include" FEATURES=sim PC_OUT="$EX/pc/hikproto.pc"
  if PKG_CONFIG_PATH="$EX/pc" make -s -C "$EX" info CC="$CC" >"$BUILD/logs/example-make.log" 2>&1; then
    LD_LIBRARY_PATH="$LIBDIR" run "examples/c/Makefile: info --sim" "$BUILD/logs/example-make-run.log" "$EX/info" --sim
  else
    fail "examples/c/Makefile (build)"
    tail -n 20 "$BUILD/logs/example-make.log"
  fi
  if command -v cmake >/dev/null 2>&1; then
    if PKG_CONFIG_PATH="$EX/pc" cmake -S "$EX" -B "$EX/cmake-build" >"$BUILD/logs/example-cmake.log" 2>&1 &&
      cmake --build "$EX/cmake-build" >>"$BUILD/logs/example-cmake.log" 2>&1; then
      LD_LIBRARY_PATH="$LIBDIR" run "examples/c/CMakeLists.txt: info --sim" "$BUILD/logs/example-cmake-run.log" "$EX/cmake-build/info" --sim
    else
      fail "examples/c/CMakeLists.txt (build)"
      tail -n 20 "$BUILD/logs/example-cmake.log"
    fi
  else
    fail "examples/c/CMakeLists.txt (cmake is not installed: apt-get install cmake)"
  fi
else
  fail "examples/c/Makefile (pkg-config is not installed: apt-get install pkg-config)"
fi

finish
