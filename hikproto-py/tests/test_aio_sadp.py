"""hikproto.aio.sadp: SADP discovery and commands as awaitables, against the simulator's SADP
responders and silent sockets (loopback only)."""

from __future__ import annotations

import asyncio
import inspect
import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, List, Set

import pytest

import hikproto
import hikproto.aio
import hikproto.aio.sadp
import hikproto.sadp
from hikproto.sim import SimDevice, Simulator

from sadp_helpers import NEW, PW
from sadp_helpers import client as _sync_client
from sadp_helpers import find as _sync_find

WRONG = "Wr0ng!Passw0rd"
OTHER = "An0ther!Passw0rd"


def _client(timeout: float = 3) -> hikproto.aio.sadp.Client:
    return hikproto.aio.sadp.Client(timeout=timeout, bind="127.0.0.1:0")


async def _find(sd: SimDevice) -> hikproto.sadp.SadpDevice:
    assert sd.sadp_addr
    (dev,) = await hikproto.aio.sadp.discover(addresses=[sd.sadp_addr], timeout=3, expect=1, bind="127.0.0.1:0")
    return dev


def _norm(mac: str) -> str:
    return mac.lower().replace("-", ":")


def _silent() -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    return s


def _received(sock: socket.socket, within: float) -> int:
    """How many datagrams arrive at ``sock`` within ``within`` seconds."""
    n = 0
    deadline = time.monotonic() + within
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            sock.recvfrom(65536)
        except socket.timeout:
            break
        n += 1
    return n


def _public(cls: type) -> Set[str]:
    return {n for n in dir(cls) if not n.startswith("_")}


