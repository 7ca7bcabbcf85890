"""The key-file route through vendor support against the simulator's SADP responder (loopback
only): export the key file with its sidecar, have the simulator's support desk answer it, reset
with the reply, log in with the new password; and every refusal typed as ``ResetFileError``."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Iterator, Tuple

import pytest

import hikproto
import hikproto.sadp
from hikproto.reset_files import check_reply, load_key_file
from hikproto.sim import SimDevice, Simulator

from sadp_helpers import NEW, PW
from sadp_helpers import client as _client
from sadp_helpers import find as _find
from sadp_helpers import plain_client as _plain_client


Exported = Tuple[Simulator, SimDevice, hikproto.sadp.Client, Path, Path]


@pytest.fixture
def exported(tmp_path: Path) -> Iterator[Exported]:
    """A device, its exported key file, and support's reply to it (named for the device)."""
    with Simulator(devices=1, password=PW, sadp=True) as s:
        sd = s[0]
        c = _plain_client()
        key = tmp_path / "DeviceKey.xml"
        c.export_key_file(_find(sd), key)
        reply = tmp_path / f"Encrypt_{sd.short_serial}_o2.xml"
        reply.write_text(Simulator.support_answer_export(key.read_text()))
        yield s, sd, c, key, reply


def _edit_sidecar(key: Path, **changes: object) -> None:
    side = Path(str(key) + ".hikproto.json")
    data = json.loads(side.read_text())
    data.update(changes)
    side.write_text(json.dumps(data))


def test_full_route_export_reply_reset_login(tmp_path: Path) -> None:
    with Simulator(devices=1, password=PW, sadp=True) as s:
        sd = s[0]
        c = _plain_client()
        key = tmp_path / "out" / "camera-key.xml"
        key.parent.mkdir()
        before = int(time.time())
        rec = c.export_key_file(_find(sd), key)
        assert isinstance(rec, hikproto.reset_files.KeyFileRecord)
        assert rec.path == str(key) and rec.serial == sd.serial and rec.short_serial == sd.short_serial
        assert before - 2 <= rec.exported_at <= int(time.time()) + 2
        assert rec.suggested_name is not None
        assert rec.suggested_name.startswith(f"DeviceKey_{sd.short_serial}_")
        assert rec.suggested_name.endswith(".xml")
        assert rec.mac is not None and rec.boot_time
        # written verbatim where asked, sidecar beside it, nothing else
        assert sorted(p.name for p in key.parent.iterdir()) == ["camera-key.xml", "camera-key.xml.hikproto.json"]
        side = json.loads(Path(str(key) + ".hikproto.json").read_text())
        assert side["kind"] == "keyExport" and side["serial"] == sd.serial
        assert PW not in key.read_text() and PW not in json.dumps(side)
        loaded = load_key_file(key)
        assert loaded.serial == sd.serial and loaded.check is not None
        assert loaded.check.may_have_expired is False and loaded.check.age < 60

        # the simulated support desk answers the key file
        reply = tmp_path / f"Encrypt_{sd.short_serial}_o2.xml"
        reply.write_text(Simulator.support_answer_export(key.read_text()))
        checked = check_reply(reply, key)
        assert checked.name_serial == sd.short_serial
        assert checked.key_file is not None and checked.key_file.serial == sd.serial
        assert checked.check is not None and not checked.check.may_have_expired

        c.reset_with_reply_file(_find(sd), reply, NEW, key_file=key)
        assert sd.password() == NEW
        assert sd.client(password=NEW).device_info().serial_number == sd.serial
        old = sd.client(password=PW)
        with pytest.raises(hikproto.AuthenticationError):
            old.device_info()
        # every simulated device listens on 127.0.0.1, and the lock-out latch is per host:
        # the other tests' devices still have this password
        old.clear_credential_latch()


def test_plain_reply_without_key_file_and_tuple_target(exported: Exported, tmp_path: Path) -> None:
    _, sd, c, _, reply = exported
    plain = tmp_path / "Encrypt.xml"
    plain.write_bytes(reply.read_bytes())
    assert check_reply(plain, serial=sd.serial).name_serial is None
    c.reset_with_reply_file((sd.mac, sd.sadp_addr or ""), plain, NEW)
    assert sd.password() == NEW


def test_reply_for_another_device_is_refused(exported: Exported, tmp_path: Path) -> None:
    _, sd, c, key, reply = exported
    other = "Z" * 9 if sd.short_serial != "Z" * 9 else "Y" * 9
    wrong = tmp_path / f"Encrypt_{other}_o2.xml"
    wrong.write_bytes(reply.read_bytes())
    with pytest.raises(hikproto.ResetFileError) as e:
        check_reply(wrong, key)
    assert e.value.kind == "other_device"
    assert (e.value.expected, e.value.found) == (sd.short_serial, other)
    assert e.value.path == str(wrong)
    # against the device, with and without the key file: refused, password unchanged
    for kf in (key, None):
        with pytest.raises(hikproto.ResetFileError) as e:
            c.reset_with_reply_file(_find(sd), wrong, NEW, key_file=kf)
        assert e.value.kind == "other_device"
    # the right reply, checked against another device's serial
    with pytest.raises(hikproto.ResetFileError) as e:
        check_reply(reply, serial="DS-2CD2622FWD-IZS20180312BBWR733050127")
    assert e.value.kind == "other_device" and e.value.expected == "733050127"
    assert isinstance(e.value, hikproto.InvalidArgumentError)
    assert sd.password() == PW


