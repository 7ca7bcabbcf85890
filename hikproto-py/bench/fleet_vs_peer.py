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


def sweep_hikproto(site: Simulator, concurrency: int) -> Tuple[float, float, int]:
    """Returns (total time including building the handles, sweep time alone, devices ok)."""
    t0 = time.perf_counter()
    fleet = hikproto.Fleet(site.clients(timeout=30), concurrency=concurrency)
    t1 = time.perf_counter()
    results = fleet.run(hikproto.Device.device_info)
    t2 = time.perf_counter()
    ok = sum(1 for r, d in zip(results, site) if r.ok and r.value.serial_number == d.serial)
    return t2 - t0, t2 - t1, ok


def sweep_hikvisionapi(site: Simulator, concurrency: int) -> Tuple[float, int]:
    import requests
    from hikvisionapi import Client
    from requests.auth import HTTPBasicAuth, HTTPDigestAuth

    class PeerClient(Client):  # type: ignore[misc]
        """hikvisionapi's Client, probing deviceInfo instead of /ISAPI/System/status (which the
        simulator does not serve); the Basic-then-Digest logic is the library's own."""

        def _check_session(self) -> Any:
            url = f"{self.host}/ISAPI/System/deviceInfo"
            session = requests.session()
            session.auth = HTTPBasicAuth(self.login, self.password)
            response = session.get(url, timeout=self.timeout)
            if response.status_code == 401:
                session.auth = HTTPDigestAuth(self.login, self.password)
                response = session.get(url, timeout=self.timeout)
            response.raise_for_status()
            return session

    def one(d: Any) -> bool:
        client = PeerClient(f"http://{d.ip}:{d.port}", "admin", site.password, timeout=30)
        info = client.System.deviceInfo(method="get")
        return bool(info["DeviceInfo"]["serialNumber"] == d.serial)

    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [pool.submit(one, d) for d in site]
        ok = 0
        first_error = None
        for f in futures:
            try:
                ok += bool(f.result())
            except Exception as e:  # counted, and the first one shown
                first_error = first_error or e
        if first_error is not None:
            print(f"hikvisionapi error (first of {len(futures) - ok}): {first_error!r}")
    return time.perf_counter() - t0, ok


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devices", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=64)
    args = ap.parse_args(argv)
    print(f"starting {args.devices} simulated devices ...", flush=True)
    with Simulator(devices=args.devices) as site:
        # Same order every run; the peer goes second so it gets any warm-up benefit.
        t_h, t_sweep, ok_h = sweep_hikproto(site, args.concurrency)
        print(f"hikproto.Fleet         : {t_h:7.2f} s  {ok_h}/{args.devices} ok "
              f"({args.devices / t_h:,.0f} devices/s; building the {args.devices} handles "
              f"{t_h - t_sweep:.2f} s, the sweep itself {t_sweep:.2f} s)", flush=True)
        t_p, ok_p = sweep_hikvisionapi(site, args.concurrency)
        print(f"hikvisionapi + threads : {t_p:7.2f} s  {ok_p}/{args.devices} ok "
              f"({args.devices / t_p:,.0f} devices/s)", flush=True)
    print(f"ratio (hikvisionapi time / hikproto time): {t_p / t_h:.1f}x total, "
          f"{t_p / t_sweep:.1f}x sweep only")
    return 0 if ok_h == args.devices and ok_p == args.devices else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
