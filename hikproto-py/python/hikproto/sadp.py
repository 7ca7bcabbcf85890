"""SADP: find devices on the LAN and send them the commands SADP offers (activation,
reset codes, restore-inactive, blink, …).

``discover()`` without arguments performs the LAN search of the vendor tool (multicast and
broadcast to port 37020). ``addresses=["ip:port", ...]`` sends unicast inquiries only, and
``subnet=("first_ip", "last_ip")`` sweeps a range. Commands take a discovered device, or a
``(mac, "ip:port")`` pair::

    for dev in hikproto.sadp.discover(timeout=3):
        print(dev.mac, dev.address, dev.info().get("device_type"))
    hikproto.sadp.Client().activate(dev, "Passw0rd!x")

``hikproto.aio.sadp`` offers the same as awaitables (both clients derive from ``Commands``).
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from typing import Any, Callable, Dict, Generic, List, Mapping, Optional, Sequence, Tuple, TypeVar, Union, cast

from . import _hikproto
from ._models import Record, record
from .reset_files import KeyFileRecord

#: Security-question answers: ``{question_id: answer}`` or ``[(question_id, answer), ...]``.
Answers = Union[Mapping[int, str], Sequence[Tuple[int, str]]]
PathLike = Union[str, "os.PathLike[str]"]

__all__ = ["discover", "Client", "Commands", "SadpDevice", "Target"]

SadpDevice = _hikproto.SadpDevice
#: A discovered device, or ``(mac, "ip:port")``.
Target = Union[_hikproto.SadpDevice, Tuple[str, str]]


def _search_args(
    addresses: Optional[Sequence[str]],
    subnet: Optional[Tuple[str, str]],
    timeout: float,
    expect: Optional[int],
    bind: Optional[str],
) -> Dict[str, Any]:
    """The keyword arguments of the extension's search (shared with ``hikproto.aio.sadp``)."""
    return dict(
        addresses=list(addresses) if addresses is not None else None,
        subnet=subnet,
        timeout=timeout,
        expect=expect,
        bind=bind,
    )


def discover(
    *,
    addresses: Optional[Sequence[str]] = None,
    subnet: Optional[Tuple[str, str]] = None,
    timeout: float = 3.0,
    expect: Optional[int] = None,
    bind: Optional[str] = None,
) -> List[_hikproto.SadpDevice]:
    """Searches for devices for ``timeout`` seconds (or until ``expect`` have answered).

    Devices come back in the order their first answers arrived (which varies from run to run);
    sort them for a stable listing, e.g. ``sorted(found, key=lambda d: d.address)``. A command
    sent to a MAC no device has times out with a hint to check the MAC."""
    return _hikproto.sadp_discover(**_search_args(addresses, subnet, timeout, expect, bind))


def info(device: _hikproto.SadpDevice) -> Record:
    """What a discovered device said about itself, as a ``Record``."""
    return Record(device.info())


def _nothing(raw: Any) -> None:
    return None


def _same(raw: Any) -> Any:
    return raw


def _records(raw: Any) -> Tuple[Record, ...]:
    return tuple(Record(q) for q in raw)


# What a command returns in a flavour: the value itself (``Client``) or an awaitable of it
# (``hikproto.aio.sadp.Client``), for commands without a result, with text, with a ``record()``,
# a ``Record``, a tuple of them, and a ``KeyFileRecord``.
_Done = TypeVar("_Done")
_Text = TypeVar("_Text")
_Any = TypeVar("_Any")
_Rec = TypeVar("_Rec")
_Recs = TypeVar("_Recs")
_Key = TypeVar("_Key")
_C = TypeVar("_C", bound="Commands[Any, Any, Any, Any, Any, Any]")


