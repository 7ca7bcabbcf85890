"""hikproto.Fleet over simulated devices: a 200-device sweep, per-device errors, progress,
limits, cancellation from the progress callback."""

from __future__ import annotations

import threading
import time
from typing import Iterator, List

import pytest

import hikproto
from hikproto.sim import Simulator


@pytest.fixture(scope="module")
def site200() -> Iterator[Simulator]:
    with Simulator(devices=200) as s:
        yield s


def test_200_device_sweep_with_progress(site200: Simulator) -> None:
    devices = site200.clients()
    seen: List[hikproto.FleetProgress] = []
    caller = threading.get_ident()
    threads = set()

    def progress(p: hikproto.FleetProgress) -> None:
        seen.append(p)
        threads.add(threading.get_ident())

    fleet = hikproto.Fleet(devices, concurrency=64)
    assert len(fleet) == 200
    t0 = time.monotonic()
    results = fleet.run(hikproto.Device.device_info, progress=progress)
    elapsed = time.monotonic() - t0
    assert len(results) == 200
    assert [r.index for r in results] == list(range(200))
    assert all(r.ok for r in results), [r.error for r in results if not r.ok][:3]
    assert [r.value.serial_number for r in results] == [d.serial for d in site200]
    assert all(r.device == d.base_url for r, d in zip(results, devices))
    assert sorted(p.done for p in seen) == list(range(1, 201))
    assert all(p.total == 200 for p in seen)
    assert threads == {caller}  # the callback runs on the calling thread
    assert elapsed < 60
    row = results[0].to_dict()
    assert row["ok"] and row["value"]["serial_number"] == site200[0].serial


def test_per_device_errors_do_not_affect_others() -> None:
    with Simulator(devices=6) as s:
        devices = [
            # two different wrong passwords: the devices share one address, and with it the
            # lock-out latch (one wrong password would be sent to the first only)
            d.client(password=f"Wr0ng-Passw0rd-{d.index}!" if d.index % 3 == 0 else s.password)
            for d in s
        ]
        s[1].set_fault("http500")
        results = hikproto.Fleet(devices, concurrency=3, per_account_limit=2).run("device_info")
        kinds = [type(r.error) if r.error else None for r in results]
        assert kinds == [
            hikproto.AuthenticationError,
            hikproto.DeviceError,
            None,
            hikproto.AuthenticationError,
            None,
            None,
        ]
        with pytest.raises(hikproto.AuthenticationError):
            results[0].unwrap()
        assert results[2].unwrap().serial_number == s[2].serial
        d = results[0].to_dict()
        assert d["error"]["type"] == "AuthenticationError" and d["value"] is None


def test_deadline_and_raw_operations(site200: Simulator) -> None:
    fleet = hikproto.Fleet(site200.clients()[:4], deadline=10)
    results = fleet.run("get_json", path="/ISAPI/System/deviceInfo")
    # Whatever the device answers to a JSON request, every device gets its own outcome.
    assert len(results) == 4
    with Simulator(devices=2) as s:
        s[0].set_fault("latency", seconds=3)
        r = hikproto.Fleet(s.clients(), deadline=0.5).run("device_info")
        assert isinstance(r[0].error, hikproto.DeviceTimeoutError)
        assert r[1].ok


def test_bad_operation_fails_before_any_traffic(site200: Simulator) -> None:
    fleet = hikproto.Fleet(site200.clients()[:2])
    with pytest.raises(hikproto.InvalidArgumentError):
        fleet.run("format_everything")
    with pytest.raises(hikproto.InvalidArgumentError):
        fleet.run("get_xml")  # missing path


def test_progress_exception_cancels_the_run() -> None:
    with Simulator(devices=20) as s:
        for d in s:
            d.set_fault("latency", seconds=0.2)

        class Stop(Exception):
            pass

        calls = []

        def progress(p: hikproto.FleetProgress) -> None:
            calls.append(p.done)
            raise Stop

        t0 = time.monotonic()
        with pytest.raises(Stop):
            hikproto.Fleet(s.clients(), concurrency=2).run("device_info", progress=progress)
        assert calls == [1]
        assert time.monotonic() - t0 < 2  # 20 devices × 0.2 s at 2 at a time would be ~2 s+
