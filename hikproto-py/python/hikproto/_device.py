"""``hikproto.Device``: the blocking client for one device."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Mapping, Optional, Sequence, Tuple, Type, Union

from ._doctor import DoctorReport
from ._handle import Answers, Handle, PathLike, TimeLike, time_text
from ._hikproto import SadpDevice
from ._models import DeviceInfo, Record, Response, ResponseStatus, Secret
from ._ops import convert

JsonValue = Any

__all__ = ["Device", "Answers", "PathLike"]


class Device(Handle):
    """One Hikvision device (camera, NVR, DVR), reached over ISAPI.

    Every method blocks with the GIL released, so threads run concurrently; one ``Device`` may
    be shared between threads. Use it as a context manager to close its connections::

        with hikproto.Device("10.0.0.5", "admin", "Passw0rd!x") as dev:
            print(dev.device_info().model)

    ``verify=False`` accepts any certificate (prefer ``pin_sha256=`` with the device's SHA-256
    certificate fingerprint). ``timeout`` bounds each whole operation, in seconds.
    """

    __slots__ = ()

    def _call(self, op: str, **kwargs: Any) -> Any:
        return convert(op, self._inner.call(op, kwargs))

    def __enter__(self) -> "Device":
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

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

    def set_ipv4(self, address: Optional[str] = None, subnet_mask: Optional[str] = None, gateway: Optional[str] = None, *, dhcp: Optional[bool] = None, primary_dns: Optional[str] = None, secondary_dns: Optional[str] = None, interface_id: str = "1") -> ResponseStatus:
        """Changes an interface's IPv4 addressing (read-modify-write; ``None`` keeps a value).
        An ``address`` implies static addressing; ``dhcp=True`` switches to DHCP (not together
        with static values); moving the address cuts this handle off from the device. A change
        that names nothing or contradicts itself raises ``InvalidArgumentError`` before any request."""
        result: ResponseStatus = self._call("set_ipv4", address=address, subnet_mask=subnet_mask, gateway=gateway, dhcp=dhcp, primary_dns=primary_dns, secondary_dns=secondary_dns, interface_id=interface_id)
        return result

    def set_time(self, local_time: Optional[TimeLike] = None, *, mode: Optional[str] = None, time_zone: Optional[str] = None) -> ResponseStatus:
        """Changes the clock settings: ``mode`` (``"manual"``, ``"NTP"``, ``"platform"``), the
        ``local_time`` (a ``datetime`` or ISO 8601 text) and the POSIX-style ``time_zone``
        (e.g. ``"CST-8:00:00"``); ``None`` keeps a value."""
        result: ResponseStatus = self._call("set_time", local_time=time_text(local_time), mode=mode, time_zone=time_zone)
        return result

    def set_ntp(self, servers: Union[str, Sequence[str]], *, port: Optional[int] = None, interval: Optional[int] = None, enable: bool = True) -> ResponseStatus:
        """Sets the NTP servers (host names or addresses; ``interval`` in minutes) and, with
        ``enable``, switches the clock to NTP."""
        hosts = [servers] if isinstance(servers, str) else list(servers)
        result: ResponseStatus = self._call("set_ntp", servers=hosts, port=port, interval=interval, enable=enable)
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

    def verification_code(self) -> Optional[Secret]:
        """The device's verification code, as a ``Secret`` (``.reveal()`` reads it)."""
        result: Optional[Secret] = self._call("verification_code")
        return result

    def set_verification_code(self, code: str) -> ResponseStatus:
        """Sets the verification code (6-12 letters/digits, obvious codes refused)."""
        result: ResponseStatus = self._call("set_verification_code", code=code)
        return result

    def check_verification_code(self, code: str) -> bool:
        """Whether ``code`` is the device's verification code, without reading it."""
        result: bool = self._call("check_verification_code", code=code)
        return result

    def platform_qr_code(self) -> Secret:
        """The text of the Hik-Connect app QR code, as a ``Secret`` (it carries the verification
        code): ``reveal()`` it to draw the QR."""
        result: Secret = self._call("platform_qr_code")
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
        """Polls until the device is registered with the platform (``DeviceTimeoutError`` otherwise, or ``DeviceError`` at once when registration cannot happen: platform access disabled, or the verification code refused)."""
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

    # -- the doctor ------------------------------------------------------------------------------

    def doctor(self, code: Optional[str] = None, label_qr: Optional[str] = None, app_error: Optional[int] = None, fix: bool = False, sadp: Optional[SadpDevice] = None, *, in_own_account: Optional[bool] = None, settle: float = 30.0, fix_irreversible: bool = False) -> DoctorReport:
        """Diagnoses why the device fails to verify or register (Hik-Connect "Error 2020" and
        friends) and says what to do; never fails: what cannot be read is listed as unknown.

        ``code`` is the verification code your app or VMS stores, ``label_qr`` the text of the
        label's QR code, ``app_error`` the error number the app shows, ``sadp`` the device as
        ``hikproto.sadp.discover()`` found it. ``fix=True`` applies the reversible fixes (DNS,
        clock, server address, platform switch; each records what it overwrites), and with
        ``fix_irreversible=True`` also those that cannot be undone (a new verification code),
        waits up to ``settle`` seconds for registration and diagnoses again. One login at most."""
        result: DoctorReport = self._call("doctor", code=code, label_qr=label_qr, app_error=app_error, fix=fix, sadp=sadp, in_own_account=in_own_account, settle=settle, fix_irreversible=fix_irreversible)
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
        """Resets the admin password by answering the security questions.

        Returns the outcome: ``method``, the device's ``status``, ``sync_camera_passwords_requested``
        and ``password_risky`` (the device accepted the password but rates it risky and will ask
        for a change at the next login). The other ``reset_with_*`` methods return the same.

        The request (``PUT /ISAPI/Security/questionCertification``) is inferred: unverified on real
        firmware. A refusal that suggests a malformed request says so in the error."""
        result: Record = self._call("reset_with_security_answers", answers=answers, new_password=new_password, user=user, sync_camera_passwords=sync_camera_passwords)
        return result

    def reset_with_guid_file(self, path: PathLike, new_password: str, *, user: str = "admin", sync_camera_passwords: bool = False) -> Record:
        """Resets the admin password with a GUID file exported earlier.

        The import path and body are inferred: unverified on real firmware."""
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
        """Resets the admin password with the code mailed to the reserved address.

        The request body is inferred: unverified on real firmware."""
        result: Record = self._call("reset_with_email_code", code=code, new_password=new_password, user=user, sync_camera_passwords=sync_camera_passwords)
        return result

    def reset_with_app_code(self, code: str, new_password: str, *, user: str = "admin", sync_camera_passwords: bool = False) -> Record:
        """Resets the admin password with the code the Hik-Connect app shows.

        The request body is inferred: unverified on real firmware."""
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

