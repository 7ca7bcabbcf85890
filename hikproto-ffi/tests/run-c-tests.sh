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
# of every JSON document the tests printed against its schema (tests/c/check-json.py), and the
# packaging end to end: `make install PREFIX=<tmp>` of the build this script already made (the
# Makefile's PROFILE, so nothing is compiled again), then a small C program built against the
# installed header through the installed hikproto.pc and, with cmake, the installed
# hikprotoConfig.cmake, and run; the installed library's SONAME, its being stripped with a
# separate .debug file linked by .gnu_debuglink, and the artefact sizes (printed, not judged).
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

# Packaging end to end: install what `make dist` makes from the build above into a fresh prefix
# and build a program against it as a user would.
package_check() {
  local prefix=$BUILD/prefix log=$BUILD/logs/install.log
  local cargo_profile=dev
  [ "$PROFILE" = release ] && cargo_profile=release
  # the shipped (default features) build just made: make's cargo step finds it fresh
  if ! make -s -C "$FFI" install PREFIX="$prefix" PROFILE="$cargo_profile" DIST="$BUILD/dist" \
    >"$log" 2>&1; then
    fail "make install PREFIX=<tmp>"
    tail -n 20 "$log"
    return
  fi
  pass "make install PREFIX=<tmp>"
  local lib=$prefix/lib/libhikproto.so.$VERSION
  if readelf -d "$lib" | grep -q 'SONAME.*\[libhikproto\.so\.0\]' &&
    [ "$(readlink "$prefix/lib/libhikproto.so.0")" = "libhikproto.so.$VERSION" ] &&
    [ "$(readlink "$prefix/lib/libhikproto.so")" = libhikproto.so.0 ]; then
    pass "installed: SONAME libhikproto.so.0, libhikproto.so -> .so.0 -> .so.$VERSION"
  else
    fail "installed: SONAME and links"
    ls -l "$prefix/lib"
  fi
  # debug info sections (not .debug_gdb_scripts, which is loaded and stays)
  local dwarf='\] \.debug_(info|abbrev|line|str|ranges|rnglists|loc|loclists|aranges) '
  if ! readelf -S --wide "$lib" | grep -Eq "$dwarf" &&
    readelf -S --wide "$lib" | grep -q ' \.gnu_debuglink' &&
    readelf -S --wide "$lib.debug" | grep -Eq "$dwarf" &&
    ! readelf -S --wide "$prefix/lib/libhikproto.a" | grep -Eq "$dwarf"; then
    pass "installed: libraries stripped, debug info in libhikproto.so.$VERSION.debug"
  else
    fail "installed: libraries stripped, debug info in libhikproto.so.$VERSION.debug"
  fi
  if [ "$(nm -D --defined-only "$lib" | grep -c ' hikproto_sim_')" = 0 ]; then
    pass "installed: no hikproto_sim_* export"
  else
    fail "installed: no hikproto_sim_* export"
  fi
  echo "::: installed artefact sizes (bytes)"
  (cd "$prefix/lib" && stat -c '  %s %n' "libhikproto.so.$VERSION" "libhikproto.so.$VERSION.debug" libhikproto.a)
  local n
  n=$(find "$prefix/include/hikproto/schema" -name '*.json' | wc -l)
  if [ -f "$prefix/include/hikproto.h" ] && [ "$n" = "$(find "$FFI/schema" -name '*.json' | wc -l)" ]; then
    pass "installed: header and $n schemas"
  else
    fail "installed: header and schemas ($n schemas)"
  fi
  # a user's program: the version, a size query and an error object, without any device
  local app=$BUILD/installed-app
  mkdir -p "$app"
  cat >"$app/app.c" <<'EOF_C'
#include <stdio.h>
#include <string.h>
#include <hikproto.h>
int main(void) {
  hikproto_device *dev = NULL;
  hikproto_error *err = NULL;
  hikproto_result r = hikproto_device_new("bad host!", 80, NULL, NULL, &dev, &err);
  int ok = r == HIKPROTO_RESULT_INVALID_ARGUMENT && dev == NULL && err != NULL;
  hikproto_error_free(err);
  const char *v = hikproto_version();
  ok = ok && v != NULL && strlen(v) > 0;
  hikproto_shutdown();
  printf("installed libhikproto %s: %s\n", v ? v : "?", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
EOF_C
  local pcflags
  if pcflags=$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs hikproto) &&
    # shellcheck disable=SC2086 # word splitting of pkg-config output is intended
    "$CC" -std=c11 -Wall -Wextra -Werror "$app/app.c" -o "$app/app" $pcflags >"$app/build.log" 2>&1; then
    LD_LIBRARY_PATH="$prefix/lib" run "installed: C program through pkg-config" "$BUILD/logs/installed-app.log" "$app/app"
  else
    fail "installed: C program through pkg-config (build)"
    cat "$app/build.log"
  fi
  if command -v cmake >/dev/null 2>&1; then
    cat >"$app/CMakeLists.txt" <<'EOF_CMAKE'
cmake_minimum_required(VERSION 3.16)
project(installed_app C)
find_package(hikproto CONFIG REQUIRED)
add_executable(app app.c)
target_link_libraries(app PRIVATE hikproto::hikproto)
EOF_CMAKE
    if cmake -S "$app" -B "$app/cmake" -DCMAKE_PREFIX_PATH="$prefix" >"$app/cmake.log" 2>&1 &&
      cmake --build "$app/cmake" >>"$app/cmake.log" 2>&1; then
      run "installed: C program through hikprotoConfig.cmake" "$BUILD/logs/installed-cmake.log" "$app/cmake/app"
    else
      fail "installed: C program through hikprotoConfig.cmake (build)"
      tail -n 20 "$app/cmake.log"
    fi
  else
    fail "installed: hikprotoConfig.cmake (cmake is not installed: apt-get install cmake)"
  fi
}
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/Cargo.toml" | head -n1)
package_check

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
    # valgrind runs one thread at a time, many times slower: hang deadlines scaled (clock.h)
    HIKPROTO_TEST_DEADLINE_SCALE=10 run "$name (valgrind)" "$BUILD/logs/$name.valgrind.log" \
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
