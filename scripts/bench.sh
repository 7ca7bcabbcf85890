#!/usr/bin/env bash
# One benchmark run, on one simulator binary, printing a table of absolute figures and ratios:
#   decode (Rust via criterion, the Python binding, xmltodict, ElementTree);
#   fresh deviceInfo sweeps of 1,000 and 10,000 LAN-addressed simulated devices (Rust Fleet,
#   Python Fleet, requests + threads, httpx async, hikvisionapi + threads), concurrency 64;
#   keep-alive calls/s on one device against wrk's limit (fixed Basic header, no auth logic);
#   client and simulator memory per device; SADP discovery of 1,000 devices by address range.
# Not part of the test command. Peers go into their own venv (BENCH_VENV, default
# target/bench-venv). Everything runs on loopback. Options through the environment:
#   BENCH_SIZES="1000 10000"  BENCH_CONCURRENCY=64  BENCH_SECONDS=5  BENCH_PEERS=1 (0: Rust only)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
VENV=${BENCH_VENV:-$TARGET/bench-venv}
SIZES=${BENCH_SIZES:-"1000 10000"}
CONC=${BENCH_CONCURRENCY:-64}
SECS=${BENCH_SECONDS:-5}
PEERS=${BENCH_PEERS:-1}
PW="Bench-Pass1x"
WORK=$(mktemp -d)
# raw figures, one line per measurement; kept after the run (the table is rendered from them)
OUT="$TARGET/bench-results.txt"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
: >"$OUT"
say() { echo "bench: $*" >&2; }

say "building (release)"
cargo build --release --locked --quiet -p hikproto-sim --bin hikproto-sim -p hikproto-bench --bin hikproto-load
SIM="$TARGET/release/hikproto-sim"
LOAD="$TARGET/release/hikproto-load"

# --- simulator helpers ------------------------------------------------------------------------
# start_sim NAME ARGS...: starts the simulator with --json, waits for its device list in
# $WORK/NAME.json, records its pid in SIM_PID.
start_sim() {
  local name=$1
  shift
  "$SIM" --json --password "$PW" "$@" >"$WORK/$name.json" 2>"$WORK/$name.log" &
  SIM_PID=$!
  PIDS+=("$SIM_PID")
  for _ in $(seq 1 600); do
    [ -s "$WORK/$name.json" ] && return 0
    kill -0 "$SIM_PID" 2>/dev/null || { cat "$WORK/$name.log" >&2; return 1; }
    sleep 0.2
  done
  say "simulator $name did not start"; return 1
}
stop_sim() { kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# --- decode -----------------------------------------------------------------------------------
DI=tests/fixtures/real-responses/System.deviceInfo-ipc1.xml
CAP=tests/fixtures/real-devices/DS-2CD2386G2-IU/System.capabilities.xml
PM=benches/data/probe_match.xml
say "decode: criterion"
cargo bench --locked --quiet -p hikproto-bench --bench decode -- --warm-up-time 1 --measurement-time 3 >"$WORK/criterion.log" 2>&1
for doc in deviceInfo capabilities ProbeMatch; do
  ns=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['mean']['point_estimate'])" \
    "$TARGET/criterion/decode/$doc/new/estimates.json")
  echo "decode doc=$doc rust_us=$(python3 -c "print(f'{$ns/1000:.3f}')")" >>"$OUT"
done

if [ "$PEERS" = 1 ]; then
  say "peers: venv $VENV"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "maturin>=1.9,<2" xmltodict requests httpx hikvisionapi==0.3.2
  say "peers: building the Python binding (release)"
  (cd hikproto-py && VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" CARGO_TARGET_DIR="$TARGET" \
    maturin develop --release --locked --quiet >"$WORK/maturin.log" 2>&1) || { cat "$WORK/maturin.log" >&2; exit 1; }
  "$VENV/bin/python" scripts/bench_peers.py decode "$DI" "$CAP" "$PM" >>"$OUT"
fi

# --- fresh sweeps -----------------------------------------------------------------------------
k=20
for n in $SIZES; do
  k=$((k + 1))
  say "sweep: $n devices"
  start_sim "sweep$n" --devices "$n" --lan "127.$k.0.1" --http-port 0 --no-sadp
  echo "memory sim_devices=$n sim_kib_per_device=$(python3 -c "print(f'{$(rss_kib "$SIM_PID")/$n:.1f}')")" >>"$OUT"
  echo "sweep client=rust $("$LOAD" sweep "$WORK/sweep$n.json" "$CONC" "$PW")" >>"$OUT"
  if [ "$PEERS" = 1 ]; then
    for c in hikproto requests httpx hikvisionapi; do
      "$VENV/bin/python" scripts/bench_peers.py sweep "$c" "$WORK/sweep$n.json" "$CONC" "$PW" >>"$OUT" ||
        say "sweep $c had failures (see the table)"
    done
  fi
  stop_sim
done

# --- keep-alive -------------------------------------------------------------------------------
say "keep-alive"
for auth in basic digest-md5; do
  cat >"$WORK/ka-$auth.toml" <<EOF
[[devices]]
activated = true
users = [{ name = "admin", password = "$PW" }]
personality = { auth = "$auth" }
EOF
  start_sim "ka-$auth" --config "$WORK/ka-$auth.toml" --devices 0 --lan "127.40.0.1" --http-port 0 --no-sadp
  url=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['devices'][0]['isapi_url'])" "$WORK/ka-$auth.json")
  echo "keepalive auth=$auth client=rust $("$LOAD" keepalive "$url" "$PW" "$SECS" "$CONC")" >>"$OUT"
  if [ "$auth" = basic ] && command -v wrk >/dev/null; then
    hdr="Authorization: Basic $(printf 'admin:%s' "$PW" | base64)"
    rps=$(wrk -t2 -c"$CONC" -d"${SECS}s" -H "$hdr" "$url/ISAPI/System/deviceInfo" | awk '/Requests\/sec/ {print $2}')
    echo "keepalive auth=$auth client=wrk per_s=$rps" >>"$OUT"
  fi
  stop_sim
done

# --- SADP -------------------------------------------------------------------------------------
say "SADP discovery of 1,000 devices"
start_sim sadp --devices 1000 --lan 127.41.1.1 --http-port 0 --sadp-port 0
port=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['devices'][0]['sadp_addr'].rsplit(':',1)[1])" "$WORK/sadp.json")
echo "sadp $("$LOAD" sadp 127.41.1.1 127.41.4.255 "$port" 1000)" >>"$OUT"
stop_sim

python3 scripts/bench_table.py "$OUT"
say "raw figures: $OUT"
