"""Fleet work from a devices file in Python: inventory (with as_completed and a progress
callback), plan/apply, a journaled rotation resumed after Ctrl-C-like early exit, refused files."""

from __future__ import annotations

import csv
import os
import stat
from pathlib import Path
from typing import List, Tuple

import pytest

import hikproto
from hikproto.sim import Simulator


def write_files(s: Simulator, tmp: Path, env_name: str) -> Tuple[Path, Path]:
    devices = tmp / "devices.csv"
    lines = ["host,port,user,site,label,credential"]
    for d in s:
        cred = f"env:{env_name}" if d.index % 2 == 0 else "file:site"
        lines.append(f"{d.ip},{d.port},admin,site{d.index % 2},cam{d.index},{cred}")
    devices.write_text("\n".join(lines) + "\n")
    creds = tmp / "creds"
    creds.write_text(f"site = {s.password}\n")
    creds.chmod(0o600)
    return devices, creds


@pytest.fixture()
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with Simulator(devices=12) as s:
        monkeypatch.setenv("FLEET_TEST_PW", s.password)
        devices, creds = write_files(s, tmp_path, "FLEET_TEST_PW")
        yield s, devices, creds


def test_inventory_as_completed_and_progress(site) -> None:
    s, devices, creds = site
    fleet = hikproto.Fleet.from_devices_file(devices, creds, concurrency=4)
    assert len(fleet) == 12
    seen: List[Tuple[int, int, str, bool]] = []
    rows = fleet.inventory(progress=lambda *a: seen.append(a))
    assert [r["index"] for r in rows] == list(range(12))
    assert sorted(p[0] for p in seen) == list(range(1, 13))
    assert all(p[1] == 12 and p[3] for p in seen)
    for d, r in zip(s, rows):
        assert r["ok"], r
        assert r["value"]["serial"] == d.serial
        assert r["value"]["model"] == d.model
        assert r["value"]["access"] == "ok"
    streamed = list(fleet.as_completed("inventory"))
    assert sorted(r["index"] for r in streamed) == list(range(12))


def test_plan_apply_twice_and_generated_codes(site, tmp_path: Path) -> None:
    s, devices, creds = site
    fleet = hikproto.Fleet.from_devices_file(devices, creds)
    plan = fleet.plan(ntp="ntp.example.org", dns=["1.1.1.1"])
    assert all(r["value"]["changes"] for r in plan)
    codes = tmp_path / "codes.csv"
    applied = fleet.apply(ntp="ntp.example.org", dns=["1.1.1.1"], code="generate", codes_out=codes)
    assert all(r["ok"] for r in applied), applied
    assert stat.S_IMODE(os.stat(codes).st_mode) == 0o600
    written = dict(csv.reader(codes.read_text().splitlines()[1:]))
    for d in s:
        code = d.verification_code()
        if f"admin@{d.ip}:{d.port}" in written:
            assert written[f"admin@{d.ip}:{d.port}"] == code
    again = fleet.plan(ntp="ntp.example.org", dns=["1.1.1.1"], code="generate")
    assert all(r["value"]["changes"] == [] for r in again), again


def test_rotation_with_journal_resume_and_export(site, tmp_path: Path) -> None:
    s, devices, creds = site
    fleet = hikproto.Fleet.from_devices_file(devices, creds, concurrency=2)
    journal = tmp_path / "rotation.journal"
    # leave early: the devices still running are stopped; the journal keeps what happened
    for n, _ in enumerate(fleet.as_completed("rotate", journal=str(journal)), 1):
        if n == 3:
            break
    rows = fleet.rotate(journal, resume=True, export=tmp_path / "final.csv")
    assert all(r["ok"] for r in rows), rows
    final = list(csv.DictReader((tmp_path / "final.csv").read_text().splitlines()))
    assert len(final) == 12
    for d, row in zip(s, final):
        assert row["status"] == "rotated"
        assert d.password("admin") == row["password"] != s.password
        st = d.stats()
        assert st["auth_failures"] <= 1 and st["locks"] == 0
    assert stat.S_IMODE(os.stat(journal).st_mode) == 0o600


def test_bad_files_are_refused_with_file_and_line(site, tmp_path: Path) -> None:
    s, devices, creds = site
    bad = tmp_path / "bad.csv"
    bad.write_text("host,port,credential\n10.0.0.1,80,env:X\n10.0.0.1,80,env:X\nnot a host,1,env:X\n")
    with pytest.raises(hikproto.InvalidArgumentError) as e:
        hikproto.Fleet.from_devices_file(bad)
    assert f"{bad}:3: duplicate device" in str(e.value)
    assert f"{bad}:4: " in str(e.value)
    creds.chmod(0o644)
    with pytest.raises(hikproto.InvalidArgumentError, match="chmod 600"):
        hikproto.Fleet.from_devices_file(devices, creds)
