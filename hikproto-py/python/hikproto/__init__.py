"""hikproto: manage Hikvision cameras, NVRs and DVRs from Python, on a Rust core.

- ``hikproto.Device``: one device (context manager; blocking, GIL released, thread-safe).
- ``hikproto.Fleet``: one operation over many devices, concurrently inside Rust.
- ``Device.doctor()``: why a device fails to verify or register, and the fix.
- ``hikproto.aio``: the same as awaitables.
- ``hikproto.sim``: simulated devices for your own tests.
- ``hikproto.reset_files``: the key-file route's files, checked without a device.
- Exceptions: everything raised derives from ``hikproto.HikprotoError``; ``TransportError`` is
  also a builtin ``ConnectionError`` and ``DeviceTimeoutError`` a builtin ``TimeoutError``, so
  ``from hikproto import *`` shadows no builtin name.
- Logging: the library's records go to the ``hikproto`` logger (``logging.getLogger("hikproto")``,
  children per module); secrets never appear in them.
"""

from __future__ import annotations

import atexit
from typing import Union

from . import _hikproto
from ._device import Device
from ._fleet import Fleet
from ._hikproto import (
    AlreadyActivatedError,
    AuthenticationError,
    CredentialLatchedError,
    DecodeError,
    DeviceError,
    DeviceTimeoutError,
    HikprotoError,
    InvalidArgumentError,
    LockedError,
    ResetFileError,
    ResetFileWarning,
    SimulatorError,
    NotActivatedError,
    NotSupportedError,
    TlsError,
    TransportError,
    __version__,
)
from ._doctor import AppliedFix, DoctorReport, Evidence, Finding, RemedyStep
from ._models import (
    Decoded,
    DeviceInfo,
    FleetProgress,
    FleetResult,
    Model,
    Record,
    Response,
    ResponseStatus,
    Secret,
)
from . import aio, reset_files, sadp, sim  # noqa: E402  (submodules need the names above)

# Awaitables still running when the interpreter exits (cancelled by asyncio, say) hand back
# their results before Python goes away.
atexit.register(_hikproto._quiesce)


def decode(data: Union[bytes, str]) -> Decoded:
    """Recognises any document hikproto models (ISAPI XML or JSON) and decodes it.

    Raises ``DecodeError`` for unknown or malformed documents.
    """
    kind, value = _hikproto.decode(data)
    return Decoded(kind, value)


__all__ = [
    "__version__",
    "Device",
    "Fleet",
    "decode",
    "DoctorReport",
    "Finding",
    "Evidence",
    "RemedyStep",
    "AppliedFix",
    "Decoded",
    "DeviceInfo",
    "FleetProgress",
    "FleetResult",
    "Model",
    "Response",
    "ResponseStatus",
    "HikprotoError",
    "TransportError",
    "TlsError",
    "DeviceTimeoutError",
    "AuthenticationError",
    "LockedError",
    "CredentialLatchedError",
    "DeviceError",
    "NotSupportedError",
    "NotActivatedError",
    "AlreadyActivatedError",
    "DecodeError",
    "InvalidArgumentError",
    "ResetFileError",
    "ResetFileWarning",
    "SimulatorError",
    "Record",
    "Secret",
    "aio",
    "reset_files",
    "sadp",
    "sim",
]
