"""Fleet work from a devices file as awaitables: ``hikproto.aio.Fleet.from_devices_file``.

The same operations as ``hikproto.DevicesFleet`` (inventory, plan, apply, journaled rotation,
export), each device's result as it finishes through ``async for r in fleet.as_completed(...)``.
Cancelling the awaiting task stops the devices still running; what finished stays finished, so
a cancelled rotation leaves its journal ready for ``rotate(journal, resume=True)``.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any, AsyncIterator, Dict, List, Optional, Sequence

from .. import _hikproto
from .._fleet_file import DevicesFleet as _SyncDevicesFleet
from .._fleet_file import PathLike, ProgressCallback, change_options, rotate_options

__all__ = ["DevicesFleet"]


class DevicesFleet(_SyncDevicesFleet):
    """``hikproto.DevicesFleet`` with awaitable methods (progress callbacks run on the event
    loop, after each device)."""

    __slots__ = ()

    async def as_completed(self, op: str, /, **options: Any) -> AsyncIterator[Dict[str, Any]]:  # type: ignore[override]
        """Yields ``{index, device, ok, value, error}`` per device as each finishes (see
        ``hikproto.DevicesFleet.as_completed``). Leaving the loop early stops the devices still
        running once the generator is closed (``contextlib.aclosing`` closes it at once)."""
        run = self._start(op, options)
        try:
            while True:
                row = await run.next_async()
                if row is None:
                    return
                yield row
        finally:
            run.close()

    async def _collect_async(
        self, op: str, progress: Optional[ProgressCallback], options: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        run = self._start(op, options)
        rows: List[Dict[str, Any]] = []
        try:
            while True:
                row = await run.next_async()
                if row is None:
                    break
                rows.append(row)
                if progress is not None:
                    progress(len(rows), len(self), row["device"], row["ok"])
        finally:
            # also on cancellation: stops the devices still running
            run.close()
        rows.sort(key=lambda r: r["index"])
        return rows

    async def inventory(  # type: ignore[override]
        self, *, progress: Optional[ProgressCallback] = None
    ) -> List[Dict[str, Any]]:
        """Like ``hikproto.DevicesFleet.inventory``."""
        return await self._collect_async("inventory", progress, {})

    async def plan(  # type: ignore[override]
        self,
        *,
        hik_connect: Optional[bool] = None,
        dns: Optional[Sequence[str]] = None,
        ntp: Optional[str] = None,
        code: Optional[str] = None,
        progress: Optional[ProgressCallback] = None,
    ) -> List[Dict[str, Any]]:
        """Like ``hikproto.DevicesFleet.plan`` (nothing is written)."""
        opts = change_options(hik_connect, dns, ntp, code)
        return await self._collect_async("plan", progress, opts)

    async def apply(  # type: ignore[override]
        self,
        *,
        hik_connect: Optional[bool] = None,
        dns: Optional[Sequence[str]] = None,
        ntp: Optional[str] = None,
        code: Optional[str] = None,
        codes_out: Optional[PathLike] = None,
        progress: Optional[ProgressCallback] = None,
    ) -> List[Dict[str, Any]]:
        """Like ``hikproto.DevicesFleet.apply``."""
        opts = change_options(hik_connect, dns, ntp, code, codes_out)
        return await self._collect_async("apply", progress, opts)

    async def rotate(  # type: ignore[override]
        self,
        journal: PathLike,
        *,
        resume: bool = False,
        export: Optional[PathLike] = None,
        progress: Optional[ProgressCallback] = None,
    ) -> List[Dict[str, Any]]:
        """Like ``hikproto.DevicesFleet.rotate``. Cancelled, it leaves the journal ready for
        ``resume=True``."""
        rows = await self._collect_async("rotate", progress, rotate_options(journal, resume))
        if export is not None:
            await self.export(journal, export)
        return rows

    async def export(self, journal: PathLike, out: PathLike) -> int:  # type: ignore[override]
        """Like ``hikproto.DevicesFleet.export`` (the file is written on a worker thread)."""
        args = (self._devices, os.fspath(journal), os.fspath(out), self._credentials)
        loop = asyncio.get_running_loop()
        count: int = await loop.run_in_executor(None, lambda: _hikproto.fleet_file_export(*args))
        return count
