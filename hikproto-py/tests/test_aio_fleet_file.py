"""Fleet work from a devices file under asyncio (``hikproto.aio.Fleet.from_devices_file``):
every operation as an awaitable, results as they finish, and a cancelled rotation that leaves
its journal ready for a resume."""

from __future__ import annotations

import asyncio
import csv
import os
import stat
from pathlib import Path
from typing import Any, Dict, List

import pytest

import hikproto
import hikproto.aio
from hikproto.sim import Simulator

from test_fleet_file import write_files


@pytest.fixture()
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with Simulator(devices=12) as s:
        monkeypatch.setenv("FLEET_AIO_PW", s.password)
        devices, creds = write_files(s, tmp_path, "FLEET_AIO_PW")
        yield s, devices, creds


def test_every_operation_as_an_awaitable(site, tmp_path: Path) -> None:
    s, devices, creds = site

    async def main() -> None:
        fleet = hikproto.aio.Fleet.from_devices_file(devices, creds, concurrency=4, per_site_limit=2)
        assert isinstance(fleet, hikproto.aio.DevicesFleet) and len(fleet) == 12
        seen: List[int] = []
        rows = await fleet.inventory(progress=lambda done, total, dev, ok: seen.append(done))
        assert sorted(seen) == list(range(1, 13))
        for d, r in zip(s, rows):
            assert r["ok"] and r["value"]["serial"] == d.serial, r
        streamed: List[Dict[str, Any]] = [r async for r in fleet.as_completed("inventory")]
        assert sorted(r["index"] for r in streamed) == list(range(12))

        plan = await fleet.plan(ntp="ntp.example.org")
        assert all(r["value"]["changes"] for r in plan), plan
        applied = await fleet.apply(ntp="ntp.example.org")
        assert all(r["ok"] for r in applied), applied
        again = await fleet.plan(ntp="ntp.example.org")
        assert all(r["value"]["changes"] == [] for r in again), again

        journal = tmp_path / "aio.journal"
        rotated = await fleet.rotate(journal, export=tmp_path / "aio.csv")
        assert all(r["ok"] and r["value"]["status"] == "rotated" for r in rotated), rotated
        assert await fleet.export(journal, tmp_path / "again.csv") == 12

    asyncio.run(main())
    final = list(csv.DictReader((tmp_path / "aio.csv").read_text().splitlines()))
    assert stat.S_IMODE(os.stat(tmp_path / "aio.csv").st_mode) == 0o600
    for d, row in zip(s, final):
        assert row["status"] == "rotated"
        assert d.password("admin") == row["password"] != s.password


def test_a_cancelled_rotation_leaves_a_resumable_journal(site, tmp_path: Path) -> None:
    s, devices, creds = site
    for d in s:
        d.set_fault("latency", seconds=0.05)
    journal = tmp_path / "cancelled.journal"

    async def main() -> int:
        fleet = hikproto.aio.Fleet.from_devices_file(devices, creds, concurrency=2)
        three = asyncio.Event()

        def progress(done: int, total: int, device: str, ok: bool) -> None:
            if done >= 3:
                three.set()

        task = asyncio.ensure_future(fleet.rotate(journal, progress=progress))
        await three.wait()  # cancelled by observed progress, not after a delay
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.5)  # a run that went on would rotate more devices meanwhile
        left = sum(1 for d in s if d.password("admin") == s.password)
        rows = await fleet.rotate(journal, resume=True, export=tmp_path / "final.csv")
        assert all(r["ok"] for r in rows), rows
        return left

    left = asyncio.run(main())
    assert left >= 6, f"the cancelled run stopped: {left} devices were still untouched"
    final = list(csv.DictReader((tmp_path / "final.csv").read_text().splitlines()))
    assert len(final) == 12
    for d, row in zip(s, final):
        assert row["status"] == "rotated", row
        assert d.password("admin") == row["password"] != s.password
        st = d.stats()
        assert st["auth_failures"] <= 1 and st["locks"] == 0, st
