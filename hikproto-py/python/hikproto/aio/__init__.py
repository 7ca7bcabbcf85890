"""The asyncio flavour: the same operations as awaitables, over the same Rust core.

Each call is a task on the extension's tokio runtime bridged to asyncio by
``pyo3-async-runtimes``: no Python thread is blocked per pending call, thousands of calls can be
in flight from one event loop, and cancelling the awaiting task cancels the Rust work.

    async with hikproto.aio.Device("10.0.0.5", "admin", "Passw0rd!x") as dev:
        info = await dev.device_info()

``hikproto.aio.sadp`` is ``hikproto.sadp`` as awaitables: ``await discover()`` and a ``Client``
with the same commands. ``hikproto.aio.Fleet.from_devices_file`` gives the fleet-file operations
(inventory, plan, apply, journaled rotation, export) as awaitables.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Awaitable, Callable, Iterable, List, Mapping, Optional, Sequence, Tuple, Type, Union

from .._device import Device as _SyncDevice
from .._doctor import DoctorReport
from .._fleet_map import map_async
from .._handle import Answers, FleetBase, Handle, PathLike, PerDevice, ProgressCallback, TimeLike, time_text
from .._hikproto import SadpDevice
from .._models import DeviceInfo, FleetResult, Record, Response, ResponseStatus, Secret
from .._ops import convert
from . import sadp
from .fleet_file import DevicesFleet

__all__ = ["Device", "Fleet", "sadp"]

JsonValue = Any


class Device(Handle):
    """An asyncio handle to one device; same constructor and methods as ``hikproto.Device``."""

    __slots__ = ()

    async def _call(self, op: str, **kwargs: Any) -> Any:
        raw = await self._inner.call_async(op, kwargs)
        return convert(op, raw)

    async def __aenter__(self) -> "Device":
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    async def login(self) -> None:
        """Logs in now (session mode opens the session; other modes check the credentials)."""
        await self._call("login")

    async def logout(self) -> None:
        """Closes the session (session mode)."""
        await self._call("logout")

    async def device_info(self) -> DeviceInfo:
        """Model, serial, firmware and MAC."""
        result: DeviceInfo = await self._call("device_info")
        return result

    async def request(
        self,
        method: str,
        path: str,
        body: Union[bytes, str, None] = None,
        *,
        content_type: Optional[str] = None,
        authenticate: bool = True,
    ) -> Response:
        """Sends any request through the authentication engine."""
        result: Response = await self._call(
            "request",
            method=method,
            path=path,
            body=body,
            content_type=content_type,
            authenticate=authenticate,
        )
        return result

    async def get_xml(self, path: str) -> str:
        """GETs an XML resource and returns its text."""
        result: str = await self._call("get_xml", path=path)
        return result

    async def put_xml(self, path: str, xml: str) -> ResponseStatus:
        """PUTs an XML document."""
        result: ResponseStatus = await self._call("put_xml", path=path, xml=xml)
        return result

    async def post_xml(self, path: str, xml: str) -> str:
        """POSTs an XML document."""
        result: str = await self._call("post_xml", path=path, xml=xml)
        return result

    async def delete(self, path: str) -> ResponseStatus:
        """DELETEs a resource."""
        result: ResponseStatus = await self._call("delete", path=path)
        return result

    async def get_json(self, path: str) -> JsonValue:
        """GETs a JSON resource."""
        return await self._call("get_json", path=path)

    async def put_json(self, path: str, body: Mapping[str, Any]) -> JsonValue:
        """PUTs a JSON document."""
        return await self._call("put_json", path=path, body=body)

    async def post_json(self, path: str, body: Mapping[str, Any]) -> JsonValue:
        """POSTs a JSON document."""
        return await self._call("post_json", path=path, body=body)

    # -- provisioning --------------------------------------------------------------------------

    async def capabilities(self) -> Record:
        """The device's capabilities (``/ISAPI/System/capabilities``)."""
        result: Record = await self._call("capabilities")
        return result

    async def security_capabilities(self) -> Record:
        """The security capabilities (``SecurityCap``)."""
        result: Record = await self._call("security_capabilities")
        return result

    async def activation_status(self) -> Record:
        """Whether the device is activated, and how it activates (readable before login)."""
        result: Record = await self._call("activation_status")
        return result

    async def activate(self, password: str, *, user: str = "admin") -> Record:
        """Activates a factory-state device with its first admin password (policy checked first)."""
        result: Record = await self._call("activate", password=password, user=user)
        return result

    async def users(self) -> Tuple[Record, ...]:
        """The device's user accounts."""
        result: Tuple[Record, ...] = await self._call("users")
        return result

    async def change_password(self, user: str, new_password: str, *, login_password: Optional[str] = None) -> ResponseStatus:
        """Changes a user's password (``login_password`` where the device asks for the admin's)."""
        result: ResponseStatus = await self._call("change_password", user=user, new_password=new_password, login_password=login_password)
        return result

    async def add_user(self, user: str, password: str, *, level: str = "Operator", login_password: Optional[str] = None) -> Record:
        """Adds a user; returns ``Record(id=...)``."""
        result: Record = await self._call("add_user", user=user, password=password, level=level, login_password=login_password)
        return result

    async def delete_user(self, user: str, *, login_password: Optional[str] = None) -> ResponseStatus:
        """Deletes a user."""
        result: ResponseStatus = await self._call("delete_user", user=user, login_password=login_password)
        return result

    async def network_interfaces(self) -> Tuple[Record, ...]:
        """The network interfaces."""
        result: Tuple[Record, ...] = await self._call("network_interfaces")
        return result

    async def ip_addressing(self, interface_id: str = "1") -> Record:
        """An interface's IP addressing (address, mask, gateway, DNS)."""
        result: Record = await self._call("ip_addressing", interface_id=interface_id)
        return result

    async def set_dns(self, primary: str, secondary: Optional[str] = None, *, interface_id: str = "1") -> ResponseStatus:
        """Sets the DNS servers (``reboot_required`` tells whether a reboot applies it)."""
        result: ResponseStatus = await self._call("set_dns", primary=primary, secondary=secondary, interface_id=interface_id)
        return result

    async def admin_accesses(self) -> Record:
        """The admin access protocols and ports."""
        result: Record = await self._call("admin_accesses")
        return result

    async def set_admin_port(self, protocol: str, port: int) -> ResponseStatus:
        """Sets the port of an admin protocol (``HTTP``, ``HTTPS``, ``DEV_MANAGE``, ...)."""
        result: ResponseStatus = await self._call("set_admin_port", protocol=protocol, port=port)
        return result

    async def time(self) -> Record:
        """Time mode, local time and time zone."""
        result: Record = await self._call("time")
        return result

    async def ntp_servers(self) -> Record:
        """The NTP servers."""
        result: Record = await self._call("ntp_servers")
        return result

    async def use_ntp(self, host: str) -> ResponseStatus:
        """Switches the clock to NTP with this server."""
        result: ResponseStatus = await self._call("use_ntp", host=host)
        return result

    async def set_ipv4(self, address: Optional[str] = None, subnet_mask: Optional[str] = None, gateway: Optional[str] = None, *, dhcp: Optional[bool] = None, primary_dns: Optional[str] = None, secondary_dns: Optional[str] = None, interface_id: str = "1") -> ResponseStatus:
        """Changes an interface's IPv4 addressing (read-modify-write; ``None`` keeps a value).
        ``dhcp=True`` switches to DHCP; moving the address cuts this handle off from the device."""
        result: ResponseStatus = await self._call("set_ipv4", address=address, subnet_mask=subnet_mask, gateway=gateway, dhcp=dhcp, primary_dns=primary_dns, secondary_dns=secondary_dns, interface_id=interface_id)
        return result

    async def set_time(self, local_time: Optional[TimeLike] = None, *, mode: Optional[str] = None, time_zone: Optional[str] = None) -> ResponseStatus:
        """Changes the clock settings: ``mode`` (``"manual"``, ``"NTP"``, ``"platform"``), the
        ``local_time`` (a ``datetime`` or ISO 8601 text) and the POSIX-style ``time_zone``
        (e.g. ``"CST-8:00:00"``); ``None`` keeps a value."""
        result: ResponseStatus = await self._call("set_time", local_time=time_text(local_time), mode=mode, time_zone=time_zone)
        return result

    async def set_ntp(self, servers: Union[str, Sequence[str]], *, port: Optional[int] = None, interval: Optional[int] = None, enable: bool = True) -> ResponseStatus:
        """Sets the NTP servers (host names or addresses; ``interval`` in minutes) and, with
        ``enable``, switches the clock to NTP."""
        hosts = [servers] if isinstance(servers, str) else list(servers)
        result: ResponseStatus = await self._call("set_ntp", servers=hosts, port=port, interval=interval, enable=enable)
        return result

    async def ezviz(self) -> Record:
        """Hik-Connect platform access settings (the code itself is never included)."""
        result: Record = await self._call("ezviz")
        return result

    async def enable_platform_access(self, code: str) -> ResponseStatus:
        """Enables Hik-Connect platform access with this verification code."""
        result: ResponseStatus = await self._call("enable_platform_access", code=code)
        return result

    async def disable_platform_access(self) -> ResponseStatus:
        """Disables Hik-Connect platform access."""
        result: ResponseStatus = await self._call("disable_platform_access")
        return result

    async def verification_code(self) -> Optional[Secret]:
        """The device's verification code, as a ``Secret`` (``.reveal()`` reads it)."""
        result: Optional[Secret] = await self._call("verification_code")
        return result

    async def set_verification_code(self, code: str) -> ResponseStatus:
        """Sets the verification code (6-12 letters/digits, obvious codes refused)."""
        result: ResponseStatus = await self._call("set_verification_code", code=code)
        return result

    async def check_verification_code(self, code: str) -> bool:
        """Whether ``code`` is the device's verification code, without reading it."""
        result: bool = await self._call("check_verification_code", code=code)
        return result

    async def platform_qr_code(self) -> Secret:
        """The text of the Hik-Connect app QR code, as a ``Secret`` (it carries the verification
        code): ``reveal()`` it to draw the QR."""
        result: Secret = await self._call("platform_qr_code")
        return result

    async def unbind_platform(self) -> Any:
        """Unbinds the device from its Hik-Connect account."""
        result: Any = await self._call("unbind_platform")
        return result

    async def test_platform_parameters(self) -> Any:
        """Asks the device to test its platform parameters."""
        result: Any = await self._call("test_platform_parameters")
        return result

    async def wait_until_registered(self, timeout: float = 30.0) -> Record:
        """Polls until the device is registered with the platform (``DeviceTimeoutError`` otherwise, or ``DeviceError`` at once when registration cannot happen: platform access disabled, or the verification code refused)."""
        result: Record = await self._call("wait_until_registered", timeout=timeout)
        return result

    async def ehome(self, center_id: Optional[int] = None) -> Record:
        """ISUP (Ehome) settings (the key is write-only and never returned)."""
        result: Record = await self._call("ehome", center_id=center_id)
        return result

    async def set_ehome(self, center_id: Optional[int] = None, *, enabled: Optional[bool] = None, host: Optional[str] = None, port: Optional[int] = None, device_id: Optional[str] = None, key: Optional[str] = None) -> ResponseStatus:
        """Changes ISUP settings (read-modify-write; ``None`` keeps a value)."""
        result: ResponseStatus = await self._call("set_ehome", center_id=center_id, enabled=enabled, host=host, port=port, device_id=device_id, key=key)
        return result

    # -- the doctor ------------------------------------------------------------------------------

    async def doctor(self, code: Optional[str] = None, label_qr: Optional[str] = None, app_error: Optional[int] = None, fix: bool = False, sadp: Optional[SadpDevice] = None, *, in_own_account: Optional[bool] = None, settle: float = 30.0, fix_irreversible: bool = False) -> DoctorReport:
        """Like ``hikproto.Device.doctor``: diagnoses the device and, with ``fix=True``, fixes it."""
        result: DoctorReport = await self._call("doctor", code=code, label_qr=label_qr, app_error=app_error, fix=fix, sadp=sadp, in_own_account=in_own_account, settle=settle, fix_irreversible=fix_irreversible)
        return result

    # -- password recovery -----------------------------------------------------------------------

    async def extern_security_capabilities(self) -> Record:
        """The reset methods the device offers (readable before login)."""
        result: Record = await self._call("extern_security_capabilities")
        return result

    async def reset_capabilities(self) -> Record:
        """The reset flags of the device's security capabilities (needs the password)."""
        result: Record = await self._call("reset_capabilities")
        return result

    async def security_questions(self) -> Record:
        """The security questions and which are answered (answers are never returned)."""
        result: Record = await self._call("security_questions")
        return result

    async def security_email(self) -> Record:
        """The reserved e-mail address for password resets, if set."""
        result: Record = await self._call("security_email")
        return result

    async def recovery_facts(self) -> Record:
        """Everything recovery planning needs to know, gathered from the device."""
        result: Record = await self._call("recovery_facts")
        return result

    async def recovery_plan(self) -> Record:
        """Every reset route for this device, self-service first, with what each needs."""
        result: Record = await self._call("recovery_plan")
        return result

    async def set_security_questions(self, answers: Answers) -> ResponseStatus:
        """Sets the security-question answers (``{question_id: answer}``); uses this handle's admin password."""
        result: ResponseStatus = await self._call("set_security_questions", answers=answers)
        return result

    async def set_security_email(self, address: str) -> ResponseStatus:
        """Sets the reserved e-mail address for password resets."""
        result: ResponseStatus = await self._call("set_security_email", address=address)
        return result

    async def export_guid_file(self, path: PathLike) -> Record:
        """Exports the GUID reset file to ``path`` (written atomically, with a sidecar)."""
        result: Record = await self._call("export_guid_file", path=str(path))
        return result

    async def reset_with_security_answers(self, answers: Answers, new_password: str, *, user: str = "admin", sync_camera_passwords: bool = False) -> Record:
        """Resets the admin password by answering the security questions."""
        result: Record = await self._call("reset_with_security_answers", answers=answers, new_password=new_password, user=user, sync_camera_passwords=sync_camera_passwords)
        return result

    async def reset_with_guid_file(self, path: PathLike, new_password: str, *, user: str = "admin", sync_camera_passwords: bool = False) -> Record:
        """Resets the admin password with a GUID file exported earlier."""
        result: Record = await self._call("reset_with_guid_file", path=str(path), new_password=new_password, user=user, sync_camera_passwords=sync_camera_passwords)
        return result

    async def email_reset_qr(self) -> Record:
        """The QR payload to mail to the vendor for an e-mailed reset code."""
        result: Record = await self._call("email_reset_qr")
        return result

    async def app_reset_qr(self) -> Record:
        """The QR payload to scan with the Hik-Connect app for a reset code."""
        result: Record = await self._call("app_reset_qr")
        return result

    async def reset_with_email_code(self, code: str, new_password: str, *, user: str = "admin", sync_camera_passwords: bool = False) -> Record:
        """Resets the admin password with the code mailed to the reserved address."""
        result: Record = await self._call("reset_with_email_code", code=code, new_password=new_password, user=user, sync_camera_passwords=sync_camera_passwords)
        return result

    async def reset_with_app_code(self, code: str, new_password: str, *, user: str = "admin", sync_camera_passwords: bool = False) -> Record:
        """Resets the admin password with the code the Hik-Connect app shows."""
        result: Record = await self._call("reset_with_app_code", code=code, new_password=new_password, user=user, sync_camera_passwords=sync_camera_passwords)
        return result

    async def factory_reset(self, mode: str = "basic") -> ResponseStatus:
        """Restores factory settings: ``basic`` keeps network and users, ``full`` makes the device inactive."""
        result: ResponseStatus = await self._call("factory_reset", mode=mode)
        return result

    async def reboot(self) -> ResponseStatus:
        """Reboots the device."""
        result: ResponseStatus = await self._call("reboot")
        return result


