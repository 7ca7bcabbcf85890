# Hand-written stubs for the extension module; checked by `python -m mypy.stubtest hikproto._hikproto`
# (see tests/test_stubs.py and tests/stubtest-allowlist.txt).
from collections.abc import Awaitable, Callable
from typing import Any, final

__version__: str

def decode(data: bytes | str) -> tuple[str, Any]: ...
def operations() -> list[str]: ...
def _quiesce() -> None: ...
def check_reply(
    reply_path: str, key_file: str | None = None, serial: str | None = None
) -> dict[str, Any]: ...
def load_key_file(path: str) -> dict[str, Any]: ...

# -- exceptions ------------------------------------------------------------------------------------

class HikprotoError(Exception): ...

class TransportError(HikprotoError, ConnectionError):
    host: str | None

class TlsError(TransportError):
    reason: str | None

class DeviceTimeoutError(HikprotoError, TimeoutError):
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

class ResetFileError(InvalidArgumentError):
    kind: str | None
    path: str | None
    expected: str | None
    found: str | None
    age: float | None
    limit: float | int | None
    size: int | None
    op: str | None

class ResetFileWarning(UserWarning): ...
class SimulatorError(HikprotoError): ...

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
        auth: str = "auto",
    ) -> Device: ...
    @property
    def base_url(self) -> str: ...
    @property
    def user(self) -> str | None: ...
    @property
    def closed(self) -> bool: ...
    def close(self) -> None: ...
    def set_credentials(self, user: str, password: str) -> None: ...
    @property
    def credentials_latched(self) -> bool: ...
    def clear_credential_latch(self) -> None: ...
    def request_stats(self) -> dict[str, int]: ...
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
        per_device: list[dict[str, Any]] | None = None,
    ) -> list[_Row]: ...
    def run_async(
        self,
        op: str,
        kwargs: dict[str, Any] | None = None,
        progress: Callable[[int, int, str, bool], object] | None = None,
        per_device: list[dict[str, Any]] | None = None,
    ) -> Awaitable[list[_Row]]: ...

@final
class FleetRun:
    def __iter__(self) -> FleetRun: ...
    def __next__(self) -> dict[str, Any]: ...
    @property
    def total(self) -> int: ...
    def close(self) -> None: ...

def fleet_file_start(
    op: str,
    devices: str,
    credentials: str | None = None,
    *,
    concurrency: int = 16,
    per_account_limit: int | None = None,
    timeout: float = 15.0,
    options: dict[str, Any] | None = None,
) -> FleetRun: ...
def fleet_file_export(
    devices: str, journal: str, out: str, credentials: str | None = None
) -> int: ...

@final
class Simulator:
    def __new__(
        cls,
        devices: int = 1,
        *,
        password: str | None = None,
        personality: dict[str, Any] | None = None,
        config: dict[str, Any] | str | None = None,
        https: bool = False,
        sadp: bool = False,
    ) -> Simulator: ...
    def __len__(self) -> int: ...
    @property
    def running(self) -> bool: ...
    def stop(self) -> None: ...
    def device(self, i: int) -> dict[str, Any]: ...
    def stats(self, i: int) -> dict[str, Any]: ...
    def reset_stats(self, i: int) -> None: ...
    def set_fault(self, i: int, name: str, seconds: float | None = None) -> None: ...
    def clear_faults(self, i: int) -> None: ...
    def is_activated(self, i: int) -> bool: ...
    def password(self, i: int, user: str = "admin") -> str | None: ...
    def verification_code(self, i: int) -> str | None: ...
    def unlock_all(self, i: int) -> None: ...
    def reboot(self, i: int) -> None: ...
    def is_rebooting(self, i: int) -> bool: ...
    def platform_bind(self, serial: str, account: str, code: str) -> None: ...
    def platform_unbind(self, serial: str) -> None: ...
    def platform_record(self, serial: str) -> dict[str, Any] | None: ...
    def snapshot(self) -> dict[str, Any]: ...
    @staticmethod
    def support_answer_email_qr(qr: str) -> str: ...
    @staticmethod
    def support_answer_app_qr(qr: str) -> str: ...
    @staticmethod
    def support_answer_export(export: str) -> str: ...

@final
class SadpDevice:
    @property
    def mac(self) -> str: ...
    @property
    def address(self) -> str: ...
    def info(self) -> dict[str, Any]: ...

# keyword arguments: addresses: list[str] | None, subnet: tuple[str, str] | None, timeout: float,
# expect: int | None, bind: str | None (see hikproto.sadp.discover)
def sadp_discover(**search: Any) -> list[SadpDevice]: ...
def sadp_discover_async(**search: Any) -> Awaitable[list[SadpDevice]]: ...

@final
class SadpClient:
    def __new__(cls, *, timeout: float = 10.0, bind: str | None = None) -> SadpClient: ...
    def call(
        self, op: str, target: SadpDevice | tuple[str, str], kwargs: dict[str, Any] | None = None
    ) -> Any: ...
    def call_async(
        self, op: str, target: SadpDevice | tuple[str, str], kwargs: dict[str, Any] | None = None
    ) -> Awaitable[Any]: ...
