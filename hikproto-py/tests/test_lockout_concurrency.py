"""Single flight through the binding: however many Python threads or asyncio tasks race with
one wrong password, the device counts exactly one failed login, and every call fails with an
authentication error without the password being sent again."""

from __future__ import annotations

import asyncio
import threading
from typing import Callable, List

import hikproto
from hikproto.sim import Simulator


def _one_failed_login(stats: object) -> None:
    assert stats.failed_logins == 1, stats  # type: ignore[attr-defined]
    assert stats.repeated_rejected_credentials == 0, stats  # type: ignore[attr-defined]


def _race(n: int, call: Callable[[], object]) -> List[BaseException]:
    """Runs `call` on `n` threads released together; returns what they raised."""
    errors: List[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(n)

    def work() -> None:
        barrier.wait()
        try:
            call()
        except BaseException as e:  # noqa: BLE001 - collected and checked by the caller
            with lock:
                errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_threads_sharing_one_handle() -> None:
    with Simulator(devices=1) as s:
        dev = s[0].client(password="Wr0ng-Thr3ads-One!")
        errors = _race(64, dev.device_info)
        assert len(errors) == 64
        assert all(isinstance(e, hikproto.AuthenticationError) for e in errors), errors
        assert dev.request_stats().credentials_sent == 1
        _one_failed_login(s[0].stats())


def test_threads_with_separate_handles() -> None:
    with Simulator(devices=1) as s:
        handles = [s[0].client(password="Wr0ng-Thr3ads-Many!") for _ in range(16)]
        it = iter(handles)
        lock = threading.Lock()

        def call() -> object:
            with lock:
                dev = next(it)
            return dev.device_info()

        errors = _race(16, call)
        assert len(errors) == 16
        assert all(isinstance(e, hikproto.AuthenticationError) for e in errors), errors
        _one_failed_login(s[0].stats())


def test_asyncio_gather() -> None:
    async def main(s: Simulator) -> list:
        dev = s[0].aio_client(password="Wr0ng-Asyncio-G4ther!")
        others = [s[0].aio_client(password="Wr0ng-Asyncio-G4ther!") for _ in range(31)]
        calls = [dev.device_info() for _ in range(33)] + [d.device_info() for d in others]
        return await asyncio.gather(*calls, return_exceptions=True)

    with Simulator(devices=1) as s:
        results = asyncio.run(main(s))
        assert len(results) == 64
        assert all(isinstance(r, hikproto.AuthenticationError) for r in results), results
        _one_failed_login(s[0].stats())
