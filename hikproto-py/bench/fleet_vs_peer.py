"""Sweep deviceInfo over N simulated devices two ways, against the same simulator, in one run:

1. ``hikproto.Fleet`` (concurrency inside Rust, GIL released);
2. the PyPI client ``hikvisionapi`` (requests + digest auth) in a thread pool, the usual way
   Python scripts parallelise it.

Each device is contacted from scratch in both sweeps (new handle: challenge, digest login,
deviceInfo). Prints both times and their ratio. Only loopback traffic.

    python hikproto-py/bench/fleet_vs_peer.py [--devices 1000] [--concurrency 64]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import sys
import time
from typing import Any, List, Tuple

import hikproto
from hikproto.sim import Simulator


def sweep_hikproto(site: Simulator, concurrency: int) -> Tuple[float, int]:
    t0 = time.perf_counter()
    fleet = hikproto.Fleet(site.clients(timeout=30), concurrency=concurrency)
    results = fleet.run(hikproto.Device.device_info)
    elapsed = time.perf_counter() - t0
    ok = sum(1 for r, d in zip(results, site) if r.ok and r.value.serial_number == d.serial)
    return elapsed, ok


def sweep_hikvisionapi(site: Simulator, concurrency: int) -> Tuple[float, int]:
    from hikvisionapi import Client

    def one(d: Any) -> bool:
        client = Client(f"http://{d.ip}:{d.port}", "admin", site.password, timeout=30)
        info = client.System.deviceInfo(method="get")
        return bool(info["DeviceInfo"]["serialNumber"] == d.serial)

    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [pool.submit(one, d) for d in site]
        ok = 0
        for f in futures:
            try:
                ok += bool(f.result())
            except Exception:
                pass
    return time.perf_counter() - t0, ok


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devices", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=64)
    args = ap.parse_args(argv)
    print(f"starting {args.devices} simulated devices ...", flush=True)
    with Simulator(devices=args.devices) as site:
        # Same order every run; the peer goes second so it gets any warm-up benefit.
        t_h, ok_h = sweep_hikproto(site, args.concurrency)
        print(f"hikproto.Fleet         : {t_h:7.2f} s  {ok_h}/{args.devices} ok "
              f"({args.devices / t_h:,.0f} devices/s)", flush=True)
        t_p, ok_p = sweep_hikvisionapi(site, args.concurrency)
        print(f"hikvisionapi + threads : {t_p:7.2f} s  {ok_p}/{args.devices} ok "
              f"({args.devices / t_p:,.0f} devices/s)", flush=True)
    print(f"ratio (hikvisionapi time / hikproto time): {t_p / t_h:.1f}x")
    return 0 if ok_h == args.devices and ok_p == args.devices else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
