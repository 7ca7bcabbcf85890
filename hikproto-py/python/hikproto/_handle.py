"""What the blocking and the asyncio flavours share: the device handle around the extension's
``Device`` and the fleet around its ``Fleet`` (construction, properties, argument preparation
and result conversion). The flavours add only their calling convention on top."""

from __future__ import annotations

import datetime
import os
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, TypeVar, Union
from urllib.parse import urlsplit

from . import _hikproto
from ._models import FleetProgress, FleetResult, Record
from ._ops import convert, op_name

#: Security-question answers: ``{question_id: answer}`` or ``[(question_id, answer), ...]``.
Answers = Union[Mapping[int, str], Sequence[Tuple[int, str]]]
PathLike = Union[str, "os.PathLike[str]"]
#: A time for ``set_time``: ISO 8601 text as the device takes it, or a ``datetime``.
TimeLike = Union[str, datetime.datetime]
#: Per-device keyword arguments for ``Fleet.run``: a mapping from a device (the handle itself,
#: its ``base_url``, ``"host:port"`` or ``"host"``) to keyword arguments, or a callable
#: ``device -> kwargs`` (``None``: only the common ones).
PerDevice = Union[Mapping[Any, Mapping[str, Any]], Callable[[Any], Optional[Mapping[str, Any]]]]
ProgressCallback = Callable[[FleetProgress], None]


def time_text(value: Optional[TimeLike]) -> Optional[str]:
    """A ``datetime`` as the ISO 8601 text devices take (seconds precision)."""
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="seconds")
    return value


_H = TypeVar("_H", bound="Handle")


class Handle:
    """The device handle both ``hikproto.Device`` and ``hikproto.aio.Device`` are."""

    __slots__ = ("_inner",)

    def __init__(
        self,
        host: str,
        user: Optional[str] = None,
        password: Optional[str] = None,
        *,
        port: Optional[int] = None,
        https: bool = False,
        verify: bool = True,
        pin_sha256: Optional[str] = None,
        timeout: float = 15.0,
        connect_timeout: Optional[float] = None,
        auth: str = "auto",
    ) -> None:
        self._inner = _hikproto.Device(
            host,
            user,
            password,
            port=port,
            https=https,
            verify=verify,
            pin_sha256=pin_sha256,
            timeout=timeout,
            connect_timeout=connect_timeout,
            auth=auth,
        )

    @property
    def base_url(self) -> str:
        """The base URL requests go to, e.g. ``http://10.0.0.5:80``."""
        return self._inner.base_url

    @property
    def user(self) -> Optional[str]:
        """The user name this handle logs in with."""
        return self._inner.user

    @property
    def closed(self) -> bool:
        """True after ``close()``."""
        return self._inner.closed

    def close(self) -> None:
        """Closes the handle; later calls raise ``InvalidArgumentError``."""
        self._inner.close()

    def __repr__(self) -> str:
        return repr(self._inner)

    def allow_plaintext_secrets(self: _H) -> _H:
        """A handle to the same device whose calls may send passwords, codes, answers and keys
        in clear over plain HTTP when neither HTTPS nor the device's ``security=1`` cipher
        protects them. Without it such a call raises ``InvalidArgumentError`` before anything
        secret is sent. Use it per call, on trusted networks only:
        ``dev.allow_plaintext_secrets().set_ehome(key=...)``."""
        h = type(self).__new__(type(self))
        h._inner = self._inner.allow_plaintext_secrets()
        return h

    def set_credentials(self, user: str, password: str) -> None:
        """Replaces the credentials (and lifts the latch a rejected password left)."""
        self._inner.set_credentials(user, password)

    @property
    def credentials_latched(self) -> bool:
        """True when the device rejected this handle's password: it will not be sent again
        until ``set_credentials`` gives new ones."""
        return self._inner.credentials_latched

    def clear_credential_latch(self) -> None:
        """Forgets the latch on this handle's user for this device (every address of its host
        shares it): the credentials may be sent again. Only when you know the device will
        accept them now: each rejected try counts toward its lock-out."""
        self._inner.clear_credential_latch()

    def request_stats(self) -> Record:
        """What this handle sent so far (``requests_sent``, ``credentials_sent``, …)."""
        return Record(self._inner.request_stats())


def _lookup(per_device: Mapping[Any, Mapping[str, Any]], device: Any) -> Optional[Mapping[str, Any]]:
    url = urlsplit(device.base_url)
    for key in (device, device.base_url, url.netloc, url.hostname):
        if key in per_device:
            return per_device[key]
    return None


class FleetBase:
    """The fleet both ``hikproto.Fleet`` and ``hikproto.aio.Fleet`` are."""

    __slots__ = ("_inner", "_devices")

    def __init__(
        self,
        devices: Iterable[Handle],
        *,
        concurrency: int = 32,
        per_host_limit: int = 1,
        per_account_limit: Optional[int] = None,
        deadline: Optional[float] = None,
    ) -> None:
        self._devices: List[Handle] = list(devices)
        self._inner = _hikproto.Fleet(
            [d._inner for d in self._devices],
            concurrency=concurrency,
            per_host_limit=per_host_limit,
            per_account_limit=per_account_limit,
            deadline=deadline,
        )

    def __len__(self) -> int:
        return len(self._inner)

    def __repr__(self) -> str:
        return repr(self._inner)

    def _args(
        self,
        op: Union[str, Callable[..., Any]],
        progress: Optional[ProgressCallback],
        per_device: Optional[PerDevice],
        kwargs: Dict[str, Any],
    ) -> Tuple[str, Optional[Callable[[int, int, str, bool], None]], Optional[List[Dict[str, Any]]]]:
        """The operation name, the raw progress callback and each device's full kwargs."""
        name = op_name(op)
        cb = None
        if progress is not None:
            user_cb = progress

            def cb(done: int, total: int, device: str, ok: bool) -> None:
                user_cb(FleetProgress(done, total, device, ok))

        each = None
        if per_device is not None:
            each = []
            for d in self._devices:
                extra = per_device(d) if callable(per_device) else _lookup(per_device, d)
                merged = dict(kwargs)
                merged.update(extra or {})
                each.append(merged)
        return name, cb, each

    @staticmethod
    def _results(name: str, rows: List[Tuple[int, str, Any, Any, float]]) -> List[FleetResult]:
        return [
            FleetResult(i, dev, None if err is not None else convert(name, val), err, el)
            for (i, dev, val, err, el) in rows
        ]
