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

import os
from typing import Any, List, Mapping, Optional, Sequence, Tuple, Union

from . import _hikproto
from ._models import Record, record
from .reset_files import KeyFileRecord

#: Security-question answers: ``{question_id: answer}`` or ``[(question_id, answer), ...]``.
Answers = Union[Mapping[int, str], Sequence[Tuple[int, str]]]
PathLike = Union[str, "os.PathLike[str]"]

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

    # -- network ---------------------------------------------------------------------------------

    def update_network(
        self,
        target: _hikproto.SadpDevice,
        password: str,
        *,
        address: Optional[str] = None,
        subnet_mask: Optional[str] = None,
        gateway: Optional[str] = None,
        dhcp: Optional[bool] = None,
        command_port: Optional[int] = None,
        http_port: Optional[int] = None,
    ) -> None:
        """Changes the network parameters of a discovered device (what it reported is kept
        where an argument is ``None``); authorised by the admin ``password``."""
        self._call(
            "update_network",
            target,
            password=password,
            address=address,
            subnet_mask=subnet_mask,
            gateway=gateway,
            dhcp=dhcp,
            command_port=command_port,
            http_port=http_port,
        )

    # -- Hik-Connect -----------------------------------------------------------------------------

    def set_platform_access(self, target: Target, enabled: bool, password: str) -> None:
        """Enables or disables Hik-Connect platform access."""
        self._call("set_platform_access", target, enabled=enabled, password=password)

    def set_verification_code(self, target: Target, code: str, password: str) -> None:
        """Sets the Hik-Connect verification code (6-12 characters)."""
        self._call("set_verification_code", target, code=code, password=password)

    def unbind(self, target: Target, password: str) -> None:
        """Releases the device from its Hik-Connect account (see ``unbind_status``)."""
        self._call("unbind", target, password=password)

    # -- password recovery -----------------------------------------------------------------------

    def export_guid(self, target: Target, password: str, path: PathLike) -> Record:
        """Exports the GUID reset file to ``path`` (written atomically; whoever holds it can
        reset the password: keep it safe). Returns ``path``, ``size`` and ``serial``."""
        return Record(self._call("export_guid", target, password=password, path=os.fspath(path)))

    def reset_with_guid(
        self, target: Target, path: PathLike, new_password: str, *, sync_camera_passwords: bool = False
    ) -> None:
        """Resets the admin password with a GUID file exported earlier (its serial is checked
        against a discovered device's). A missing, wrong-sized or other device's file raises
        :class:`hikproto.ResetFileError` (reason in ``.kind``) before anything is sent."""
        self._call(
            "reset_with_guid",
            target,
            path=os.fspath(path),
            new_password=new_password,
            sync_camera_passwords=sync_camera_passwords,
        )

    def export_key_file(self, target: Target, path: PathLike) -> KeyFileRecord:
        """Exports the key file to send to vendor support, verbatim, to exactly ``path``, with
        the sidecar ``<path>.hikproto.json`` (serial, export time, boot time; no secrets).
        Returns its record (``serial``, ``exported_at``, ``suggested_name``, ``path``). A new
        export, or a reboot, invalidates earlier ones."""
        return KeyFileRecord._of(self._inner.export_key_file(target, os.fspath(path)))

    def reset_with_reply_file(
        self,
        target: Target,
        reply_path: PathLike,
        new_password: str,
        *,
        key_file: Optional[PathLike] = None,
        sync_camera_passwords: bool = False,
    ) -> None:
        """Resets the admin password with support's reply (``Encrypt_<short serial>_*.xml`` or
        ``Encrypt.xml``). The new password is checked against the password policy before anything
        is sent; the reply (and ``key_file``, as ``export_key_file`` wrote it: age, reboot,
        device) after one SADP inquiry for the device's serial and boot time, before the reset
        is sent. Refusals raise ``ResetFileError``. See ``hikproto.reset_files``."""
        self._inner.reset_with_reply_file(
            target,
            os.fspath(reply_path),
            new_password,
            key_file=os.fspath(key_file) if key_file is not None else None,
            sync_camera_passwords=sync_camera_passwords,
        )

    def security_questions(self, target: Target) -> Tuple[Record, ...]:
        """The security question ids and whether each is answered (``id``, ``is_set``)."""
        return tuple(Record(q) for q in self._call("security_questions", target))

    def set_security_questions(self, target: Target, answers: Answers, password: str) -> None:
        """Sets exactly three security questions with their answers."""
        self._call("set_security_questions", target, answers=answers, password=password)

    def reset_with_answers(
        self, target: Target, answers: Answers, new_password: str, *, sync_camera_passwords: bool = False
    ) -> None:
        """Resets the admin password by answering the security questions."""
        self._call(
            "reset_with_answers",
            target,
            answers=answers,
            new_password=new_password,
            sync_camera_passwords=sync_camera_passwords,
        )

    def set_mailbox(self, target: Target, address: str, password: str) -> None:
        """Sets the reserved e-mail address for the e-mail reset."""
        self._call("set_mailbox", target, address=address, password=password)

    def mail_reset_qr(self, target: Target) -> Record:
        """The QR payload to mail to the vendor's service for an e-mailed reset code
        (``qr_codes``, the masked ``mail_box``, ``mail_service_box``)."""
        return Record(self._call("mail_reset_qr", target))

    def reset_with_mail_code(
        self, target: Target, code: str, new_password: str, *, sync_camera_passwords: bool = False
    ) -> None:
        """Resets the admin password with the code received at the reserved e-mail address."""
        self._call(
            "reset_with_mail_code",
            target,
            code=code,
            new_password=new_password,
            sync_camera_passwords=sync_camera_passwords,
        )

    def phone_reset_qr(self, target: Target) -> Record:
        """The QR payload to scan with the Hik-Connect app (``qr_code``, ``domain_name``, ``model``)."""
        return Record(self._call("phone_reset_qr", target))

    def reset_with_phone_code(self, target: Target, code: str, new_password: str) -> None:
        """Resets the admin password with the code the Hik-Connect app showed."""
        self._call("reset_with_phone_code", target, code=code, new_password=new_password)
