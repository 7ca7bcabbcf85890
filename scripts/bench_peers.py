"""The Python side of scripts/bench.sh: decoding and fresh-sweep figures for the hikproto
binding and its peers (xmltodict, ElementTree, requests, httpx, hikvisionapi), against the
simulator bench.sh started. Prints one ``key=value`` line per measurement.

    bench_peers.py decode DEVICE_INFO CAPABILITIES PROBE_MATCH
    bench_peers.py sweep CLIENT DEVICES.json CONCURRENCY PASSWORD
        CLIENT: hikproto | requests | httpx | hikvisionapi
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import sys
import time
import timeit
import xml.etree.ElementTree as ET
from typing import Any, Callable, List, Tuple


def per_call_us(fn: Callable[[], Any], budget_s: float = 1.0) -> float:
    """Best of 5 repetitions, each long enough to take about budget_s / 5."""
    n = 1
    while True:
        t = timeit.timeit(fn, number=n)
        if t > budget_s / 5 or n > 1_000_000:
            break
        n *= 4
    return min(timeit.repeat(fn, number=n, repeat=5)) / n * 1e6


def decode(paths: List[str]) -> None:
    import hikproto
    import xmltodict

    for name, path in zip(["deviceInfo", "capabilities", "ProbeMatch"], paths):
        data = open(path, "rb").read()
        figures = {
            "hikproto_py": per_call_us(lambda: hikproto.decode(data)),
            "xmltodict": per_call_us(lambda: xmltodict.parse(data)),
            "elementtree": per_call_us(lambda: ET.fromstring(data)),
        }
        print(f"decode doc={name} " + " ".join(f"{k}_us={v:.2f}" for k, v in figures.items()), flush=True)


def load(path: str) -> List[Tuple[str, str]]:
    doc = json.load(open(path))
    return [(d["isapi_url"], d["serial"]) for d in doc["devices"]]


def sweep_hikproto(devs: List[Tuple[str, str]], conc: int, pw: str) -> int:
    import hikproto

    handles = [hikproto.Device(url, "admin", pw, timeout=30) for url, _ in devs]
    results = hikproto.Fleet(handles, concurrency=conc).run(hikproto.Device.device_info)
    return sum(1 for r, (_, sn) in zip(results, devs) if r.ok and r.value.serial_number == sn)


def threads(devs: List[Tuple[str, str]], conc: int, one: Callable[[str, str], bool]) -> int:
    with concurrent.futures.ThreadPoolExecutor(max_workers=conc) as pool:
        futs = [pool.submit(one, url, sn) for url, sn in devs]
        ok, first = 0, None
        for f in futs:
            try:
                ok += bool(f.result())
            except Exception as e:  # counted; the first one is shown
                first = first or e
    if first is not None:
        print(f"first error: {first!r}", file=sys.stderr)
    return ok


def sweep_requests(devs: List[Tuple[str, str]], conc: int, pw: str) -> int:
    import requests
    from requests.auth import HTTPDigestAuth

    def one(url: str, sn: str) -> bool:
        with requests.Session() as s:
            r = s.get(f"{url}/ISAPI/System/deviceInfo", auth=HTTPDigestAuth("admin", pw), timeout=30)
            r.raise_for_status()
            return ET.fromstring(r.content).find("{*}serialNumber").text == sn  # type: ignore[union-attr]

    return threads(devs, conc, one)


def sweep_hikvisionapi(devs: List[Tuple[str, str]], conc: int, pw: str) -> int:
    from hikvisionapi import Client

    def one(url: str, sn: str) -> bool:
        # the stock client: its own Basic-then-Digest session check on /ISAPI/System/status
        info = Client(url, "admin", pw, timeout=30).System.deviceInfo(method="get")
        return bool(info["DeviceInfo"]["serialNumber"] == sn)

    return threads(devs, conc, one)


def sweep_httpx(devs: List[Tuple[str, str]], conc: int, pw: str) -> int:
    import httpx

    async def run() -> int:
        sem = asyncio.Semaphore(conc)
        # one client (its SSL context is costly to build), a fresh digest handshake per device
        limits = httpx.Limits(max_connections=conc, max_keepalive_connections=0)
        async with httpx.AsyncClient(timeout=30, limits=limits) as c:

            async def one(url: str, sn: str) -> bool:
                async with sem:
                    r = await c.get(f"{url}/ISAPI/System/deviceInfo", auth=httpx.DigestAuth("admin", pw))
                    r.raise_for_status()
                    el = ET.fromstring(r.content).find("{*}serialNumber")
                    return el is not None and el.text == sn

            got = await asyncio.gather(*(one(u, s) for u, s in devs), return_exceptions=True)
        errors = [g for g in got if isinstance(g, BaseException)]
        if errors:
            print(f"first error: {errors[0]!r}", file=sys.stderr)
        return sum(1 for g in got if g is True)

    return asyncio.run(run())


def main(argv: List[str]) -> int:
    if argv[0] == "decode":
        decode(argv[1:4])
        return 0
    client, path, conc, pw = argv[1], argv[2], int(argv[3]), argv[4]
    devs = load(path)
    fn = {
        "hikproto": sweep_hikproto,
        "requests": sweep_requests,
        "httpx": sweep_httpx,
        "hikvisionapi": sweep_hikvisionapi,
    }[client]
    t0 = time.perf_counter()
    ok = fn(devs, conc, pw)
    secs = time.perf_counter() - t0
    print(f"sweep client={client} devices={len(devs)} ok={ok} secs={secs:.3f} per_s={len(devs) / secs:.0f}")
    return 0 if ok == len(devs) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
