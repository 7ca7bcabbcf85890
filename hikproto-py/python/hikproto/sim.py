"""Simulated Hikvision devices (``hikproto-sim``) for your own tests and demos.

Each device listens on its own loopback port and behaves like a real one: digest
authentication verified device-side, lock-out after failed logins, activation, Hik-Connect
platform access, recovery routes, faults on demand. Nothing leaves the machine::

    with hikproto.sim.Simulator(devices=3, password="Passw0rd!x") as site:
        for dev in site.clients():
            print(dev.device_info().serial_number)

A pytest fixture ``hikproto_sim`` (one activated device) is registered automatically.
"""

from __future__ import annotations

import dataclasses
from types import TracebackType
from typing import Any, Dict, Iterator, List, Mapping, Optional, Type, Union

from . import _hikproto
from ._device import Device
from ._models import Record
from .aio import Device as AsyncDevice

__all__ = ["Simulator", "SimDevice", "DEFAULT_PASSWORD"]

#: The admin password of simulated devices unless told otherwise.
DEFAULT_PASSWORD = "Passw0rd!x"

_UNSET: Any = object()


@dataclasses.dataclass(frozen=True)
class SimDevice:
    """One simulated device: where it listens, who it is, and test controls."""

    index: int
    ip: str
    port: int
    isapi_url: str
    https_port: Optional[int]
    cert_sha256: Optional[str]
    sadp_addr: Optional[str]
    serial: str
    short_serial: str
    model: str
    mac: str
    _site: "Simulator" = dataclasses.field(repr=False, compare=False)

    def client(
        self,
        user: Optional[str] = "admin",
        password: Optional[str] = _UNSET,
        *,
        https: bool = False,
        **options: Any,
    ) -> Device:
        """A ``hikproto.Device`` for this simulated device (the site's password by default)."""
        pw = self._site.password if password is _UNSET else password
        if user is None:
            pw = None
        if https:
            if self.https_port is None:
                raise ValueError("start the simulator with https=True")
            options.setdefault("pin_sha256", self.cert_sha256)
            return Device(self.ip, user, pw, port=self.https_port, https=True, **options)
        return Device(self.ip, user, pw, port=self.port, **options)

    def aio_client(
        self, user: Optional[str] = "admin", password: Optional[str] = _UNSET, **options: Any
    ) -> AsyncDevice:
        """A ``hikproto.aio.Device`` for this simulated device."""
        pw = self._site.password if password is _UNSET else password
        return AsyncDevice(self.ip, user, pw if user is not None else None, port=self.port, **options)

    def stats(self) -> Record:
        """The device's counters: requests, logins, auth_failures, locks,
        repeated_rejected_credentials, endpoints (hits per ``"METHOD /path"``), …"""
        return Record(self._site._inner.stats(self.index))

    def reset_stats(self) -> None:
        """Zeroes the counters."""
        self._site._inner.reset_stats(self.index)

    def set_fault(self, name: str, seconds: Optional[float] = None) -> None:
        """``latency`` (``seconds=``), ``drop_connections``, ``truncated_bodies``, ``http500``,
        ``garbage_xml``, ``wrong_content_type`` or ``stop_reading``."""
        self._site._inner.set_fault(self.index, name, seconds)

    def clear_faults(self) -> None:
        """Switches every fault off."""
        self._site._inner.clear_faults(self.index)

    @property
    def activated(self) -> bool:
        """Whether the device is activated."""
        return self._site._inner.is_activated(self.index)

    def password(self, user: str = "admin") -> Optional[str]:
        """The password the device holds for ``user`` (test helper)."""
        return self._site._inner.password(self.index, user)

    def verification_code(self) -> Optional[str]:
        """The verification code the device holds (test helper)."""
        return self._site._inner.verification_code(self.index)

    def unlock_all(self) -> None:
        """Lifts every login lock."""
        self._site._inner.unlock_all(self.index)

    def reboot(self) -> None:
        """Reboots the device (unreachable for a while)."""
        self._site._inner.reboot(self.index)

    @property
    def rebooting(self) -> bool:
        """Whether the device is rebooting."""
        return self._site._inner.is_rebooting(self.index)


