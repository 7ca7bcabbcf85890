"""The password-recovery family against the simulator: discovering routes, preparing them while
the password is known, and resetting with them when it is lost."""

from __future__ import annotations

from pathlib import Path

import pytest

import hikproto
from hikproto.sim import Simulator

NEW_PASSWORD = "N3w-Passw0rd!q"
ANSWERS = {1: "Blue whale", 2: "Lisbon", 3: "Margaret"}


def test_routes_and_plan() -> None:
    with Simulator(devices=1) as s:
        dev = s[0].client()
        caps = dev.extern_security_capabilities()
        assert isinstance(caps, hikproto.Record)
        assert caps.with_security_question is True
        assert caps.with_guid_file_data is True
        plan = dev.recovery_plan()
        assert plan.device.serial == s[0].serial or s[0].serial in str(plan.to_dict())
        assert len(plan.routes) >= 5
        methods = {str(r.method) for r in plan.routes}
        assert any("question" in m.lower() for m in methods)
        facts = dev.recovery_facts()
        assert facts.questions_configured is False
        d = plan.to_dict()
        assert isinstance(d["routes"], list) and isinstance(d["routes"][0], dict)
        with pytest.raises(AttributeError):
            plan.no_such_field  # noqa: B018
        q = dev.security_questions()
        assert all(not getattr(x, "configured", getattr(x, "mark", False)) for x in q.questions)


def test_security_questions_route_end_to_end() -> None:
    with Simulator(devices=1, https=True) as s:
        sd = s[0]
        dev = sd.client()
        st = dev.set_security_questions(ANSWERS)
        assert isinstance(st, hikproto.ResponseStatus) and st.status_code in (1, 7)
        assert dev.recovery_facts().questions_configured is True
        # The password is lost: a handle without credentials resets with the answers, inside
        # TLS (the field cipher needs the lost password; over plain HTTP the reset is refused).
        before = sd.stats().requests
        with pytest.raises(hikproto.InvalidArgumentError, match="allow_plaintext_secrets"):
            sd.client(user=None).reset_with_security_answers(ANSWERS, NEW_PASSWORD)
        assert sd.stats().requests == before
        anon = sd.client(user=None, https=True)
        with pytest.raises(hikproto.DeviceError):
            anon.reset_with_security_answers({1: "wrong", 2: "wrong", 3: "wrong"}, NEW_PASSWORD)
        out = anon.reset_with_security_answers(ANSWERS, NEW_PASSWORD)
        assert out.status.status_code in (1, 7)
        assert out.password_risky is False and out.method == "securityQuestions"
        assert sd.password() == NEW_PASSWORD
        assert sd.client(password=NEW_PASSWORD).device_info().serial_number == sd.serial


def test_weak_new_password_is_refused_before_sending() -> None:
    with Simulator(devices=1) as s:
        anon = s[0].client(user=None)
        before = s[0].stats().requests
        with pytest.raises(hikproto.InvalidArgumentError):
            anon.reset_with_security_answers(ANSWERS, "admin")
        assert s[0].stats().requests == before


def test_guid_file_route(tmp_path: Path) -> None:
    with Simulator(devices=1, https=True) as s:
        sd = s[0]
        path = tmp_path / "device.guid"
        info = sd.client().export_guid_file(path)
        assert path.exists() and info.size > 0
        out = sd.client(user=None, https=True).reset_with_guid_file(path, NEW_PASSWORD)
        assert out.status.status_code in (1, 7)
        assert sd.password() == NEW_PASSWORD


def test_reserved_email_route() -> None:
    with Simulator(devices=1, https=True) as s:
        sd = s[0]
        dev = sd.client()
        with pytest.raises(hikproto.HikprotoError):
            dev.set_security_email("not-an-email")
        dev.set_security_email("owner@example.com")
        assert dev.security_email().address == "owner@example.com"
        anon = sd.client(user=None, https=True)
        qr = anon.email_reset_qr()
        code = Simulator.support_answer_email_qr(qr.qr_text)
        with pytest.raises(hikproto.HikprotoError):
            anon.reset_with_email_code("ZZZZZZZZ", NEW_PASSWORD)
        out = anon.reset_with_email_code(code, NEW_PASSWORD)
        assert out.status.status_code in (1, 7)
        assert sd.password() == NEW_PASSWORD


def test_factory_reset_and_reboot() -> None:
    with Simulator(devices=3) as s:
        with pytest.raises(hikproto.InvalidArgumentError):
            s[0].client().factory_reset("no such mode!")
        st = s[0].client().factory_reset("basic")
        assert isinstance(st, hikproto.ResponseStatus)
        assert s[0].activated
        s[1].client().factory_reset("full")
        assert not s[1].activated
        assert s[2].client().reboot().status_code in (1, 7)
        assert s[2].rebooting
