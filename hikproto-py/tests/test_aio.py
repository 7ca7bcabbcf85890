"""hikproto.aio: the same operations as awaitables, over the same core."""

from __future__ import annotations

import asyncio
import time

import pytest

import hikproto
import hikproto.aio
from hikproto.sim import Simulator


def test_async_device_info_and_errors() -> None:
    async def main(s: Simulator) -> None:
        async with s[0].aio_client() as dev:
            info = await dev.device_info()
            assert info.serial_number == s[0].serial
            xml = await dev.get_xml("/ISAPI/System/deviceInfo")
            assert s[0].serial in xml
        assert dev.closed
        bad = s[1].aio_client(password="Wr0ng-Passw0rd!")
        with pytest.raises(hikproto.AuthenticationError):
            await bad.device_info()
        plan = await s[1].aio_client().recovery_plan()
        assert len(plan.routes) >= 5

    with Simulator(devices=2) as s:
        asyncio.run(main(s))


def test_many_concurrent_calls_on_one_loop() -> None:
    async def main(s: Simulator) -> list:
        devs = [d.aio_client() for d in s]
        return await asyncio.gather(*(d.device_info() for d in devs))

    with Simulator(devices=30) as s:
        for d in s:
            d.set_fault("latency", seconds=0.3)
        t0 = time.monotonic()
        infos = asyncio.run(main(s))
        elapsed = time.monotonic() - t0
        assert [i.serial_number for i in infos] == [d.serial for d in s]
        assert elapsed < 3  # concurrent, not 30 × 0.3 s in series


def test_cancellation_reaches_the_rust_task() -> None:
    async def main(s: Simulator) -> None:
        dev = s[0].aio_client()
        task = asyncio.ensure_future(dev.device_info())
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    with Simulator(devices=1) as s:
        s[0].set_fault("latency", seconds=5)
        t0 = time.monotonic()
        asyncio.run(main(s))
        assert time.monotonic() - t0 < 3


def test_async_fleet_with_progress() -> None:
    async def main(s: Simulator) -> None:
        seen = []
        fleet = hikproto.aio.Fleet(s.clients(), concurrency=8)
        results = await fleet.run(hikproto.Device.device_info, progress=seen.append)
        assert [r.value.serial_number for r in results] == [d.serial for d in s]
        await asyncio.sleep(0.05)  # progress callbacks are scheduled on the loop
        assert sorted(p.done for p in seen) == list(range(1, len(s) + 1))

    with Simulator(devices=25) as s:
        asyncio.run(main(s))
