# Hand-written stubs for the extension module; checked by `python -m mypy.stubtest hikproto._hikproto`
# (see tests/test_stubs.py and tests/stubtest-allowlist.txt).
from collections.abc import Awaitable, Callable
from typing import Any, final

__version__: str

def decode(data: bytes | str) -> tuple[str, Any]: ...
def operations() -> list[str]: ...

# -- exceptions ------------------------------------------------------------------------------------

class HikprotoError(Exception): ...

class TransportError(HikprotoError):
    host: str | None

class TlsError(TransportError):
    reason: str | None

class TimeoutError(HikprotoError):
    operation: str | None
    after: float | None

class AuthenticationError(HikprotoError):
    user: str | None
    attempts_left: int | None

class LockedError(AuthenticationError):
    retry_after: float | None

class CredentialLatchedError(AuthenticationError): ...

class DeviceError(HikprotoError):
    request: str | None
    http_status: int | None
    status_code: int | None
    status_string: str | None
    sub_status_code: str | None
    error_code: int | None
    error_msg: str | None

class NotSupportedError(DeviceError): ...
class NotActivatedError(DeviceError): ...
class AlreadyActivatedError(DeviceError): ...

class DecodeError(HikprotoError):
    what: str | None
    limit: int | None

class InvalidArgumentError(HikprotoError): ...

# -- classes ---------------------------------------------------------------------------------------

@final
class Device:
    def __new__(
        cls,
        host: str,
        user: str | None = None,
        password: str | None = None,
        *,
        port: int | None = None,
        https: bool = False,
        verify: bool = True,
        pin_sha256: str | None = None,
        timeout: float = 15.0,
        connect_timeout: float | None = None,
    ) -> Device: ...
    @property
    def base_url(self) -> str: ...
    @property
    def user(self) -> str | None: ...
    @property
    def closed(self) -> bool: ...
    def close(self) -> None: ...
    def call(self, op: str, kwargs: dict[str, Any] | None = None) -> Any: ...
    def call_async(self, op: str, kwargs: dict[str, Any] | None = None) -> Awaitable[Any]: ...

_Row = tuple[int, str, Any, BaseException | None, float]

@final
class Fleet:
    def __new__(
        cls,
        devices: list[Device],
        *,
        concurrency: int = 32,
        per_host_limit: int = 1,
        per_account_limit: int | None = None,
        deadline: float | None = None,
    ) -> Fleet: ...
    def __len__(self) -> int: ...
    def run(
        self,
        op: str,
        kwargs: dict[str, Any] | None = None,
        progress: Callable[[int, int, str, bool], object] | None = None,
    ) -> list[_Row]: ...
    def run_async(
        self,
        op: str,
        kwargs: dict[str, Any] | None = None,
        progress: Callable[[int, int, str, bool], object] | None = None,
    ) -> Awaitable[list[_Row]]: ...