def _simulator() -> Any:
    """The extension's simulator class; a build without the ``sim`` feature has none."""
    cls = getattr(_hikproto, "Simulator", None)
    if cls is None:
        raise RuntimeError(
            "this build of hikproto has no simulator: build the extension with the `sim` feature "
            "(maturin build --features sim, or MATURIN_PEP517_ARGS='--features sim' pip install "
            "./hikproto-py)"
        )
    return cls


class Simulator:
    """A running simulated site; a context manager that stops it on exit.

    ``devices`` default cameras are added after those of ``config`` (a dict, or TOML/JSON text in
    the simulator's configuration format). They are activated with ``password`` (``None``: factory
    state, not activated). ``personality`` overrides fields of the default camera personality,
    e.g. ``{"auth": "digest-sha256", "namespace": "isapi-v20"}``. ``https=True`` also serves HTTPS
    with a self-signed certificate (``SimDevice.cert_sha256`` pins it). ``sadp=True`` starts a
    SADP responder per device on loopback (``SimDevice.sadp_addr``).
    """

    def __init__(
        self,
        devices: int = 1,
        *,
        password: Optional[str] = DEFAULT_PASSWORD,
        personality: Optional[Mapping[str, Any]] = None,
        config: Union[Mapping[str, Any], str, None] = None,
        https: bool = False,
        sadp: bool = False,
    ) -> None:
        self.password = password
        self._inner = _simulator()(
            devices,
            password=password,
            personality=dict(personality) if personality is not None else None,
            config=dict(config) if isinstance(config, Mapping) else config,
            https=https,
            sadp=sadp,
        )
        self._devices: List[SimDevice] = [
            SimDevice(**self._inner.device(i), _site=self) for i in range(len(self._inner))
        ]

    @property
    def devices(self) -> List[SimDevice]:
        """The simulated devices, in order."""
        return list(self._devices)

    def __len__(self) -> int:
        return len(self._devices)

    def __getitem__(self, i: int) -> SimDevice:
        return self._devices[i]

    def __iter__(self) -> Iterator[SimDevice]:
        return iter(self._devices)

    def clients(self, user: Optional[str] = "admin", password: Optional[str] = _UNSET, **options: Any) -> List[Device]:
        """One ``hikproto.Device`` per simulated device."""
        return [d.client(user, password, **options) for d in self._devices]

    @property
    def running(self) -> bool:
        """True until ``stop()``."""
        return self._inner.running

    def stop(self) -> None:
        """Stops every device (idempotent)."""
        self._inner.stop()

    def __enter__(self) -> "Simulator":
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return repr(self._inner)

    # -- the simulated Hik-Connect platform and support desk -------------------------------------

    def platform_bind(self, serial: str, account: str, code: str) -> None:
        """Binds a device to an account on the simulated platform (as the app would)."""
        self._inner.platform_bind(serial, account, code)

    def platform_unbind(self, serial: str) -> None:
        """Unbinds a device on the simulated platform."""
        self._inner.platform_unbind(serial)

    def platform_record(self, serial: str) -> Optional[Record]:
        """What the simulated platform holds about a device (``None`` when nothing)."""
        rec = self._inner.platform_record(serial)
        return None if rec is None else Record(rec)

    def snapshot(self) -> Dict[str, Any]:
        """The site's configuration including current device state."""
        snap: Dict[str, Any] = self._inner.snapshot()
        return snap

    @staticmethod
    def support_answer_email_qr(qr: str) -> str:
        """Plays the vendor's mail service (simulator test scheme): the code for a QR payload."""
        return _simulator().support_answer_email_qr(qr)

    @staticmethod
    def support_answer_app_qr(qr: str) -> str:
        """Plays the Hik-Connect app (simulator test scheme): the code it shows for a reset QR."""
        return _simulator().support_answer_app_qr(qr)

    @staticmethod
    def support_answer_export(export: str) -> str:
        """Plays the vendor's support desk (simulator test scheme): the reply to an export."""
        return _simulator().support_answer_export(export)
