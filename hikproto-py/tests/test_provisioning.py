"""The provisioning family against the simulator: activation, users and passwords, the
verification code and Hik-Connect platform access, ISUP, network, DNS, ports, NTP."""

from __future__ import annotations

import pytest

import hikproto
from hikproto.sim import Simulator

ADMIN_PW = "Hik!Vision2024"
CODE = "Hq7pRt2mW"


def test_activation_of_a_factory_device() -> None:
    with Simulator(devices=1, password=None) as s:
        sd = s[0]
        dev = hikproto.Device(sd.ip, port=sd.port)
        assert dev.activation_status().activated is False
        with pytest.raises(hikproto.InvalidArgumentError):
            dev.activate("admin")  # breaks the policy: refused before sending
        assert not sd.activated
        report = dev.activate(ADMIN_PW)
        assert isinstance(report, hikproto.Record)
        assert sd.activated and sd.password() == ADMIN_PW
        assert dev.user == "admin" or dev.device_info().serial_number == sd.serial
        assert dev.device_info().serial_number == sd.serial
        with pytest.raises(hikproto.AlreadyActivatedError):
            dev.activate("An0ther!Passw0rd")


def test_users_and_passwords() -> None:
    with Simulator(devices=1, password=ADMIN_PW) as s:
        sd = s[0]
        dev = sd.client()
        names = [u.user_name for u in dev.users()]
        assert "admin" in names
        added = dev.add_user("oper7", "Op1!Strong77", level="Operator")
        assert added.id >= 1
        assert sd.password("oper7") == "Op1!Strong77"
        dev.change_password("oper7", "Op1!Newer77")
        assert sd.password("oper7") == "Op1!Newer77"
        with pytest.raises(hikproto.InvalidArgumentError):
            dev.change_password("oper7", "weak")
        dev.delete_user("oper7")
        assert sd.password("oper7") is None
        assert sd.stats().repeated_rejected_credentials == 0


def test_verification_code_and_platform_access() -> None:
    with Simulator(devices=1, password=ADMIN_PW) as s:
        sd = s[0]
        dev = sd.client()
        with pytest.raises(hikproto.InvalidArgumentError):
            dev.set_verification_code("ABCDEF")  # obvious codes are refused locally
        assert dev.set_verification_code(CODE).status_code in (1, 7)
        assert sd.verification_code() == CODE
        assert dev.verification_code() == CODE
        assert dev.check_verification_code(CODE) is True
        assert dev.check_verification_code("Zz9yX8wV7") is False
        before = dev.ezviz()
        assert before.enabled is False
        assert "Hq7pRt2mW" not in repr(before.to_dict())
        dev.enable_platform_access(CODE)
        e = dev.wait_until_registered(timeout=10)
        assert e.enabled is True
        rec = s.platform_record(sd.serial)
        assert rec is not None and rec.registered
        qr = dev.platform_qr_code()
        assert isinstance(qr, hikproto.Secret) and CODE not in repr(qr) and CODE in qr.reveal()


def test_isup_settings() -> None:
    with Simulator(devices=1, password=ADMIN_PW) as s:
        dev = s[0].client()
        e0 = dev.ehome()
        assert "key" not in e0.to_dict() or e0.key is None
        with pytest.raises(hikproto.InvalidArgumentError):
            dev.set_ehome(key="short")
        # no field cipher covers the ISUP key: over plain HTTP it needs the explicit opt-in
        with pytest.raises(hikproto.InvalidArgumentError, match="allow_plaintext_secrets"):
            dev.set_ehome(enabled=True, host="192.0.2.50", port=7660, device_id="site-1", key="IsupKey2024x")
        assert dev.ehome().enabled is not True
        dev.allow_plaintext_secrets().set_ehome(enabled=True, host="192.0.2.50", port=7660, device_id="site-1", key="IsupKey2024x")
        e1 = dev.ehome()
        assert e1.enabled is True and e1.port_no == 7660 and e1.device_id == "site-1"


def test_network_dns_ports_and_ntp() -> None:
    with Simulator(devices=1, password=ADMIN_PW) as s:
        sd = s[0]
        dev = sd.client()
        ifs = dev.network_interfaces()
        assert len(ifs) >= 1
        iface = str(ifs[0].id)
        st = dev.set_dns("1.1.1.1", "9.9.9.9", interface_id=iface)
        assert isinstance(st, hikproto.ResponseStatus)
        net = s.snapshot()["devices"][0]["network"]
        assert (net["dns1"], net["dns2"]) == ("1.1.1.1", "9.9.9.9")
        with pytest.raises(hikproto.InvalidArgumentError):
            dev.set_dns("not-an-ip")
        assert dev.ip_addressing(iface).ip_address
        assert dev.admin_accesses() is not None
        assert dev.use_ntp("pool.ntp.example").status_code in (1, 7)
        assert dev.time() is not None
        caps = dev.capabilities()
        assert isinstance(caps, hikproto.Record)


def test_fleet_runs_provisioning_operations() -> None:
    with Simulator(devices=5, password=ADMIN_PW) as s:
        results = hikproto.Fleet(s.clients()).run("set_verification_code", code=CODE)
        assert all(r.ok for r in results), [r.error for r in results]
        assert all(d.verification_code() == CODE for d in s)
        with pytest.raises(hikproto.InvalidArgumentError):
            hikproto.Fleet(s.clients()).run("set_verification_code", code="111111")
