"""Reset files of the key-file route through vendor support, checked without a device.

``hikproto.sadp.Client.export_key_file`` writes the key file (verbatim) and its sidecar
``<file>.hikproto.json`` (serial, export time, boot time); support answers with
``Encrypt_<short serial>_*.xml`` or ``Encrypt.xml``, which
``Client.reset_with_reply_file`` imports. ``check_reply`` runs the same checks on the files
alone. Refusals raise ``hikproto.ResetFileError`` whose ``kind`` names the reason:

``stale`` (export older than 48 h), ``superseded`` (the reply answers an earlier export),
``device_rebooted``, ``other_device`` (``expected``/``found`` short serials), ``wrong_kind``
(``expected``/``found`` file kinds), ``modified`` (changed since hikproto wrote it),
``malformed``, ``wrong_size``, ``too_large``, ``empty``, ``io``.

An export older than 24 hours is still tried but raises the warning
``hikproto.ResetFileWarning``: some devices keep an export for 24 hours only.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Mapping, Optional, Tuple, Union

from . import _hikproto
from ._models import Model

PathLike = Union[str, "os.PathLike[str]"]

__all__ = ["KeyFileRecord", "ExportCheck", "ReplyCheck", "check_reply", "load_key_file"]


@dataclasses.dataclass(frozen=True)
class ExportCheck(Model):
    """How usable an export still is: its ``age`` (seconds), whether devices with the 24-hour
    validity may have discarded it, the last moment any device accepts a reply (Unix time)."""

    age: float = 0.0
    may_have_expired: bool = False
    valid_until_latest: int = 0
    warnings: Tuple[str, ...] = ()

    @classmethod
    def _of(cls, raw: Optional[Mapping[str, Any]]) -> Optional["ExportCheck"]:
        if raw is None:
            return None
        return cls(
            age=raw.get("age", 0.0),
            may_have_expired=bool(raw.get("may_have_expired")),
            valid_until_latest=raw.get("valid_until_latest", 0),
            warnings=tuple(raw.get("warnings") or ()),
        )


@dataclasses.dataclass(frozen=True)
class KeyFileRecord(Model):
    """An exported key file: where it is, the device's ``serial``, when it was exported
    (``exported_at`` Unix seconds, ``exported`` UTC text), the vendor-style ``suggested_name``
    to send it under, and what else the sidecar recorded."""

    path: str = ""
    serial: Optional[str] = None
    short_serial: Optional[str] = None
    exported_at: int = 0
    exported: str = ""
    suggested_name: Optional[str] = None
    boot_time: Optional[str] = None
    mac: Optional[str] = None
    check: Optional[ExportCheck] = None

    @classmethod
    def _of(cls, raw: Mapping[str, Any]) -> "KeyFileRecord":
        fields = {k: v for k, v in raw.items() if k != "check"}
        return dataclasses.replace(cls._from_raw(fields), check=ExportCheck._of(raw.get("check")))


@dataclasses.dataclass(frozen=True)
class ReplyCheck(Model):
    """A support reply that passed the checks: the serials it names (in its file name, in its
    content) and, when the key file was given, that file's record and freshness."""

    path: str = ""
    name_serial: Optional[str] = None
    content_serial: Optional[str] = None
    key_file: Optional[KeyFileRecord] = None
    check: Optional[ExportCheck] = None


def check_reply(
    reply_path: PathLike, key_file: Optional[PathLike] = None, serial: Optional[str] = None
) -> ReplyCheck:
    """Checks support's reply file without a device: its kind, the device it names (against
    ``serial``, full or short, else the key file's) and, with ``key_file`` (as
    ``export_key_file`` wrote it), its age and whether it answers that export.

    Raises ``ResetFileError`` (see the module documentation for ``kind``)."""
    raw = _hikproto.check_reply(
        os.fspath(reply_path), os.fspath(key_file) if key_file is not None else None, serial
    )
    kf = raw.get("key_file")
    return ReplyCheck(
        path=raw["path"],
        name_serial=raw.get("name_serial"),
        content_serial=raw.get("content_serial"),
        key_file=KeyFileRecord._of(kf) if kf is not None else None,
        check=ExportCheck._of(raw.get("check")),
    )


def load_key_file(path: PathLike) -> KeyFileRecord:
    """Reads a key file ``export_key_file`` wrote (its sidecar is required) and says how usable
    it still is (``check``). Raises ``ResetFileError`` when it was changed or is stale."""
    return KeyFileRecord._of(_hikproto.load_key_file(os.fspath(path)))