class Commands(ABC, Generic[_Done, _Text, _Any, _Rec, _Recs, _Key]):
    """The SADP commands (one UDP socket; replies are matched by MAC and request id), common to
    the blocking ``Client`` and the asyncio ``hikproto.aio.sadp.Client``. Each command is an
    operation name with keyword arguments and a conversion of its raw result; a flavour says in
    ``_call`` how it runs one. The type parameters are what a command returns in the flavour."""

    __slots__ = ("_inner",)

    def __init__(self, *, timeout: float = 10.0, bind: Optional[str] = None) -> None:
        self._inner = _hikproto.SadpClient(timeout=timeout, bind=bind)

    def allow_plaintext_secrets(self: _C) -> _C:
        """A client on the same socket whose commands may send **in clear** a secret SADP 3.0
        cannot seal: a reset code to a device that does not advertise ``codeEncrypt``, the legacy
        security code, the GUID of a GUID reset. Without it those commands raise
        ``InvalidInputError`` before anything is sent. Passwords, answers, e-mail addresses and
        verification codes are always sealed. Use it per command, on a trusted LAN only:
        ``client.allow_plaintext_secrets().reset_with_guid(...)``."""
        c = object.__new__(type(self))
        c._inner = self._inner.allow_plaintext_secrets()
        return c

    @property
    def plaintext_secrets_allowed(self) -> bool:
        """True for a client made by :meth:`allow_plaintext_secrets`."""
        return bool(self._inner.plaintext_secrets_allowed)

    @abstractmethod
    def _call(self, op: str, target: Target, convert: Callable[[Any], Any], kwargs: Dict[str, Any]) -> Any:
        """Runs command ``op``: its converted result, or an awaitable of it (each flavour says how)."""

    def _done(self, op: str, target: Target, **kwargs: Any) -> _Done:
        return cast(_Done, self._call(op, target, _nothing, kwargs))

    def _text(self, op: str, target: Target, **kwargs: Any) -> _Text:
        return cast(_Text, self._call(op, target, _same, kwargs))

    def _any(self, op: str, target: Target, **kwargs: Any) -> _Any:
        return cast(_Any, self._call(op, target, record, kwargs))

    def _record(self, op: str, target: Target, **kwargs: Any) -> _Rec:
        return cast(_Rec, self._call(op, target, Record, kwargs))

    def _records(self, op: str, target: Target, **kwargs: Any) -> _Recs:
        return cast(_Recs, self._call(op, target, _records, kwargs))

    def _key_file(self, op: str, target: Target, **kwargs: Any) -> _Key:
        return cast(_Key, self._call(op, target, KeyFileRecord._of, kwargs))

    def activate(self, target: Target, password: str) -> _Done:
        """Activates a factory-state device with its first admin password."""
        return self._done("activate", target, password=password)

    def device_code(self, target: Target) -> _Text:
        """The device code for a support-issued reset code (serial-bound)."""
        return self._text("device_code", target)

    def encrypt_string(self, target: Target) -> _Text:
        """The export-file reset "encrypted string" to send to support (replaces older ones)."""
        return self._text("encrypt_string", target)

    def reset_with_code(
        self, target: Target, code: str, new_password: str, *, sync_camera_passwords: bool = False
    ) -> _Done:
        """Resets the admin password with a code from support."""
        return self._done(
            "reset_with_code",
            target,
            code=code,
            new_password=new_password,
            sync_camera_passwords=sync_camera_passwords,
        )

    def restore_inactive(self, target: Target, password: str) -> _Done:
        """Returns the device to "not activated" (needs the admin password)."""
        return self._done("restore_inactive", target, password=password)

    def password_reset_types(self, target: Target) -> _Any:
        """Which reset methods are configured on the device."""
        return self._any("password_reset_types", target)

    def unbind_status(self, target: Target) -> _Any:
        """The Hik-Connect unbind status SADP reports."""
        return self._any("unbind_status", target)

    def blink(self, target: Target, on: bool = True) -> _Done:
        """Makes the device blink (to find it on a shelf)."""
        return self._done("blink", target, on=on)

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
    ) -> _Done:
        """Changes the network parameters of a discovered device (what it reported is kept
        where an argument is ``None``); authorised by the admin ``password``."""
        return self._done(
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

    def set_platform_access(self, target: Target, enabled: bool, password: str) -> _Done:
        """Enables or disables Hik-Connect platform access."""
        return self._done("set_platform_access", target, enabled=enabled, password=password)

    def set_verification_code(self, target: Target, code: str, password: str) -> _Done:
        """Sets the Hik-Connect verification code (6-12 characters)."""
        return self._done("set_verification_code", target, code=code, password=password)

    def unbind(self, target: Target, password: str) -> _Done:
        """Releases the device from its Hik-Connect account (see ``unbind_status``)."""
        return self._done("unbind", target, password=password)

    # -- password recovery -----------------------------------------------------------------------

    def export_guid(self, target: Target, password: str, path: PathLike) -> _Rec:
        """Exports the GUID reset file to ``path`` (written atomically; whoever holds it can
        reset the password: keep it safe). Returns ``path``, ``size`` and ``serial``."""
        return self._record("export_guid", target, password=password, path=os.fspath(path))

    def reset_with_guid(
        self, target: Target, path: PathLike, new_password: str, *, sync_camera_passwords: bool = False
    ) -> _Done:
        """Resets the admin password with a GUID file exported earlier (its serial is checked
        against a discovered device's). A missing, wrong-sized or other device's file raises
        :class:`hikproto.ResetFileError` (reason in ``.kind``) before anything is sent."""
        return self._done(
            "reset_with_guid",
            target,
            path=os.fspath(path),
            new_password=new_password,
            sync_camera_passwords=sync_camera_passwords,
        )

    def export_key_file(self, target: Target, path: PathLike) -> _Key:
        """Exports the key file to send to vendor support, verbatim, to exactly ``path``, with
        the sidecar ``<path>.hikproto.json`` (serial, export time, boot time; no secrets).
        Returns its record (``serial``, ``exported_at``, ``suggested_name``, ``path``). A new
        export, or a reboot, invalidates earlier ones."""
        return self._key_file("export_key_file", target, path=os.fspath(path))

    def reset_with_reply_file(
        self,
        target: Target,
        reply_path: PathLike,
        new_password: str,
        *,
        key_file: Optional[PathLike] = None,
        sync_camera_passwords: bool = False,
    ) -> _Done:
        """Resets the admin password with support's reply (``Encrypt_<short serial>_*.xml`` or
        ``Encrypt.xml``). The new password is checked against the password policy before anything
        is sent; the reply (and ``key_file``, as ``export_key_file`` wrote it: age, reboot,
        device) after one SADP inquiry for the device's serial and boot time, before the reset
        is sent. Refusals raise ``ResetFileError``. See ``hikproto.reset_files``."""
        return self._done(
            "reset_with_reply_file",
            target,
            reply_path=os.fspath(reply_path),
            new_password=new_password,
            key_file=os.fspath(key_file) if key_file is not None else None,
            sync_camera_passwords=sync_camera_passwords,
        )

    def security_questions(self, target: Target) -> _Recs:
        """The security question ids and whether each is answered (``id``, ``is_set``)."""
        return self._records("security_questions", target)

    def set_security_questions(self, target: Target, answers: Answers, password: str) -> _Done:
        """Sets exactly three security questions with their answers."""
        return self._done("set_security_questions", target, answers=answers, password=password)

    def reset_with_answers(
        self, target: Target, answers: Answers, new_password: str, *, sync_camera_passwords: bool = False
    ) -> _Done:
        """Resets the admin password by answering the security questions."""
        return self._done(
            "reset_with_answers",
            target,
            answers=answers,
            new_password=new_password,
            sync_camera_passwords=sync_camera_passwords,
        )

    def set_mailbox(self, target: Target, address: str, password: str) -> _Done:
        """Sets the reserved e-mail address for the e-mail reset."""
        return self._done("set_mailbox", target, address=address, password=password)

    def mail_reset_qr(self, target: Target) -> _Rec:
        """The QR payload to mail to the vendor's service for an e-mailed reset code
        (``qr_codes``, the masked ``mail_box``, ``mail_service_box``)."""
        return self._record("mail_reset_qr", target)

    def reset_with_mail_code(
        self, target: Target, code: str, new_password: str, *, sync_camera_passwords: bool = False
    ) -> _Done:
        """Resets the admin password with the code received at the reserved e-mail address."""
        return self._done(
            "reset_with_mail_code",
            target,
            code=code,
            new_password=new_password,
            sync_camera_passwords=sync_camera_passwords,
        )

    def phone_reset_qr(self, target: Target) -> _Rec:
        """The QR payload to scan with the Hik-Connect app (``qr_code``, ``domain_name``, ``model``)."""
        return self._record("phone_reset_qr", target)

    def reset_with_phone_code(self, target: Target, code: str, new_password: str) -> _Done:
        """Resets the admin password with the code the Hik-Connect app showed.

        The protocol 3.0 form of ``PhoneNoReset`` is inferred: unverified on real firmware."""
        return self._done("reset_with_phone_code", target, code=code, new_password=new_password)


class Client(Commands[None, str, Any, Record, Tuple[Record, ...], KeyFileRecord]):
    """Sends SADP commands, each blocking until the device answers (GIL released; one UDP
    socket, replies matched by MAC and request id)::

        c = hikproto.sadp.Client()
        print(c.device_code(dev))
    """

    __slots__ = ()

    def _call(self, op: str, target: Target, convert: Callable[[Any], Any], kwargs: Dict[str, Any]) -> Any:
        return convert(self._inner.call(op, target, kwargs))
