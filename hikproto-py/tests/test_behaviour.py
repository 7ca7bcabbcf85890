"""Dependable results: exception attributes always present, builtin exception bases, results
that pickle, copy and serialise, argument errors typed, the doctor honest about what it could
not read (its remedies in Python), ``Fleet.map``, the logging bridge (never a secret), the
deadline of ``wait_until_registered``, and a quiet interpreter exit after asyncio cancellation."""

from __future__ import annotations

import asyncio
import builtins
import copy
import json
import logging
import pickle
import subprocess
import sys
import time
from typing import Any, Dict, List

import pytest

import hikproto
import hikproto.aio
from hikproto.sim import Simulator

PW = "Gx7!pLm2qR"
CODE = "Hk7Q2mZx"

#: Every exception class and the attributes its stub declares (inherited ones included).
DECLARED: Dict[str, List[str]] = {
    "HikprotoError": [],
    "TransportError": ["host"],
    "TlsError": ["host", "reason"],
    "DeviceTimeoutError": ["operation", "after"],
    "AuthenticationError": ["user", "attempts_left"],
    "LockedError": ["user", "attempts_left", "retry_after"],
    "CredentialLatchedError": ["user", "attempts_left"],
    "DeviceError": ["request", "http_status", "status_code", "status_string", "sub_status_code", "error_code", "error_msg"],
    "NotSupportedError": ["request", "http_status", "status_code", "status_string", "sub_status_code", "error_code", "error_msg"],
    "NotActivatedError": ["request", "http_status", "status_code", "status_string", "sub_status_code", "error_code", "error_msg"],
    "AlreadyActivatedError": ["request", "http_status", "status_code", "status_string", "sub_status_code", "error_code", "error_msg"],
    "DecodeError": ["what", "limit"],
    "InvalidArgumentError": [],
    "ResetFileError": ["kind", "path", "expected", "found", "age", "limit", "size", "op"],
    "SimulatorError": [],
}


def test_every_declared_attribute_is_always_present() -> None:
    for name, attrs in DECLARED.items():
        cls = getattr(hikproto, name)
        e = cls("message")
        for a in attrs:
            assert getattr(e, a) is None, (name, a)
        # and on the class itself, so that subclasses and raised instances have it too
        for a in attrs:
            assert hasattr(cls, a), (name, a)


def test_raised_exceptions_carry_every_attribute() -> None:
    with Simulator(devices=1, password=None) as s:
        with pytest.raises(hikproto.NotActivatedError) as ei:
            s[0].client(password=PW).device_info()
        e = ei.value
        for a in DECLARED["NotActivatedError"]:
            getattr(e, a)  # no AttributeError
        assert e.sub_status_code == "notActivated"
    with Simulator(devices=1, password=PW) as s:
        with pytest.raises(hikproto.AuthenticationError) as ai:
            s[0].client(password="Wrong-Passw0rd!").device_info()
        for a in DECLARED["AuthenticationError"]:
            getattr(ai.value, a)


def test_builtin_bases_and_no_shadowing() -> None:
    assert issubclass(hikproto.DeviceTimeoutError, builtins.TimeoutError)
    assert issubclass(hikproto.DeviceTimeoutError, hikproto.HikprotoError)
    assert issubclass(hikproto.TransportError, builtins.ConnectionError)
    assert issubclass(hikproto.TlsError, builtins.ConnectionError)
    assert issubclass(hikproto.TransportError, hikproto.HikprotoError)
    ns: Dict[str, Any] = {}
    exec("from hikproto import *", ns)  # noqa: S102 - the point of the test
    for name in ns:
        if name.startswith("__"):
            continue
        assert not hasattr(builtins, name), f"from hikproto import * shadows builtin {name}"
    # a refused connection is caught as the builtin ConnectionError
    with pytest.raises(ConnectionError):
        hikproto.Device("127.0.0.1", "admin", PW, port=9, timeout=3).device_info()


