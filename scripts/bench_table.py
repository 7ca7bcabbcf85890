"""Renders the key=value lines scripts/bench.sh collected as one Markdown table with ratios."""

from __future__ import annotations

import sys
from typing import Dict, List, Optional


def parse(path: str) -> List[Dict[str, str]]:
    rows = []
    for line in open(path):
        parts = line.split()
        if not parts:
            continue
        row = {"kind": parts[0]}
        row.update(p.split("=", 1) for p in parts[1:] if "=" in p)
        rows.append(row)
    return rows


def num(row: Optional[Dict[str, str]], key: str) -> Optional[float]:
    try:
        return float(row[key]) if row and key in row else None
    except ValueError:
        return None


def fmt(v: Optional[float], unit: str = "") -> str:
    if v is None:
        return "—"
    return f"{v:,.2f}{unit}" if v < 100 else f"{v:,.0f}{unit}"


def ratio(a: Optional[float], b: Optional[float]) -> str:
    return f"{a / b:.1f}×" if a and b else "—"


def main(path: str) -> None:
    rows = parse(path)
    print("| work | hikproto | reference | ratio |")
    print("|---|---|---|---|")
    decode = {r["doc"]: r for r in rows if r["kind"] == "decode" and "rust_us" in r}
    py = {r["doc"]: r for r in rows if r["kind"] == "decode" and "xmltodict_us" in r}
    for doc, r in decode.items():
        rust, p = num(r, "rust_us"), py.get(doc)
        xd, et, hp = num(p, "xmltodict_us"), num(p, "elementtree_us"), num(p, "hikproto_py_us")
        print(
            f"| decode {doc} | Rust {fmt(rust, ' µs')}; Python binding {fmt(hp, ' µs')} "
            f"| xmltodict {fmt(xd, ' µs')}, ElementTree {fmt(et, ' µs')} "
            f"| Rust {ratio(xd, rust)} xmltodict; binding {ratio(xd, hp)} xmltodict |"
        )
    sizes = sorted({int(r["devices"]) for r in rows if r["kind"] == "sweep"})
    for n in sizes:
        sw = {r["client"]: r for r in rows if r["kind"] == "sweep" and int(r["devices"]) == n}
        rust, pyf = num(sw.get("rust"), "per_s"), num(sw.get("hikproto"), "per_s")
        peers = {c: num(sw.get(c), "per_s") for c in ("requests", "httpx", "hikvisionapi")}
        best = max((v for v in peers.values() if v), default=None)
        oks = ", ".join(f"{c} {sw[c].get('ok')}/{n} ok" for c in sw)
        print(
            f"| fresh sweep {n:,} devices, concurrency 64 (devices/s) "
            f"| Rust {fmt(rust)}; Python Fleet {fmt(pyf)} "
            f"| " + ", ".join(f"{c} {fmt(v)}" for c, v in peers.items())
            + f" | Rust {ratio(rust, best)} the best peer; Python at {ratio(pyf, rust)} of Rust ({oks}) |"
        )
        mem = next((r for r in rows if r["kind"] == "memory" and int(r["sim_devices"]) == n), None)
        print(
            f"| memory, {n:,} devices | client {fmt(num(sw.get('rust'), 'client_kib_per_device'), ' KiB')}/device "
            f"(peak RSS growth); simulator {fmt(num(mem, 'sim_kib_per_device'), ' KiB')}/device | — | — |"
        )
    ka = {(r["auth"], r["client"]): r for r in rows if r["kind"] == "keepalive"}
    limit = num(ka.get(("basic", "wrk")), "per_s")
    for auth in ("basic", "digest-md5"):
        v = num(ka.get((auth, "rust")), "per_s")
        print(
            f"| keep-alive, one device, 64 concurrent, {auth} (calls/s) | {fmt(v)} "
            f"| wrk, fixed Basic header: {fmt(limit)} | {ratio(v, limit)} of the limit |"
        )
    s = next((r for r in rows if r["kind"] == "sadp"), None)
    if s:
        found, secs = num(s, "found"), num(s, "secs")
        print(
            f"| SADP discovery by range, 1,000 devices | {fmt(found)} found in {fmt(secs, ' s')} "
            f"| — | — |"
        )


if __name__ == "__main__":
    main(sys.argv[1])
