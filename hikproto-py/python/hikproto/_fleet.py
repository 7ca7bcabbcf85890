"""``hikproto.Fleet``: one operation over many devices, run concurrently inside Rust."""

from __future__ import annotations

from typing import Any, Callable, Iterable, List, Optional, Union

from . import _hikproto
from ._device import Device
from ._models import FleetProgress, FleetResult
from ._ops import convert, op_name


class Fleet:
    """Many devices and the limits to work on them with.

    ``concurrency`` devices are worked on at once, at most ``per_host_limit`` operations per
    device address and ``per_account_limit`` per user name across the fleet (``None``: no account
    limit); ``deadline`` (seconds) bounds each device's whole operation. The run happens inside
    Rust with the GIL released; results come back in input order, one per device, each with its
    value or its exception, and one device's failure never affects the others::

        fleet = hikproto.Fleet(devices, concurrency=64)
        for r in fleet.run(hikproto.Device.device_info, progress=print):
            print(r.device, r.value.model if r.ok else r.error)
    """

    __slots__ = ("_inner",)

    def __init__(
        self,
        devices: Iterable[Any],
        *,
        concurrency: int = 32,
        per_host_limit: int = 1,
        per_account_limit: Optional[int] = None,
        deadline: Optional[float] = None,
    ) -> None:
        self._inner = _hikproto.Fleet(
            [d._inner for d in devices],
            concurrency=concurrency,
            per_host_limit=per_host_limit,
            per_account_limit=per_account_limit,
            deadline=deadline,
        )

    def __len__(self) -> int:
        return len(self._inner)

    def __repr__(self) -> str:
        return repr(self._inner)

    def run(
        self,
        op: Union[str, Callable[..., Any]],
        /,
        *,
        progress: Optional[Callable[[FleetProgress], None]] = None,
        **kwargs: Any,
    ) -> List[FleetResult]:
        """Runs one operation (a name, or a ``Device`` method) with ``kwargs`` on every device.

        ``progress`` is called on this thread after each device; if it raises, the run is
        cancelled and the exception propagates. Ctrl-C cancels the run too.
        """
        name = op_name(op)
        cb = None
        if progress is not None:
            user_cb = progress

            def cb(done: int, total: int, device: str, ok: bool) -> None:
                user_cb(FleetProgress(done, total, device, ok))

        rows = self._inner.run(name, kwargs, cb)
        return [
            FleetResult(i, dev, None if err is not None else convert(name, val), err, el)
            for (i, dev, val, err, el) in rows
        ]

    def device_info(
        self, *, progress: Optional[Callable[[FleetProgress], None]] = None
    ) -> List[FleetResult]:
        """``run("device_info")``."""
        return self.run("device_info", progress=progress)


__all__ = ["Fleet", "Device"]
