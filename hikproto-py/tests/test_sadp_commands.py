"""hikproto.sadp.Client commands against the simulator's SADP responder (loopback only):
network update, GUID export to a file and reset with it, security questions, e-mail and app
resets, Hik-Connect settings, unbind; and the doctor given a SADP reply."""

from __future__ import annotations

from pathlib import Path
from typing import Tuple

import pytest

import hikproto
import hikproto.sadp
from hikproto.sim import Simulator

from sadp_helpers import NEW, PW
from sadp_helpers import client as _client
from sadp_helpers import find as _find
from sadp_helpers import plain_client as _plain_client


def test_update_network() -> None:
    with Simulator(devices=1, password=PW, sadp=True) as s:
        sd = s[0]
        c = _client()
        dev = _find(sd)
        with pytest.raises(hikproto.AuthenticationError):
            c.update_network(dev, "Wr0ng!Passw0rd", gateway="192.168.1.254")
        sd.unlock_all()
        c.update_network(dev, PW, address="192.168.1.70", gateway="192.168.1.254")
        info = hikproto.sadp.info(_find(sd))
        assert "192.168.1.70" in str(info.to_dict()) and "192.168.1.254" in str(info.to_dict())
        net = s.snapshot()["devices"][0]["network"]
        assert (net["ip"], net["gateway"]) == ("192.168.1.70", "192.168.1.254")
        with pytest.raises(hikproto.InvalidArgumentError):
            c.update_network(dev, PW, address="not an address")
        with pytest.raises(hikproto.InvalidArgumentError):
            c.update_network((sd.mac, sd.sadp_addr), PW, gateway="192.168.1.1")  # type: ignore[arg-type]


def test_guid_export_to_a_named_file_and_reset(tmp_path: Path) -> None:
    with Simulator(devices=1, password=PW, sadp=True) as s:
        sd = s[0]
        c = _plain_client()
        dev = _find(sd)
        path = tmp_path / "site-a" / "camera.guid"
        path.parent.mkdir()
        out = c.export_guid(dev, PW, path)
        assert path.is_file() and out.size > 0 and out.path == str(path)
        assert out.serial in (None, sd.serial)
        with pytest.raises(hikproto.ResetFileError) as missing:
            c.reset_with_guid(dev, tmp_path / "missing.guid", NEW)
        assert missing.value.kind == "io"
        junk = tmp_path / "junk.guid"
        junk.write_bytes(b"not a GUID file")
        with pytest.raises(hikproto.ResetFileError) as wrong:
            c.reset_with_guid(dev, junk, NEW)
        assert wrong.value.kind in ("wrong_size", "malformed", "wrong_kind")
        c.reset_with_guid(_find(sd), path, NEW)
        assert sd.password() == NEW


def test_security_questions_reset() -> None:
    with Simulator(devices=1, password=PW, sadp=True) as s:
        sd = s[0]
        c = _client()
        dev = _find(sd)
        answers = {1: "Rex", 2: "Lisbon", 3: "Blue"}
        c.set_security_questions(dev, answers, PW)
        qs = c.security_questions(_find(sd))
        assert {q.id for q in qs if q.is_set} == {1, 2, 3}
        with pytest.raises(hikproto.HikprotoError):
            c.reset_with_answers(_find(sd), {1: "Rex", 2: "Paris", 3: "Blue"}, NEW)
        assert sd.password() == PW
        c.reset_with_answers(_find(sd), [(1, "Rex"), (2, "Lisbon"), (3, "Blue")], NEW)
        assert sd.password() == NEW
        with pytest.raises(hikproto.InvalidArgumentError):
            c.set_security_questions(dev, {1: "only one"}, NEW)


def test_mail_and_app_resets() -> None:
    with Simulator(devices=1, password=PW, sadp=True) as s:
        sd = s[0]
        c = _client()
        c.set_mailbox(_find(sd), "owner@example.com", PW)
        # the mailed code would travel in clear: refused before sending without the opt-in
        with pytest.raises(hikproto.InvalidArgumentError, match="over SADP"):
            c.reset_with_mail_code(_find(sd), "000000", NEW)
        assert sd.password() == PW
        c = _plain_client()
        qr = c.mail_reset_qr(_find(sd))
        assert qr.mail_box and qr.mail_box.endswith("@example.com") and qr.qr_codes
        with pytest.raises(hikproto.HikprotoError):
            c.reset_with_mail_code(_find(sd), "ZZZZZZZZ", NEW)
        sd.unlock_all()
        c.reset_with_mail_code(_find(sd), Simulator.support_answer_email_qr(qr.qr_codes), NEW)
        assert sd.password() == NEW

        # The app reset needs the device bound to an account.
        sd.client(password=NEW).enable_platform_access("Hk7Q2mZx")
        sd.client(password=NEW).wait_until_registered(10)
        s.platform_bind(sd.serial, "me@example.net", "Hk7Q2mZx")
        pq = c.phone_reset_qr(_find(sd))
        assert pq.qr_code
        c.reset_with_phone_code(_find(sd), Simulator.support_answer_app_qr(pq.qr_code), PW)
        assert sd.password() == PW


def test_hik_connect_settings_and_unbind() -> None:
    with Simulator(devices=1, password=PW, sadp=True) as s:
        sd = s[0]
        c = _client()
        dev = _find(sd)
        c.set_verification_code(dev, "Hk7Q2mZx", PW)
        assert sd.verification_code() == "Hk7Q2mZx"
        with pytest.raises(hikproto.InvalidArgumentError):
            c.set_verification_code(dev, "abc", PW)
        c.set_platform_access(dev, True, PW)
        assert sd.client().ezviz().enabled is True
        sd.client().wait_until_registered(10)
        s.platform_bind(sd.serial, "me@example.net", "Hk7Q2mZx")
        bound = s.platform_record(sd.serial)
        assert bound is not None and bound.account == "me@example.net"
        c.unbind(_find(sd), PW)
        rec = s.platform_record(sd.serial)
        assert rec is None or rec.account is None
        c.unbind_status(_find(sd))
        c.set_platform_access(_find(sd), False, PW)
        assert sd.client().ezviz().enabled is False


def test_doctor_with_a_sadp_reply() -> None:
    with Simulator(devices=1, password=PW, sadp=True) as s:
        sd = s[0]
        report = sd.client().doctor(sadp=_find(sd))
        assert "sadp" not in [u[0] for u in report.unknown]
        assert "platform.disabled" in report.ids
