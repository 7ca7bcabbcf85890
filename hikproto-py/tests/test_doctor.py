"""Device.doctor() and Fleet.doctor() against simulated devices put into broken states: each
state gives exactly its finding ids, and fix=True makes a fixable device healthy."""

from __future__ import annotations

import asyncio
import re
from typing import Any, Dict

import hikproto
import hikproto.aio
from hikproto.sim import Simulator

PW = "Gx7!pLm2qR"
CODE = "Hk7Q2mZx"
EZVIZ = "/ISAPI/System/Network/EZVIZ"


def _config(**network: str) -> Dict[str, Any]:
    """A one-device site configuration: activated, code set, platform access on (healthy),
    with the given network fields overridden."""
    with Simulator(devices=1, password=PW) as s:
        snap = s.snapshot()
    dev = snap["devices"][0]
    dev["http_port"] = 0
    dev["verification_code"] = CODE
    dev["ezviz"]["enabled"] = True
    dev["network"].update(network)
    return snap


def _healthy(site: Simulator) -> None:
    for d in site:
        dev = d.client()
        dev.set_verification_code(CODE)
        dev.enable_platform_access(CODE)


def test_factory_platform_settings_are_diagnosed_and_fixed() -> None:
    with Simulator(devices=1, password=PW) as s:
        dev = s[0].client()
        report = dev.doctor()
        assert isinstance(report, hikproto.DoctorReport)
        assert set(report.ids) == {"platform.disabled", "code.not_set"}
        assert not report.healthy and report.fixes == () and report.before is None
        f = report.findings[0]
        assert f.confidence in ("high", "medium", "heuristic") and 0 <= f.likelihood <= 100
        assert f.cause and f.remedy and f.remedy[0].text and f.evidence[0].field
        assert f.fix is not None and f.fix.action in ("enablePlatform", "setVerificationCode")
        assert "platform.disabled" in report.text and str(report) == report.text
        assert [u[0] for u in report.unknown][:1] == ["sadp"]

        # fix=True applies the reversible fixes; setting a code cannot be undone and is skipped,
        # but enabling the platform on a device without any code sets one (nothing used the
        # missing code), returned as a Secret
        fixed = dev.doctor(fix=True, settle=10)
        assert fixed.healthy and fixed.ids == ()
        assert fixed.before is not None and set(fixed.before.ids) == set(report.ids)
        by_id = {x.finding: x for x in fixed.fixes}
        assert set(by_id) == {"code.not_set", "platform.disabled"}
        assert by_id["code.not_set"].skipped and not by_id["code.not_set"].applied
        assert not by_id["code.not_set"].reversible and not by_id["code.not_set"].safe
        assert by_id["platform.disabled"].applied and by_id["platform.disabled"].reversible
        assert by_id["platform.disabled"].previous is not None
        new = by_id["platform.disabled"].new_code
        assert isinstance(new, hikproto.Secret) and new == s[0].verification_code()
        # The new code is read explicitly: never in repr(), str() nor to_dict().
        code = new.reveal()
        assert code not in repr(new) and code not in str(new) and code not in f"{new}"
        assert code not in repr(fixed) and code not in str(fixed.to_dict())
        again = dev.doctor(fix=True, fix_irreversible=True, settle=0)
        assert again.healthy and again.fixes == ()
        assert dev.ezviz().enabled is True and dev.ezviz().register_status is True


def test_each_broken_state_gives_its_finding() -> None:
    with Simulator(devices=1, password=PW) as s:
        _healthy(s)
        sd = s[0]
        dev = sd.client()
        assert dev.doctor(code=CODE, settle=0).ids == ()
        assert dev.doctor(code="Zt9w4kLp").ids == ("code.mismatch",)
        assert dev.doctor(code=CODE.upper()).ids == ("code.case_mismatch",)
        other = f"www.hik-connect.com\r\nK99999999\r\n{CODE}\r\n{sd.model}\r\n"
        assert dev.doctor(code=CODE, label_qr=other).ids == ("label.serial_mismatch",)
        assert sd.client(password="Wr0ng!Passw0rd").doctor(code=CODE).ids == ("login.rejected",)

        # Pointed at another server: found, and fixed.
        xml = dev.get_xml(EZVIZ)
        dev.put_xml(EZVIZ, re.sub(r"<hostName>[^<]*</hostName>", "<hostName>p2p.example.net</hostName>", xml))
        assert dev.doctor(code=CODE).ids == ("platform.server_address",)
        fixed = dev.doctor(code=CODE, fix=True, settle=10)
        assert fixed.healthy and [x.finding for x in fixed.fixes] == ["platform.server_address"]

        # A gateway outside the subnet: found, not fixed automatically (it could cut the device off).
        assert dev.set_ipv4(gateway="10.9.8.1").status_code in (1, 7)
        assert dev.doctor(code=CODE).ids == ("network.gateway_off_subnet",)
        assert dev.doctor(code=CODE, fix=True, settle=0).fixes == ()

        sd.set_fault("drop_connections")
        assert sd.client().doctor(code=CODE).ids == ("device.unreachable",)


def test_missing_dns_is_fixed() -> None:
    with Simulator(devices=0, password=PW, config=_config(dns1="0.0.0.0", dns2="")) as s:
        dev = s[0].client()
        assert dev.doctor(code=CODE).ids == ("dns.missing",)
        fixed = dev.doctor(code=CODE, fix=True, settle=10)
        assert fixed.healthy and fixed.before is not None and fixed.before.ids == ("dns.missing",)
        dns = dev.ip_addressing().primary_dns
        assert dns is not None and dns.ip_address not in (None, "0.0.0.0")


def test_fleet_doctor_with_per_device_codes_and_aio() -> None:
    with Simulator(devices=4, password=PW) as s:
        _healthy(s)
        devices = s.clients()
        fleet = hikproto.Fleet(devices, concurrency=4)
        results = fleet.doctor(code=CODE, per_device={devices[1].base_url: {"code": "Zt9w4kLp"}})
        assert [r.unwrap().ids for r in results] == [(), ("code.mismatch",), (), ()]
        # A callable works too; arguments a device does not get fall back to the common ones.
        results = fleet.run(
            "doctor",
            code=CODE,
            per_device=lambda d: {"label_qr": "not a label"} if d is devices[2] else None,
        )
        assert [r.value.ids for r in results] == [(), (), ("label.unreadable",), ()]

        async def main() -> None:
            async with s[3].aio_client() as adev:
                r = await adev.doctor(code="Zt9w4kLp")
                assert r.ids == ("code.mismatch",)
            rows = await hikproto.aio.Fleet(devices[:2]).doctor(code=CODE)
            assert [r.value.healthy for r in rows] == [True, True]

        asyncio.run(main())


def test_doctor_arguments_are_checked() -> None:
    with Simulator(devices=1, password=PW) as s:
        dev = s[0].client()
        for bad in ({"settle": -1}, {"app_error": "x"}, {"sadp": "not a device"}):
            try:
                dev.doctor(**bad)  # type: ignore[arg-type]
            except hikproto.InvalidArgumentError:
                pass
            else:
                raise AssertionError(f"accepted {bad}")
        fleet = hikproto.Fleet(s.clients())
        try:
            fleet.run("doctor", per_device=lambda d: {"nope": 1})
        except hikproto.InvalidArgumentError as e:
            assert "nope" in str(e)
        else:
            raise AssertionError("unknown per-device argument accepted")