def test_expired_export_is_refused_and_old_one_warns(exported: Exported) -> None:
    _, sd, c, key, reply = exported
    now = int(time.time())
    _edit_sidecar(key, createdAt=now - 49 * 3600)
    with pytest.raises(hikproto.ResetFileError) as e:
        check_reply(reply, key)
    assert e.value.kind == "stale" and e.value.limit == 48 * 3600
    assert e.value.age is not None and e.value.age > 48 * 3600
    with pytest.raises(hikproto.ResetFileError) as e:
        load_key_file(key)
    assert e.value.kind == "stale"
    with pytest.raises(hikproto.ResetFileError) as e:
        c.reset_with_reply_file(_find(sd), reply, NEW, key_file=key)
    assert e.value.kind == "stale"
    assert sd.password() == PW

    # between 24 and 48 hours: accepted with a warning (some devices have discarded it)
    _edit_sidecar(key, createdAt=now - 30 * 3600)
    with pytest.warns(hikproto.ResetFileWarning, match="24 hours"):
        r = check_reply(reply, key)
    assert r.check is not None and r.check.may_have_expired
    with pytest.warns(hikproto.ResetFileWarning):
        c.reset_with_reply_file(_find(sd), reply, NEW, key_file=key)
    assert sd.password() == NEW


def test_superseded_rebooted_and_modified(exported: Exported) -> None:
    _, sd, c, key, reply = exported
    # a reply saved before the export answers an earlier one
    old = time.time() - 3600
    os.utime(reply, (old, old))
    with pytest.raises(hikproto.ResetFileError) as e:
        check_reply(reply, key)
    assert e.value.kind == "superseded"
    os.utime(reply, None)
    # the device's boot time differs from the one recorded at export: it rebooted
    _edit_sidecar(key, bootTime="1999-01-01 00:00:00")
    with pytest.raises(hikproto.ResetFileError) as e:
        c.reset_with_reply_file(_find(sd), reply, NEW, key_file=key)
    assert e.value.kind == "device_rebooted"
    # the key file edited after export
    key.write_text(key.read_text() + "x")
    with pytest.raises(hikproto.ResetFileError) as e:
        check_reply(reply, key)
    assert e.value.kind == "modified"
    assert sd.password() == PW


def test_wrong_file_kind_is_refused(exported: Exported, tmp_path: Path) -> None:
    _, sd, c, key, reply = exported
    cases = [
        (key, "key_export"),  # the export itself, picked by mistake
        (Path(str(key) + ".hikproto.json"), "sidecar"),
    ]
    guid = tmp_path / "camera.guid"
    c.export_guid(_find(sd), PW, guid)
    cases.append((guid, "guid_file"))
    for path, found in cases:
        with pytest.raises(hikproto.ResetFileError) as e:
            check_reply(path, key)
        assert (e.value.kind, e.value.found) == ("wrong_kind", found), path
        assert e.value.expected == "support_reply"
    # a reply given where the key file goes
    with pytest.raises(hikproto.ResetFileError) as e:
        c.reset_with_reply_file(_find(sd), reply, NEW, key_file=reply)
    assert e.value.kind == "malformed" and e.value.expected == "key_export"
    empty = tmp_path / "Encrypt.xml"
    empty.write_text(" \n")
    with pytest.raises(hikproto.ResetFileError) as e:
        check_reply(empty)
    assert e.value.kind == "empty"
    with pytest.raises(hikproto.ResetFileError) as e:
        check_reply(tmp_path / "missing.xml")
    assert e.value.kind == "io" and e.value.op == "read"
    assert sd.password() == PW


def test_weak_new_password_refused_before_anything_is_sent(exported: Exported) -> None:
    _, sd, c, key, reply = exported
    weak = "abcdefgh"
    # a target nobody answers: the refusal is immediate, not a timeout
    t0 = time.monotonic()
    with pytest.raises(hikproto.InvalidArgumentError) as e:
        c.reset_with_reply_file(("00-11-22-33-44-55", "127.0.0.1:9"), reply, weak, key_file=key)
    assert time.monotonic() - t0 < 1.0
    assert not isinstance(e.value, hikproto.ResetFileError)
    assert weak not in str(e.value)
    # against the device: nothing changed, and the same export and reply still work afterwards
    with pytest.raises(hikproto.InvalidArgumentError):
        c.reset_with_reply_file(_find(sd), reply, "admin", key_file=key)
    assert sd.password() == PW
    c.reset_with_reply_file(_find(sd), reply, NEW, key_file=key)
    assert sd.password() == NEW
