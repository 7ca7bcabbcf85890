"""``hikproto.Device``: the blocking client for one device."""

from __future__ import annotations

from types import TracebackType
import os
from typing import Any, Mapping, Optional, Sequence, Tuple, Type, Union

from . import _hikproto
from ._models import DeviceInfo, Record, Response, ResponseStatus
from ._ops import convert

JsonValue = Any
#: Security-question answers: ``{question_id: answer}`` or ``[(question_id, answer), ...]``.
Answers = Union[Mapping[int, str], Sequence[Tuple[int, str]]]
PathLike = Union[str, "os.PathLike[str]"]


class Device:
    """One Hikvision device (camera, NVR, DVR), reached over ISAPI.

    Every method blocks with the GIL released, so threads run concurrently; one ``Device`` may
    be shared between threads. Use it as a context manager to close its connections::

        with hikproto.Device("10.0.0.5", "admin", "Passw0rd!x") as dev:
            print(dev.device_info().model)

    ``verify=False`` accepts any certificate (prefer ``pin_sha256=`` with the device's SHA-256
    certificate fingerprint). ``timeout`` bounds each whole operation, in seconds.
    """

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

    # -- plumbing --------------------------------------------------------------------------------

    def _call(self, op: str, **kwargs: Any) -> Any:
        return convert(op, self._inner.call(op, kwargs))

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

    def __enter__(self) -> "Device":
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return repr(self._inner)

    def set_credentials(self, user: str, password: str) -> None:
        """Replaces the credentials (and lifts the latch a rejected password left)."""
        self._inner.set_credentials(user, password)

    @property
    def credentials_latched(self) -> bool:
        """True when the device rejected this handle's password: it will not be sent again
        until ``set_credentials`` gives new ones."""
        return self._inner.credentials_latched

    def request_stats(self) -> Record:
        """What this handle sent so far (``requests_sent``, ``credentials_sent``, …)."""
        return Record(self._inner.request_stats())

    def login(self) -> None:
        """Logs in now (session mode opens the session; other modes check the credentials)."""
        self._call("login")

    def logout(self) -> None:
        """Closes the session (session mode)."""
        self._call("logout")

    # -- identity --------------------------------------------------------------------------------

    def device_info(self) -> DeviceInfo:
        """Model, serial, firmware and MAC (``GET /ISAPI/System/deviceInfo``)."""
        result: DeviceInfo = self._call("device_info")
        return result

    # -- raw ISAPI -------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        body: Union[bytes, str, None] = None,
        *,
        content_type: Optional[str] = None,
        authenticate: bool = True,
    ) -> Response:
        """Sends any request through the authentication engine. Refusals raise typed errors."""
        result: Response = self._call(
            "request",
            method=method,
            path=path,
            body=body,
            content_type=content_type,
            authenticate=authenticate,
        )
        return result

    def get_xml(self, path: str) -> str:
        """GETs an XML resource and returns the document text (checked to be well-formed)."""
        result: str = self._call("get_xml", path=path)
        return result

    def put_xml(self, path: str, xml: str) -> ResponseStatus:
        """PUTs an XML document; returns the device's ``ResponseStatus``."""
        result: ResponseStatus = self._call("put_xml", path=path, xml=xml)
        return result

    def post_xml(self, path: str, xml: str) -> str:
        """POSTs an XML document; returns the answer's text."""
        result: str = self._call("post_xml", path=path, xml=xml)
        return result

    def delete(self, path: str) -> ResponseStatus:
        """DELETEs a resource; returns the device's ``ResponseStatus``."""
        result: ResponseStatus = self._call("delete", path=path)
        return result

    def get_json(self, path: str) -> JsonValue:
        """GETs a JSON resource (``format=json`` added)."""
        return self._call("get_json", path=path)

    def put_json(self, path: str, body: Mapping[str, Any]) -> JsonValue:
        """PUTs a JSON document; a refusing ``ResponseStatus`` raises ``DeviceError``."""
        return self._call("put_json", path=path, body=body)

    def post_json(self, path: str, body: Mapping[str, Any]) -> JsonValue:
        """POSTs a JSON document; a refusing ``ResponseStatus`` raises ``DeviceError``."""
        return self._call("post_json", path=path, body=body)

    # -- provisioning --------------------------------------------------------------------------

    def capabilities(self) -> Record:
        """The device's capabilities (``/ISAPI/System/capabilities``)."""
        result: Record = self._call("capabilities")
        return result

    def security_capabilities(self) -> Record:
        """The security capabilities (``SecurityCap``)."""
        result: Record = self._call("security_capabilities")
        return result

    def activation_status(self) -> Record:
        """Whether the device is activated, and how it activates (readable before login)."""
        result: Record = self._call("activation_status")
        return result

    def activate(self, password: str, *, user: str = "admin") -> Record:
        """Activates a factory-state device with its first admin password (policy checked first)."""
        result: Record = self._call("activate", password=password, user=user)
        return result

    def users(self) -> Tuple[Record, ...]:
        """The device's user accounts."""
        result: Tuple[Record, ...] = self._call("users")
        return result

    def change_password(self, user: str, new_password: str, *, login_password: Optional[str] = None) -> ResponseStatus:
        """Changes a user's password (``login_password`` where the device asks for the admin's)."""
        result: ResponseStatus = self._call("change_password", user=user, new_password=new_password, login_password=login_password)
        return result

    def add_user(self, user: str, password: str, *, level: str = "Operator", login_password: Optional[str] = None) -> Record:
        """Adds a user; returns ``Record(id=...)``."""
        result: Record = self._call("add_user", user=user, password=password, level=level, login_password=login_password)
        return result

    def delete_user(self, user: str, *, login_password: Optional[str] = None) -> ResponseStatus:
        """Deletes a user."""
        result: ResponseStatus = self._call("delete_user", user=user, login_password=login_password)
        return result

    def network_interfaces(self) -> Tuple[Record, ...]:
        """The network interfaces."""
        result: Tuple[Record, ...] = self._call("network_interfaces")
        return result

    def ip_addressing(self, interface_id: str = "1") -> Record:
        """An interface's IP addressing (address, mask, gateway, DNS)."""
        result: Record = self._call("ip_addressing", interface_id=interface_id)
        return result

    def set_dns(self, primary: str, secondary: Optional[str] = None, *, interface_id: str = "1") -> ResponseStatus:
        """Sets the DNS servers (``reboot_required`` tells whether a reboot applies it)."""
        result: ResponseStatus = self._call("set_dns", primary=primary, secondary=secondary, interface_id=interface_id)
        return result

    def admin_accesses(self) -> Record:
        """The admin access protocols and ports."""
        result: Record = self._call("admin_accesses")
        return result

    def set_admin_port(self, protocol: str, port: int) -> ResponseStatus:
        """Sets the port of an admin protocol (``HTTP``, ``HTTPS``, ``DEV_MANAGE``, ...)."""
        result: ResponseStatus = self._call("set_admin_port", protocol=protocol, port=port)
        return result

    def time(self) -> Record:
        """Time mode, local time and time zone."""
        result: Record = self._call("time")
        return result

    def ntp_servers(self) -> Record:
        """The NTP servers."""
        result: Record = self._call("ntp_servers")
        return result

    def use_ntp(self, host: str) -> ResponseStatus:
        """Switches the clock to NTP with this server."""
        result: ResponseStatus = self._call("use_ntp", host=host)
        return result

    def ezviz(self) -> Record:
        """Hik-Connect platform access settings (the code itself is never included)."""
        result: Record = self._call("ezviz")
        return result

    def enable_platform_access(self, code: str) -> ResponseStatus:
        """Enables Hik-Connect platform access with this verification code."""
        result: ResponseStatus = self._call("enable_platform_access", code=code)
        return result

    def disable_platform_access(self) -> ResponseStatus:
        """Disables Hik-Connect platform access."""
        result: ResponseStatus = self._call("disable_platform_access")
        return result

    def verification_code(self) -> Optional[str]:
        """The device's verification code (a secret: do not log it)."""
        result: Optional[str] = self._call("verification_code")
        return result

    def set_verification_code(self, code: str) -> ResponseStatus:
        """Sets the verification code (6-12 letters/digits, obvious codes refused)."""
        result: ResponseStatus = self._call("set_verification_code", code=code)
        return result

    def check_verification_code(self, code: str) -> bool:
        """Whether ``code`` is the device's verification code, without reading it."""
        result: bool = self._call("check_verification_code", code=code)
        return result

    def platform_qr_code(self) -> str:
        """The text of the Hik-Connect app QR code."""
        result: str = self._call("platform_qr_code")
        return result

    def unbind_platform(self) -> Any:
        """Unbinds the device from its Hik-Connect account."""
        result: Any = self._call("unbind_platform")
        return result

    def test_platform_parameters(self) -> Any:
        """Asks the device to test its platform parameters."""
        result: Any = self._call("test_platform_parameters")
        return result

    def wait_until_registered(self, timeout: float = 30.0) -> Record:
        """Polls until the device is registered with the platform (``TimeoutError`` otherwise)."""
        result: Record = self._call("wait_until_registered", timeout=timeout)
        return result

    def ehome(self, center_id: Optional[int] = None) -> Record:
        """ISUP (Ehome) settings (the key is write-only and never returned)."""
        result: Record = self._call("ehome", center_id=center_id)
        return result

    def set_ehome(self, center_id: Optional[int] = None, *, enabled: Optional[bool] = None, host: Optional[str] = None, port: Optional[int] = None, device_id: Optional[str] = None, key: Optional[str] = None) -> ResponseStatus:
        """Changes ISUP settings (read-modify-write; ``None`` keeps a value)."""
        result: ResponseStatus = self._call("set_ehome", center_id=center_id, enabled=enabled, host=host, port=port, device_id=device_id, key=key)
        return result

    # -- password recovery -----------------------------------------------------------------------

    def extern_security_capabilities(self) -> Record:
        """The reset methods the device offers (readable before login)."""
        result: Record = self._call("extern_security_capabilities")
        return result

    def reset_capabilities(self) -> Record:
        """The reset flags of the device's security capabilities (needs the password)."""
        result: Record = self._call("reset_capabilities")
        return result

    def security_questions(self) -> Record:
        """The security questions and which are answered (answers are never returned)."""
        result: Record = self._call("security_questions")
        return result

    def security_email(self) -> Record:
        """The reserved e-mail address for password resets, if set."""
        result: Record = self._call("security_email")
        return result

    def recovery_facts(self) -> Record:
        """Everything recovery planning needs to know, gathered from the device."""
        result: Record = self._call("recovery_facts")
        return result

    def recovery_plan(self) -> Record:
        """Every reset route for this device, self-service first, with what each needs."""
        result: Record = self._call("recovery_plan")
        return result

    def set_security_questions(self, answers: Answers) -> ResponseStatus:
        """Sets the security-question answers (``{question_id: answer}``); uses this handle's admin password."""
        result: ResponseStatus = self._call("set_security_questions", answers=answers)
        return result

    def set_security_email(self, address: str) -> ResponseStatus:
        """Sets the reserved e-mail address for password resets."""
        result: ResponseStatus = self._call("set_security_email", address=address)
        return result

    def export_guid_file(self, path: PathLike) -> Record:
        """Exports the GUID reset file to ``path`` (written atomically, with a sidecar)."""
        result: Record = self._call("export_guid_file", path=str(path))
        return result

    def reset_with_security_answers(self, answers: Answers, new_password: str, *, user: str = "admin", sync_camera_passwords: bool = False) -> Record:
        """Resets the admin password by answering the security questions."""
        result: Record = self._call("reset_with_security_answers", answers=answers, new_password=new_password, user=user, sync_camera_passwords=sync_camera_passwords)
        return result

    def reset_with_guid_file(self, path: PathLike, new_password: str, *, user: str = "admin", sync_camera_passwords: bool = False) -> Record:
        """Resets the admin password with a GUID file exported earlier."""
        result: Record = self._call("reset_with_guid_file", path=str(path), new_password=new_password, user=user, sync_camera_passwords=sync_camera_passwords)
        return result

    def email_reset_qr(self) -> Record:
        """The QR payload to mail to the vendor for an e-mailed reset code."""
        result: Record = self._call("email_reset_qr")
        return result

    def app_reset_qr(self) -> Record:
        """The QR payload to scan with the Hik-Connect app for a reset code."""
        result: Record = self._call("app_reset_qr")
        return result

    def reset_with_email_code(self, code: str, new_password: str, *, user: str = "admin", sync_camera_passwords: bool = False) -> Record:
        """Resets the admin password with the code mailed to the reserved address."""
        result: Record = self._call("reset_with_email_code", code=code, new_password=new_password, user=user, sync_camera_passwords=sync_camera_passwords)
        return result

    def reset_with_app_code(self, code: str, new_password: str, *, user: str = "admin", sync_camera_passwords: bool = False) -> Record:
        """Resets the admin password with the code the Hik-Connect app shows."""
        result: Record = self._call("reset_with_app_code", code=code, new_password=new_password, user=user, sync_camera_passwords=sync_camera_passwords)
        return result

    def factory_reset(self, mode: str = "basic") -> ResponseStatus:
        """Restores factory settings: ``basic`` keeps network and users, ``full`` makes the device inactive."""
        result: ResponseStatus = self._call("factory_reset", mode=mode)
        return result

    def reboot(self) -> ResponseStatus:
        """Reboots the device."""
        result: ResponseStatus = self._call("reboot")
        return result

