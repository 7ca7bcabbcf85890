"""``Fleet.map``: a Python callable run once per device, concurrently, with each device's error
captured in its ``FleetResult`` (shared by the blocking and the asyncio fleet).

Where ``Fleet.run`` runs one library operation inside Rust, ``map`` runs *your* function, so that
several reads of one device (say ``device_info``, ``ezviz`` and ``doctor``) take one pass, and a
dead device costs one timeout, not one per read."""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import time
from typing import Any, Callable, List, Optional, Sequence

from ._hikproto import InvalidArgumentError
from ._models import FleetProgress, FleetResult

ProgressCallback = Callable[[FleetProgress], None]

#: Devices worked on at once when ``concurrency`` is not given.
DEFAULT_CONCURRENCY = 32


def _limit(concurrency: Optional[int], n: int) -> int:
    if concurrency is None:
        concurrency = DEFAULT_CONCURRENCY
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise InvalidArgumentError(f"concurrency must be a whole number of at least 1, not {concurrency!r}")
    return max(1, min(concurrency, n))


def _check(fn: Any) -> None:
    if not callable(fn):
        raise InvalidArgumentError(f"map() takes a callable (device -> value), not {type(fn).__name__}")


def map_blocking(
    devices: Sequence[Any],
    fn: Callable[[Any], Any],
    concurrency: Optional[int],
    progress: Optional[ProgressCallback],
) -> List[FleetResult]:
    """Runs ``fn(device)`` for every device on a pool of threads (the library releases the GIL
    while it waits on the network); results in input order."""
    _check(fn)
    results: List[Optional[FleetResult]] = [None] * len(devices)
    if not devices:
        return []

    def one(i: int, device: Any) -> FleetResult:
        t0 = time.monotonic()
        try:
            value, error = fn(device), None
        except Exception as e:  # the device's failure, kept in its result
            value, error = None, e
        return FleetResult(i, device.base_url, value, error, time.monotonic() - t0)

    pool = concurrent.futures.ThreadPoolExecutor(
        max_workers=_limit(concurrency, len(devices)), thread_name_prefix="hikproto-map"
    )
    try:
        futures = [pool.submit(one, i, d) for i, d in enumerate(devices)]
        done = 0
        for f in concurrent.futures.as_completed(futures):
            r = f.result()
            results[r.index] = r
            done += 1
            if progress is not None:
                progress(FleetProgress(done, len(devices), r.device, r.ok))
    except BaseException:
        # Ctrl-C or a raising progress callback: devices not started are not started
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return [r for r in results if r is not None]


async def map_async(
    devices: Sequence[Any],
    fn: Callable[[Any], Any],
    concurrency: Optional[int],
    progress: Optional[ProgressCallback],
) -> List[FleetResult]:
    """Awaits ``fn(device)`` for every device (a coroutine function, or one returning a plain
    value), at most ``concurrency`` at once; results in input order. Cancelling the awaiting
    task cancels every device's call."""
    _check(fn)
    if not devices:
        return []
    gate = asyncio.Semaphore(_limit(concurrency, len(devices)))
    done = 0

    async def one(i: int, device: Any) -> FleetResult:
        nonlocal done
        async with gate:
            t0 = time.monotonic()
            try:
                value = fn(device)
                if inspect.isawaitable(value):
                    value = await value
                error = None
            except Exception as e:  # the device's failure, kept in its result
                value, error = None, e
            r = FleetResult(i, device.base_url, value, error, time.monotonic() - t0)
        done += 1
        if progress is not None:
            progress(FleetProgress(done, len(devices), r.device, r.ok))
        return r

    return list(await asyncio.gather(*(one(i, d) for i, d in enumerate(devices))))


__all__ = ["map_blocking", "map_async", "DEFAULT_CONCURRENCY"]
