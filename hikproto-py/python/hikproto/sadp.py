"""SADP: find devices on the LAN and send them the commands SADP offers (activation,
reset codes, restore-inactive, blink, …).

``discover()`` without arguments performs the LAN search of the vendor tool (multicast and
broadcast to port 37020). ``addresses=["ip:port", ...]`` sends unicast inquiries only, and
``subnet=("first_ip", "last_ip")`` sweeps a range. Commands take a discovered device, or a
``(mac, "ip:port")`` pair::

    for dev in hikproto.sadp.discover(timeout=3):
        print(dev.mac, dev.address, dev.info().get("device_type"))
    hikproto.sadp.Client().activate(dev, "Passw0rd!x")
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple, Union

from . import _hikproto
from ._models import Record, record

__all__ = ["discover", "Client", "SadpDevice", "Target"]

SadpDevice = _hikproto.SadpDevice
#: A discovered device, or ``(mac, "ip:port")``.
Target = Union[_hikproto.SadpDevice, Tuple[str, str]]


def discover(
    *,
    addresses: Optional[Sequence[str]] = None,
    subnet: Optional[Tuple[str, str]] = None,
    timeout: float = 3.0,
    expect: Optional[int] = None,
    bind: Optional[str] = None,
) -> List[_hikproto.SadpDevice]:
    """Searches for devices for ``timeout`` seconds (or until ``expect`` have answered)."""
    return _hikproto.sadp_discover(
        addresses=list(addresses) if addresses is not None else None,
        subnet=subnet,
        timeout=timeout,
        expect=expect,
        bind=bind,
    )


def info(device: _hikproto.SadpDevice) -> Record:
    """What a discovered device said about itself, as a ``Record``."""
    return Record(device.info())


class Client:
    """Sends SADP commands (one UDP socket; replies are matched by MAC and request id)."""

    __slots__ = ("_inner",)

    def __init__(self, *, timeout: float = 10.0, bind: Optional[str] = None) -> None:
        self._inner = _hikproto.SadpClient(timeout=timeout, bind=bind)

    def _call(self, op: str, target: Target, **kwargs: Any) -> Any:
        return self._inner.call(op, target, kwargs)

    def activate(self, target: Target, password: str) -> None:
        """Activates a factory-state device with its first admin password."""
        self._call("activate", target, password=password)

    def device_code(self, target: Target) -> str:
        """The device code for a support-issued reset code (serial-bound)."""
        code: str = self._call("device_code", target)
        return code

    def encrypt_string(self, target: Target) -> str:
        """The export-file reset "encrypted string" to send to support (replaces older ones)."""
        s: str = self._call("encrypt_string", target)
        return s

    def reset_with_code(
        self, target: Target, code: str, new_password: str, *, sync_camera_passwords: bool = False
    ) -> None:
        """Resets the admin password with a code from support."""
        self._call(
            "reset_with_code",
            target,
            code=code,
            new_password=new_password,
            sync_camera_passwords=sync_camera_passwords,
        )

    def restore_inactive(self, target: Target, password: str) -> None:
        """Returns the device to "not activated" (needs the admin password)."""
        self._call("restore_inactive", target, password=password)

    def password_reset_types(self, target: Target) -> Any:
        """Which reset methods are configured on the device."""
        return record(self._call("password_reset_types", target))

    def unbind_status(self, target: Target) -> Any:
        """The Hik-Connect unbind status SADP reports."""
        return record(self._call("unbind_status", target))

    def blink(self, target: Target, on: bool = True) -> None:
        """Makes the device blink (to find it on a shelf)."""
        self._call("blink", target, on=on)
