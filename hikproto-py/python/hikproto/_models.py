"""Frozen result objects. Each has ``to_dict()`` and is built tolerantly from the core's output:
unknown keys are ignored (newer cores may add fields) and missing ones default to ``None``.

Every result (models, ``Record``s, ``DoctorReport``, ``FleetResult``) can be pickled, copied
and deep-copied, and its ``to_dict()`` is plain JSON data (dicts, lists, strings, numbers,
booleans, ``None``; bytes as base64 text), so ``json.dumps(result.to_dict())`` always works."""

from __future__ import annotations

import base64
import dataclasses
import hmac
import re
from typing import Any, Dict, List, Mapping, Optional, Type, TypeVar

__all__ = [
    "Model",
    "Record",
    "DeviceInfo",
    "ResponseStatus",
    "Response",
    "Decoded",
    "FleetProgress",
    "FleetResult",
]

_M = TypeVar("_M", bound="Model")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake(name: str) -> str:
    """``deviceID`` → ``device_id``, ``OEMCode`` → ``oem_code``, ``macAddress`` → ``mac_address``."""
    return _CAMEL.sub("_", name).replace("-", "_").lower()


def plain(value: Any) -> Any:
    """``value`` as plain JSON data: results through their ``to_dict()``, tuples and lists as
    lists, mappings as dicts with string keys, bytes as base64 text, exceptions as
    ``{"type", "message"}``."""
    if isinstance(value, (Model, Record)):
        return value.to_dict()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, BaseException):
        return {"type": type(value).__name__, "message": str(value)}
    return value


@dataclasses.dataclass(frozen=True)
class Model:
    """Base of every result object: frozen, comparable, convertible with ``to_dict()``."""

    def to_dict(self) -> Dict[str, Any]:
        """The object as plain JSON data (nested results included; see ``plain``). Fields kept
        out of ``repr()`` (secrets, back-references) are left out."""
        return {f.name: plain(getattr(self, f.name)) for f in dataclasses.fields(self) if f.repr}

    @classmethod
    def _from_raw(cls: Type[_M], raw: Mapping[str, Any]) -> _M:
        names = {f.name for f in dataclasses.fields(cls)}
        kwargs: Dict[str, Any] = {}
        for key, value in raw.items():
            name = snake(key)
            if name in names:
                kwargs[name] = value
        return cls(**kwargs)


@dataclasses.dataclass(frozen=True)
class DeviceInfo(Model):
    """``GET /ISAPI/System/deviceInfo``. Elements outside the official list are in ``extra``."""

    device_name: Optional[str] = None
    device_id: Optional[str] = None
    device_description: Optional[str] = None
    device_location: Optional[str] = None
    device_status: Optional[str] = None
    system_contact: Optional[str] = None
    model: Optional[str] = None
    serial_number: Optional[str] = None
    mac_address: Optional[str] = None
    firmware_version: Optional[str] = None
    firmware_released_date: Optional[str] = None
    boot_version: Optional[str] = None
    boot_released_date: Optional[str] = None
    hardware_version: Optional[str] = None
    encoder_version: Optional[str] = None
    encoder_released_date: Optional[str] = None
    decoder_version: Optional[str] = None
    decoder_released_date: Optional[str] = None
    software_version: Optional[str] = None
    capacity: Optional[str] = None
    used_capacity: Optional[str] = None
    device_type: Optional[str] = None
    telecontrol_id: Optional[str] = None
    support_beep: Optional[bool] = None
    support_video_loss: Optional[bool] = None
    firmware_version_info: Optional[str] = None
    manufacturer: Optional[str] = None
    sub_serial_number: Optional[str] = None
    oem_code: Optional[str] = None
    abnormal_status: Dict[str, bool] = dataclasses.field(default_factory=dict)
    extra: Dict[str, str] = dataclasses.field(default_factory=dict)
    namespace: Optional[str] = None

    @property
    def short_serial(self) -> Optional[str]:
        """The 9-character short serial Hik-Connect uses (last 9 characters of the serial)."""
        s = self.serial_number
        if s is None or len(s) < 9 or not s.isascii():
            return None
        return s[-9:]


@dataclasses.dataclass(frozen=True)
class ResponseStatus(Model):
    """The device's answer to a write. ``reboot_required`` is statusCode 7."""

    status_code: int = 1
    status_string: str = ""
    sub_status_code: str = ""
    error_code: int = 0
    error_msg: Optional[str] = None
    request_url: Optional[str] = None
    id: Optional[str] = None

    @property
    def reboot_required(self) -> bool:
        """True when the change takes effect after a reboot."""
        return self.status_code == 7


@dataclasses.dataclass(frozen=True)
class Response(Model):
    """A raw answer from ``Device.request``."""

    status: int
    content_type: Optional[str]
    body: bytes

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.body.decode("utf-8", "replace")