def test_exceptions_pickle() -> None:
    with Simulator(devices=1, password=PW) as s:
        with pytest.raises(hikproto.AuthenticationError) as ei:
            s[0].client(password="Wrong-Passw0rd!").device_info()
    e = pickle.loads(pickle.dumps(ei.value))
    assert type(e) is type(ei.value) and str(e) == str(ei.value)


def _roundtrips(value: Any) -> None:
    assert pickle.loads(pickle.dumps(value)) == value
    assert copy.copy(value) == value
    assert copy.deepcopy(value) == value
    json.dumps(value.to_dict())


def test_results_pickle_copy_and_serialise() -> None:
    with Simulator(devices=2, password=PW) as s:
        dev = s[0].client()
        _roundtrips(dev.device_info())
        _roundtrips(dev.ezviz())
        plan = dev.recovery_plan()
        assert isinstance(plan, hikproto.Record)
        _roundtrips(plan)
        report = dev.doctor(code=CODE)
        _roundtrips(report)
        again = pickle.loads(pickle.dumps(report))
        assert again.findings == report.findings and again.facts == report.facts
        s[1].set_fault("http500")
        fleet = hikproto.Fleet(s.clients())
        for results in (fleet.device_info(), fleet.run("recovery_plan"), fleet.doctor()):
            for r in results:
                clone = pickle.loads(pickle.dumps(r))
                assert clone.index == r.index and clone.ok == r.ok
                copy.copy(r)
                copy.deepcopy(r)
                text = json.dumps(r.to_dict())
                assert PW not in text
        bad = fleet.device_info()[1]
        assert not bad.ok and bad.to_dict()["error"]["type"] == "DeviceError"


@pytest.mark.parametrize("fault", ["http500", "garbage_xml", "drop_connections", "latency"])
def test_the_doctor_never_calls_an_unread_device_healthy(fault: str) -> None:
    with Simulator(devices=1, password=PW) as s:
        s[0].set_fault(fault, 5.0 if fault == "latency" else None)
        report = s[0].client(timeout=1.0).doctor()
        assert not report.healthy, report
        assert not report.checked
        assert report.unchecked, report
        assert all(reason for _, reason in report.unchecked)
        assert "NOT CHECKED" in report.text or report.findings
        json.dumps(report.to_dict())


def test_the_doctor_exposes_its_facts_and_speaks_python() -> None:
    with Simulator(devices=1, password=PW) as s:
        report = s[0].client().doctor(code=CODE)
        assert report.facts is not None
        assert report.facts.reachability is not None
        assert "device_info" in report.facts or "device" in report.facts
        assert CODE not in repr(report.facts.to_dict())
        calls = [st.call for f in report.findings for st in f.remedy if st.call]
        assert calls, report.text
        for c in calls:
            assert "::" not in c and "&" not in c, c
        assert "API:" not in report.text and "hikproto::" not in report.text


def test_fleet_map_runs_a_function_per_device_and_keeps_errors_apart() -> None:
    with Simulator(devices=3, password=PW) as s:
        s[1].set_fault("http500")

        def survey(dev: hikproto.Device) -> Any:
            return dev.device_info().model, dev.ezviz().enabled

        seen: List[hikproto.FleetProgress] = []
        results = hikproto.Fleet(s.clients()).map(survey, concurrency=2, progress=seen.append)
        assert [r.index for r in results] == [0, 1, 2]
        assert results[0].ok and results[2].ok and not results[1].ok
        assert isinstance(results[1].error, hikproto.DeviceError)
        assert results[0].value[0] == s[0].client().device_info().model
        assert len(seen) == 3 and seen[-1].done == 3
        json.dumps([r.to_dict() for r in results])
        with pytest.raises(hikproto.InvalidArgumentError):
            hikproto.Fleet(s.clients()).map(survey, concurrency=0)

        async def main() -> List[hikproto.FleetResult]:
            async def one(dev: hikproto.aio.Device) -> str:
                return (await dev.device_info()).model or ""

            fleet = hikproto.aio.Fleet([d.aio_client() for d in s])
            return await fleet.map(one)

        aio = asyncio.run(main())
        assert [r.ok for r in aio] == [True, False, True]


