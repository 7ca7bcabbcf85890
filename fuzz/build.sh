#!/usr/bin/env bash
# Builds every fuzz target as a libFuzzer binary with plain `cargo build` on the stable toolchain:
# SanitizerCoverage instrumentation (inline 8-bit counters, PC table, comparison tracing) with
# debug assertions and overflow checks, but without AddressSanitizer. hikproto forbids unsafe
# code, so ASan would mostly re-check what the borrow checker already guarantees, at several
# times the build and run cost; panics, overflows, timeouts and memory blow-ups are what this
# catches. (`cargo fuzz build` works on the same layout for a sanitizer build on nightly.)
# Prints the directory holding the binaries on its last line.
set -euo pipefail
cd "$(dirname "$0")"
TRIPLE=$(rustc -vV | sed -n 's/^host: //p')
export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR:-$(pwd)/target}
export RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module \
 -Cllvm-args=-sanitizer-coverage-level=4 \
 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
 -Cllvm-args=-sanitizer-coverage-pc-table \
 -Cllvm-args=-sanitizer-coverage-trace-compares \
 -Cdebug-assertions -Coverflow-checks"
# --target keeps build scripts and proc macros uninstrumented.
cargo build --release --locked --bins --target "$TRIPLE" ${FUZZ_QUIET:+--quiet} >&2
echo "$CARGO_TARGET_DIR/$TRIPLE/release"
