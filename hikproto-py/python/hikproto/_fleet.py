"""``hikproto.Fleet``: one operation over many devices, run concurrently inside Rust."""

from __future__ import annotations

import os
from typing import Any, Callable, Iterable, List, Optional, Union

from ._device import Device
from ._handle import FleetBase, PerDevice, ProgressCallback
from ._fleet_map import map_blocking
from ._models import FleetResult
from ._fleet_file import DevicesFleet


class Fleet(FleetBase):
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

    __slots__ = ()

    def run(
        self,
        op: Union[str, Callable[..., Any]],
        /,
        *,
        progress: Optional[ProgressCallback] = None,
        per_device: Optional[PerDevice] = None,
        **kwargs: Any,
    ) -> List[FleetResult]:
        """Runs one operation (a name, or a ``Device`` method) with ``kwargs`` on every device.

        ``per_device`` adds or overrides keyword arguments device by device: a mapping keyed by
        the device handle, its ``base_url``, ``"host:port"`` or ``"host"``, or a callable
        ``device -> kwargs``. ``progress`` is called on this thread after each device; if it
        raises, the run is cancelled and the exception propagates. Ctrl-C cancels the run too.
        """
        name, cb, each = self._args(op, progress, per_device, kwargs)
        return self._results(name, self._inner.run(name, kwargs, cb, each))

    @staticmethod
    def from_devices_file(
        devices: "os.PathLike[str] | str",
        credentials: "os.PathLike[str] | str | None" = None,
        *,
        concurrency: int = 16,
        per_account_limit: Optional[int] = None,
        per_site_limit: Optional[int] = None,
        timeout: float = 15.0,
    ) -> DevicesFleet:
        """A fleet from a devices file (CSV or TOML) with per-device credential references:
        inventory, plan/apply, journaled rotation, ``as_completed``. See ``DevicesFleet``."""
        return DevicesFleet(
            devices,
            credentials,
            concurrency=concurrency,
            per_account_limit=per_account_limit,
            per_site_limit=per_site_limit,
            timeout=timeout,
        )

    def map(
        self,
        fn: Callable[[Device], Any],
        /,
        *,
        concurrency: Optional[int] = None,
        progress: Optional[ProgressCallback] = None,
    ) -> List[FleetResult]:
        """Runs your function ``fn(device)`` on every device, ``concurrency`` at once (default
        32), and returns one ``FleetResult`` per device in input order: ``value`` is what ``fn``
        returned, ``error`` the exception it raised on that device (other devices go on)::

            def survey(dev):
                return dev.device_info(), dev.ezviz(), dev.doctor()

            for r in fleet.map(survey):
                print(r.device, r.value if r.ok else r.error)

        ``progress`` is called on this thread after each device; if it raises (or on Ctrl-C),
        devices not yet started are skipped and the exception propagates."""
        return map_blocking(self._devices, fn, concurrency, progress)

    def device_info(self, *, progress: Optional[ProgressCallback] = None) -> List[FleetResult]:
        """``run("device_info")``."""
        return self.run("device_info", progress=progress)

    def doctor(
        self,
        *,
        progress: Optional[ProgressCallback] = None,
        per_device: Optional[PerDevice] = None,
        **kwargs: Any,
    ) -> List[FleetResult]:
        """``run("doctor", ...)``: a ``DoctorReport`` per device (same arguments as
        ``Device.doctor``; give each device its own ``code``/``label_qr`` with ``per_device``)."""
        return self.run("doctor", progress=progress, per_device=per_device, **kwargs)


__all__ = ["Fleet", "Device", "DevicesFleet"]