def test_logging_bridge_carries_records_and_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="hikproto")
    time.sleep(1.1)  # the bridge reads the logger's level at most once a second
    with Simulator(devices=1, password=PW) as s:
        dev = s[0].client()
        dev.set_verification_code(CODE)
        dev.enable_platform_access(CODE)
        with pytest.raises(hikproto.AuthenticationError):
            s[0].client(password="Wr0ng-Secret!x").device_info()
        dev.device_info()
    records = [r for r in caplog.records if r.name.startswith("hikproto")]
    assert records, "the library's records reach Python logging"
    text = "\n".join(f"{r.name} {r.getMessage()}" for r in records)
    for secret in (PW, CODE, "Wr0ng-Secret!x"):
        assert secret not in text


def test_wait_stops_early_or_keeps_its_deadline() -> None:
    with Simulator(devices=1, password=PW) as s:
        dev = s[0].client()
        # platform access off: it could never register, so it says so at once
        t = time.monotonic()
        with pytest.raises(hikproto.DeviceError) as ei:
            dev.wait_until_registered(timeout=30)
        assert time.monotonic() - t < 20
        assert ei.value.sub_status_code == "platformAccessDisabled"
        assert "enable" in str(ei.value)
    snap_dev = {"verification_code": CODE}
    with Simulator(devices=1, password=PW) as s:
        snap = s.snapshot()
    d = snap["devices"][0]
    d.update(snap_dev)
    d["http_port"] = 0
    d["ezviz"]["enabled"] = True
    d["network"].update({"dns1": "0.0.0.0", "dns2": ""})  # never reaches the platform
    with Simulator(devices=0, password=PW, config=snap) as s:
        dev = s[0].client()
        t = time.monotonic()
        with pytest.raises(hikproto.DeviceTimeoutError) as te:
            dev.wait_until_registered(timeout=1.5)
        elapsed = time.monotonic() - t
        assert elapsed >= 1.5, f"gave up after {elapsed:.2f} s of 1.5 s"
        assert elapsed < 10
        assert isinstance(te.value, TimeoutError)


_EXIT_SCRIPT = """
import asyncio, os, signal, sys, threading
import hikproto.aio
from hikproto.sim import Simulator

s = Simulator(devices=1, password=%r)
s[0].set_fault("latency", 0.5)

async def main():
    dev = s[0].aio_client(timeout=30)
    # cancelled by a timeout, and explicitly
    try:
        await asyncio.wait_for(dev.device_info(), 0.1)
    except asyncio.TimeoutError:
        pass
    task = asyncio.ensure_future(dev.device_info())
    await asyncio.sleep(0.05)
    task.cancel()
    # many calls in flight, then Ctrl-C just before they finish: they end while the
    # interpreter exits
    devs = [s[0].aio_client(timeout=30) for _ in range(20)]
    tasks = [asyncio.ensure_future(d.device_info()) for d in devs]
    await asyncio.sleep(0.45)
    threading.Timer(0.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    await asyncio.sleep(5)

try:
    asyncio.run(main())
except KeyboardInterrupt:
    pass
print("done")
""" % PW


def test_no_panic_at_exit_after_asyncio_cancellation() -> None:
    # without the exit hook this printed "The Python interpreter is not initialized" panics
    for _ in range(3):
        p = subprocess.run([sys.executable, "-c", _EXIT_SCRIPT], capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        assert "done" in p.stdout
        assert "panicked" not in p.stderr and "not initialized" not in p.stderr, p.stderr


def test_discovery_order_is_documented_and_a_wrong_mac_gets_a_hint() -> None:
    assert "order" in (hikproto.sadp.discover.__doc__ or "")
    with Simulator(devices=1, password=PW, sadp=True) as s:
        addr = s[0].sadp_addr
        assert addr is not None
        client = hikproto.sadp.Client(timeout=1.0)
        with pytest.raises(hikproto.DeviceTimeoutError) as ei:
            client.blink(("00-11-22-33-44-55", addr))
        assert "MAC" in str(ei.value), str(ei.value)