@dataclasses.dataclass(frozen=True)
class Decoded(Model):
    """A document recognised by ``hikproto.decode``: its model name and value."""

    kind: str
    value: Any


@dataclasses.dataclass(frozen=True)
class FleetProgress(Model):
    """Given to a fleet's progress callback after each device finishes."""

    done: int
    total: int
    device: str
    ok: bool


@dataclasses.dataclass(frozen=True)
class FleetResult(Model):
    """One device's outcome in a fleet run: ``value`` on success, ``error`` (an exception) if not."""

    index: int
    device: str
    value: Any
    error: Optional[BaseException]
    elapsed: float

    @property
    def ok(self) -> bool:
        """True when the operation succeeded on this device."""
        return self.error is None

    def unwrap(self) -> Any:
        """The value, or raise the device's exception."""
        if self.error is not None:
            raise self.error
        return self.value

    def to_dict(self) -> Dict[str, Any]:
        """Plain JSON data; the error as ``{"type", "message"}`` (or ``None``)."""
        return {
            "index": self.index,
            "device": self.device,
            "ok": self.ok,
            "value": plain(self.value),
            "error": plain(self.error),
            "elapsed": self.elapsed,
        }


def many(cls: Type[_M], items: Optional[List[Mapping[str, Any]]]) -> List[_M]:
    """Builds a list of models from a list of dicts (``None`` → empty)."""
    return [cls._from_raw(it) for it in (items or [])]


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _key(name: str) -> str:
    """Identifier-like keys become snake_case; others (``"GET /ISAPI/..."``) stay verbatim."""
    return snake(name) if _IDENT.match(name) else name


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return Record(value)
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


class Secret:
    """A secret returned because the caller asked for it (a device's verification code, the
    code a doctor fix set). ``repr()`` and ``str()`` never show it; read it explicitly with
    ``reveal()``. Compares (in constant time) with another ``Secret`` or a ``str``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        object.__setattr__(self, "_value", str(value))

    def reveal(self) -> str:
        """The secret itself."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __format__(self, spec: str) -> str:
        return "***"

    def __setattr__(self, name: str, value: Any) -> None:
        raise dataclasses.FrozenInstanceError("a Secret is immutable")

    def __eq__(self, other: object) -> bool:
        value = other._value if isinstance(other, Secret) else other
        if not isinstance(value, str):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), value.encode())

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> Any:
        raise TypeError("a Secret is not pickled: reveal() it explicitly if it must be stored")


#: Field names whose values ``Record.__repr__`` never shows.
_SECRET_KEYS = ("password", "code", "key", "answer", "secret", "token")


def _secret_key(name: str) -> bool:
    return any(part in name.lower() for part in _SECRET_KEYS)


class Record:
    """A frozen result with attribute access, for the richer nested results (recovery plans,
    capabilities, discovery answers, diagnoses). Keys are snake_case; nested objects are
    ``Record``s and lists are tuples. Unknown attributes raise ``AttributeError``; ``to_dict()``
    gives plain dicts and lists back."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any]) -> None:
        frozen = {_key(str(k)): _freeze(v) for k, v in data.items()}
        object.__setattr__(self, "_data", frozen)

    def __getattr__(self, name: str) -> Any:
        # not for dunders or the slot itself: pickle and copy probe those on a bare instance
        if name.startswith("__") or name == "_data":
            raise AttributeError(name)
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(name) from None

    def __reduce__(self) -> Any:
        return (Record, (self.to_dict(),))

    def __copy__(self) -> "Record":
        return self  # immutable

    def __deepcopy__(self, memo: Any) -> "Record":
        return self  # immutable

    def __setattr__(self, name: str, value: Any) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    def __getitem__(self, name: str) -> Any:
        return self._data[name]

    def __contains__(self, name: object) -> bool:
        return name in self._data

    def get(self, name: str, default: Any = None) -> Any:
        """The field's value, or ``default`` when the device did not report it."""
        return self._data.get(name, default)

    def keys(self) -> List[str]:
        """The field names."""
        return list(self._data)

    def __dir__(self) -> List[str]:
        return sorted(set(self._data) | {"to_dict", "get", "keys"})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Record) and self._data == other._data

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        # a field named like a secret (password, code, key, answer, ...) is never shown
        inner = ", ".join(
            f"{k}={'***' if _secret_key(k) and isinstance(v, str) and v else repr(v)}"
            for k, v in self._data.items()
        )
        return f"Record({inner})"

    def to_dict(self) -> Dict[str, Any]:
        """Plain dicts and lists, snake_case keys."""
        return {k: _thaw(v) for k, v in self._data.items()}


def record(raw: Any) -> Any:
    """A ``Record`` from a dict (other values unchanged)."""
    return Record(raw) if isinstance(raw, Mapping) else raw