def test_import_surface() -> None:
    assert hikproto.aio.__all__ == ["Device", "Fleet", "sadp"]
    # `import hikproto` alone makes both flavours reachable as attributes
    out = subprocess.run(
        [sys.executable, "-c", "import hikproto; print(hikproto.aio.sadp.Client.__module__, hikproto.aio.Fleet.__module__)"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=str(Path(__file__).parent),
    )
    assert out.stdout.split() == ["hikproto.aio.sadp", "hikproto.aio"], out.stderr
    assert Path(hikproto.aio.__file__).name == "__init__.py"
    assert Path(hikproto.aio.sadp.__file__).parent == Path(hikproto.aio.__file__).parent
    assert hikproto.aio.Device.__module__ == "hikproto.aio" and hikproto.aio.Fleet.__module__ == "hikproto.aio"
    assert inspect.iscoroutinefunction(hikproto.aio.sadp.discover)
    assert issubclass(hikproto.aio.sadp.Client, hikproto.sadp.Commands)
    assert issubclass(hikproto.sadp.Client, hikproto.sadp.Commands)
    assert hikproto.aio.sadp.SadpDevice is hikproto.sadp.SadpDevice
    # the same commands in both flavours, each documented
    commands = _public(hikproto.sadp.Client)
    assert commands == _public(hikproto.aio.sadp.Client)
    assert {"activate", "export_key_file", "reset_with_reply_file", "export_guid", "reset_with_guid"} <= commands
    for name in commands | {"discover"}:
        obj = getattr(hikproto.aio.sadp.Client, name, None) or getattr(hikproto.aio.sadp, name)
        assert obj.__doc__, name


def test_nothing_is_sent_until_awaited_and_bad_targets_fail_when_awaited() -> None:
    sock = _silent()
    try:
        port = sock.getsockname()[1]
        c = _client(timeout=0.5)
        pending = c.blink(("00:11:22:33:44:55", f"127.0.0.1:{port}"))
        assert inspect.isawaitable(pending)
        assert _received(sock, 0.3) == 0
        with pytest.raises(hikproto.DeviceTimeoutError):
            asyncio.run(pending)  # type: ignore[arg-type]
        assert _received(sock, 0.3) >= 1  # sent once awaited
        bad = c.blink(("zz:zz", "127.0.0.1:9"))
        with pytest.raises(hikproto.InvalidArgumentError):
            asyncio.run(bad)  # type: ignore[arg-type]
        with pytest.raises(hikproto.InvalidArgumentError):
            asyncio.run(hikproto.aio.sadp.discover(addresses=["127.0.0.1:1"], subnet=("127.0.0.1", "127.0.0.2")))
    finally:
        sock.close()


def test_async_discover_finds_the_simulated_devices() -> None:
    with Simulator(devices=3, sadp=True) as s:
        addrs = [d.sadp_addr or "" for d in s]

        async def main() -> List[List[hikproto.sadp.SadpDevice]]:
            # two searches on one loop at once
            return list(
                await asyncio.gather(
                    hikproto.aio.sadp.discover(addresses=addrs, timeout=3, expect=3, bind="127.0.0.1:0"),
                    hikproto.aio.sadp.discover(addresses=addrs[:1], timeout=3, expect=1, bind="127.0.0.1:0"),
                )
            )

        every, first = asyncio.run(main())
        assert {_norm(f.mac) for f in every} == {_norm(d.mac) for d in s}
        assert [_norm(f.mac) for f in first] == [_norm(s[0].mac)]
        assert all(isinstance(f, hikproto.sadp.SadpDevice) for f in every)
        dev = next(f for f in every if _norm(f.mac) == _norm(s[1].mac))
        assert s[1].serial in str(hikproto.aio.sadp.info(dev).to_dict())


def test_commands_awaited_concurrently() -> None:
    with Simulator(devices=3, password=PW, sadp=True) as s:

        async def main() -> List[Any]:
            c = _client()
            devs = await asyncio.gather(*(_find(sd) for sd in s))
            return list(
                await asyncio.gather(
                    *(c.device_code(d) for d in devs),
                    c.encrypt_string(devs[0]),
                    c.security_questions(devs[1]),
                    c.password_reset_types(devs[2]),
                    c.blink(devs[2]),
                )
            )

        *codes, secret, questions, types, blinked = asyncio.run(main())
        # the same answers the blocking client gets
        sync = _sync_client()
        assert codes == [sync.device_code(_sync_find(sd)) for sd in s]
        assert all(isinstance(x, str) and x for x in codes) and len(set(codes)) == 3
        assert isinstance(secret, str) and secret
        assert isinstance(questions, tuple) and all(isinstance(q, hikproto.Record) for q in questions)
        assert [q.id for q in questions] == [q.id for q in sync.security_questions(_sync_find(s[1]))]
        assert types is not None and blinked is None


def test_commands_to_silent_devices_wait_concurrently() -> None:
    socks = [_silent() for _ in range(4)]
    try:
        targets = [("00:11:22:33:44:5%d" % i, "127.0.0.1:%d" % s.getsockname()[1]) for i, s in enumerate(socks)]

        async def main() -> List[Any]:
            c = _client(timeout=1)
            return list(await asyncio.gather(*(c.device_code(t) for t in targets), return_exceptions=True))

        t0 = time.monotonic()
        out = asyncio.run(main())
        elapsed = time.monotonic() - t0
        assert all(isinstance(e, hikproto.DeviceTimeoutError) for e in out), out
        assert elapsed < 2.5  # four 1 s deadlines side by side, not one after another
    finally:
        for s in socks:
            s.close()


def test_activation_and_wrong_password() -> None:
    with Simulator(devices=1, password=None, sadp=True) as s:
        sd = s[0]

        async def main() -> List[hikproto.AuthenticationError]:
            c = _client()
            await c.activate(await _find(sd), PW)
            assert sd.activated and sd.password() == PW
            with pytest.raises(hikproto.AlreadyActivatedError):
                await c.activate(await _find(sd), PW)
            errors = []
            for _ in range(2):
                with pytest.raises(hikproto.AuthenticationError) as e:
                    await c.restore_inactive(await _find(sd), WRONG)
                errors.append(e.value)
            assert sd.activated
            await c.restore_inactive(await _find(sd), PW)
            return errors

        first, second = asyncio.run(main())
        assert not sd.activated
        assert not isinstance(first, hikproto.LockedError)
        assert first.attempts_left is not None
        # the refused password is not sent again: the device counted one failure
        assert isinstance(second, hikproto.CredentialLatchedError)
        assert sd.stats().sadp_failures == 1
        assert WRONG not in str(first)


def test_guid_file_route(tmp_path: Path) -> None:
    with Simulator(devices=1, password=PW, sadp=True) as s:
        sd = s[0]
        path = tmp_path / "camera.guid"

        async def main() -> hikproto.Record:
            c = _client()
            out = await c.export_guid(await _find(sd), PW, path)
            with pytest.raises(hikproto.ResetFileError) as missing:
                await c.reset_with_guid(await _find(sd), tmp_path / "missing.guid", NEW)
            assert missing.value.kind == "io"
            assert sd.password() == PW
            # SADP carries the GUID in clear: refused before sending without the opt-in
            with pytest.raises(hikproto.InvalidArgumentError, match="allow_plaintext_secrets"):
                await c.reset_with_guid(await _find(sd), path, NEW)
            assert sd.password() == PW
            assert not c.plaintext_secrets_allowed
            plain = c.allow_plaintext_secrets()
            assert plain.plaintext_secrets_allowed and type(plain) is type(c)
            await plain.reset_with_guid(await _find(sd), path, NEW)
            return out

        out = asyncio.run(main())
        assert path.is_file() and out.size == path.stat().st_size and out.path == str(path)
        assert sd.password() == NEW


def test_key_file_route_with_refusal(tmp_path: Path) -> None:
    with Simulator(devices=1, password=PW, sadp=True) as s:
        sd = s[0]
        key = tmp_path / "DeviceKey.xml"

        async def main() -> hikproto.reset_files.KeyFileRecord:
            c = _client().allow_plaintext_secrets()
            rec = await c.export_key_file(await _find(sd), key)
            reply = tmp_path / f"Encrypt_{sd.short_serial}_o2.xml"
            reply.write_text(Simulator.support_answer_export(key.read_text()))
            other = tmp_path / "Encrypt_ZZZZZZZZZ_o2.xml"
            other.write_bytes(reply.read_bytes())
            with pytest.raises(hikproto.ResetFileError) as e:
                await c.reset_with_reply_file(await _find(sd), other, NEW, key_file=key)
            assert e.value.kind == "other_device"
            with pytest.raises(hikproto.InvalidArgumentError) as weak:  # refused before sending
                await c.reset_with_reply_file(("00-11-22-33-44-55", "127.0.0.1:9"), reply, "abcdefgh")
            assert not isinstance(weak.value, hikproto.ResetFileError)
            assert sd.password() == PW
            await c.reset_with_reply_file((sd.mac, sd.sadp_addr or ""), reply, NEW, key_file=key)
            return rec

        rec = asyncio.run(main())
        assert isinstance(rec, hikproto.reset_files.KeyFileRecord)
        assert rec.serial == sd.serial and rec.path == str(key)
        assert sd.password() == NEW
        assert sd.client(password=NEW).device_info().serial_number == sd.serial


def _age_export(key: Path, hours: float) -> None:
    side = Path(str(key) + ".hikproto.json")
    data = json.loads(side.read_text())
    data["createdAt"] = int(time.time() - hours * 3600)
    side.write_text(json.dumps(data))


def test_old_export_warns_and_a_warning_as_error_stops_the_reset(tmp_path: Path) -> None:
    with Simulator(devices=1, password=PW, sadp=True) as s:
        sd = s[0]
        key = tmp_path / "DeviceKey.xml"
        reply = tmp_path / f"Encrypt_{sd.short_serial}_o2.xml"
        c = _client().allow_plaintext_secrets()

        async def export() -> None:
            """A fresh export and its reply, then the export made 30 hours old."""
            await c.export_key_file(await _find(sd), key)
            reply.write_text(Simulator.support_answer_export(key.read_text()))
            _age_export(key, 30)

        async def reset(new: str) -> None:
            await c.reset_with_reply_file(await _find(sd), reply, new, key_file=key)

        asyncio.run(export())
        # warnings are errors in this suite: the reset stops before anything is sent
        with pytest.raises(hikproto.ResetFileWarning, match="24 hours"):
            asyncio.run(reset(NEW))
        assert sd.password() == PW
        with pytest.raises(hikproto.ResetFileWarning):
            _sync_client().allow_plaintext_secrets().reset_with_reply_file(_sync_find(sd), reply, NEW, key_file=key)
        assert sd.password() == PW
        # recorded instead: the reset goes on
        with pytest.warns(hikproto.ResetFileWarning, match="24 hours"):
            asyncio.run(reset(NEW))
        assert sd.password() == NEW
        # the blocking client attributes the warning to the caller's line
        asyncio.run(export())
        with pytest.warns(hikproto.ResetFileWarning) as caught:
            _sync_client().allow_plaintext_secrets().reset_with_reply_file(_sync_find(sd), reply, OTHER, key_file=key)
        assert caught[0].filename == __file__
        assert sd.password() == OTHER


def test_cancelling_a_pending_discover() -> None:
    sock = _silent()
    try:
        port = sock.getsockname()[1]

        async def main() -> float:
            task = asyncio.ensure_future(
                hikproto.aio.sadp.discover(addresses=[f"127.0.0.1:{port}"], timeout=30, bind="127.0.0.1:0")
            )
            await asyncio.sleep(0.3)
            assert not task.done()
            t0 = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return time.monotonic() - t0

        t0 = time.monotonic()
        took = asyncio.run(main())
        assert took < 1 and time.monotonic() - t0 < 3
        # the first inquiry went out; the search re-asks every second while it runs, so silence
        # afterwards shows the Rust search ended with the task
        assert _received(sock, 0.2) == 1
        assert _received(sock, 2.0) == 0
    finally:
        sock.close()
