"""How each operation's raw result (plain dicts from the extension) becomes a result object.

One table shared by ``Device``, ``hikproto.aio.Device`` and ``Fleet``."""

from __future__ import annotations

from typing import Any, Callable, Dict, Union

from ._doctor import DoctorReport
from ._models import DeviceInfo, Response, ResponseStatus, Secret, record

Converter = Callable[[Any], Any]


def _same(raw: Any) -> Any:
    return raw


def _response(raw: Any) -> Response:
    return Response(status=raw["status"], content_type=raw["content_type"], body=raw["body"])


def _secret(raw: Any) -> Any:
    return None if raw is None else Secret(raw)


def records(raw: Any) -> Any:
    """A tuple of ``Record``s from a list of dicts."""
    return tuple(record(x) for x in raw)


CONVERTERS: Dict[str, Converter] = {
    "device_info": DeviceInfo._from_raw,
    "login": _same,
    "logout": _same,
    "request": _response,
    "get_xml": _same,
    "put_xml": ResponseStatus._from_raw,
    "post_xml": _same,
    "delete": ResponseStatus._from_raw,
    "get_json": _same,
    "put_json": _same,
    "post_json": _same,
    # provisioning
    "capabilities": record,
    "security_capabilities": record,
    "activation_status": record,
    "activate": record,
    "users": records,
    "change_password": ResponseStatus._from_raw,
    "add_user": record,
    "delete_user": ResponseStatus._from_raw,
    "network_interfaces": records,
    "ip_addressing": record,
    "set_dns": ResponseStatus._from_raw,
    "admin_accesses": record,
    "set_admin_port": ResponseStatus._from_raw,
    "time": record,
    "ntp_servers": record,
    "use_ntp": ResponseStatus._from_raw,
    "set_ipv4": ResponseStatus._from_raw,
    "set_time": ResponseStatus._from_raw,
    "set_ntp": ResponseStatus._from_raw,
    # the doctor
    "doctor": DoctorReport._build,
    "ezviz": record,
    "enable_platform_access": ResponseStatus._from_raw,
    "disable_platform_access": ResponseStatus._from_raw,
    "verification_code": _secret,
    "set_verification_code": ResponseStatus._from_raw,
    "check_verification_code": _same,
    "platform_qr_code": _secret,
    "unbind_platform": record,
    "test_platform_parameters": record,
    "wait_until_registered": record,
    "ehome": record,
    "set_ehome": ResponseStatus._from_raw,
    # recovery
    "extern_security_capabilities": record,
    "reset_capabilities": record,
    "security_questions": record,
    "security_email": record,
    "recovery_facts": record,
    "recovery_plan": record,
    "set_security_questions": ResponseStatus._from_raw,
    "set_security_email": ResponseStatus._from_raw,
    "export_guid_file": record,
    "reset_with_security_answers": record,
    "reset_with_guid_file": record,
    "email_reset_qr": record,
    "app_reset_qr": record,
    "reset_with_email_code": record,
    "reset_with_app_code": record,
    "factory_reset": ResponseStatus._from_raw,
    "reboot": ResponseStatus._from_raw,
}


def convert(op: str, raw: Any) -> Any:
    """Turns an operation's raw result into its result object."""
    return CONVERTERS.get(op, _same)(raw)


def op_name(op: Union[str, Callable[..., Any]]) -> str:
    """Accepts ``"device_info"`` or a method such as ``hikproto.Device.device_info``."""
    if isinstance(op, str):
        return op
    name = getattr(op, "__name__", None)
    if not isinstance(name, str):
        raise TypeError("op must be an operation name or a Device method")
    return name