AnyDevice = Union[Device, _SyncDevice]


class Fleet(FleetBase):
    """``hikproto.Fleet`` with awaitable methods (progress callbacks run on the event loop)."""

    __slots__ = ()

    async def run(
        self,
        op: Union[str, Callable[..., Any]],
        /,
        *,
        progress: Optional[ProgressCallback] = None,
        per_device: Optional[PerDevice] = None,
        **kwargs: Any,
    ) -> List[FleetResult]:
        """Runs one operation on every device, like ``hikproto.Fleet.run``."""
        name, cb, each = self._args(op, progress, per_device, kwargs)
        rows = await self._inner.run_async(name, kwargs, cb, each)
        return self._results(name, rows)

    @staticmethod
    def from_devices_file(
        devices: PathLike,
        credentials: Optional[PathLike] = None,
        *,
        concurrency: int = 16,
        per_account_limit: Optional[int] = None,
        per_site_limit: Optional[int] = None,
        timeout: float = 15.0,
    ) -> DevicesFleet:
        """Like ``hikproto.Fleet.from_devices_file``, with awaitable operations."""
        return DevicesFleet(
            devices,
            credentials,
            concurrency=concurrency,
            per_account_limit=per_account_limit,
            per_site_limit=per_site_limit,
            timeout=timeout,
        )

    async def map(
        self,
        fn: Callable[[Device], Any],
        /,
        *,
        concurrency: Optional[int] = None,
        progress: Optional[ProgressCallback] = None,
    ) -> List[FleetResult]:
        """Awaits your function ``fn(device)`` (usually an ``async def``) on every device,
        ``concurrency`` at once (default 32): one ``FleetResult`` per device in input order,
        with the value or the exception of that device, like ``hikproto.Fleet.map``.
        ``progress`` runs on the event loop after each device."""
        return await map_async(self._devices, fn, concurrency, progress)

    def device_info(self, *, progress: Optional[ProgressCallback] = None) -> Awaitable[List[FleetResult]]:
        """``run("device_info")``."""
        return self.run("device_info", progress=progress)

    def doctor(
        self,
        *,
        progress: Optional[ProgressCallback] = None,
        per_device: Optional[PerDevice] = None,
        **kwargs: Any,
    ) -> Awaitable[List[FleetResult]]:
        """``run("doctor", ...)``: a ``DoctorReport`` per device (same arguments as ``Device.doctor``)."""
        return self.run("doctor", progress=progress, per_device=per_device, **kwargs)
