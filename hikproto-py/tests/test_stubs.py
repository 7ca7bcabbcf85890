"""The hand-written stubs match the installed extension (mypy.stubtest), and mypy accepts the
typed package as a user would see it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ALLOWLIST = HERE / "stubtest-allowlist.txt"


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("MYPYPATH", None)
    return subprocess.run(
        [sys.executable, "-m", *args],
        capture_output=True,
        text=True,
        cwd=str(HERE),  # not the source tree: the installed wheel is what is checked
        env=env,
        timeout=300,
    )


@pytest.mark.timeout(300)
def test_stubtest() -> None:
    r = _run(
        [
            "mypy.stubtest",
            "hikproto._hikproto",
            "--allowlist",
            str(ALLOWLIST),
            "--ignore-unused-allowlist",
        ]
    )
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.timeout(300)
def test_mypy_strict_on_a_user_script(tmp_path: Path) -> None:
    script = tmp_path / "user.py"
    script.write_text(
        "import hikproto, hikproto.aio, asyncio\n"
        "def f(dev: hikproto.Device) -> str:\n"
        "    info = dev.device_info()\n"
        "    return info.model or ''\n"
        "async def g(dev: hikproto.aio.Device) -> int:\n"
        "    st = await dev.put_xml('/ISAPI/x', '<a/>')\n"
        "    return st.status_code\n"
        "def h(devs: list[hikproto.Device]) -> list[bool]:\n"
        "    return [r.ok for r in hikproto.Fleet(devs).run(hikproto.Device.device_info)]\n"
        "try:\n"
        "    pass\n"
        "except hikproto.LockedError as e:\n"
        "    wait: float | None = e.retry_after\n"
        "except hikproto.DeviceError as e:\n"
        "    code: int | None = e.status_code\n"
        "import hikproto.aio.sadp, hikproto.reset_files\n"
        "def s(c: hikproto.sadp.Client, d: hikproto.sadp.SadpDevice) -> str:\n"
        "    c.activate(d, 'x')\n"
        "    return c.device_code(d)\n"
        "async def a(c: hikproto.aio.sadp.Client) -> tuple[str, int, bool]:\n"
        "    devs: list[hikproto.sadp.SadpDevice] = await hikproto.aio.sadp.discover(expect=1)\n"
        "    await c.activate(devs[0], 'x')\n"
        "    codes: list[str] = await asyncio.gather(*(c.device_code(d) for d in devs))\n"
        "    rec: hikproto.reset_files.KeyFileRecord = await c.export_key_file(devs[0], 'k.xml')\n"
        "    qs: tuple[hikproto.Record, ...] = await c.security_questions(devs[0])\n"
        "    g: hikproto.Record = await c.export_guid(devs[0], 'x', 'g.guid')\n"
        "    return codes[0], len(qs), rec.serial is None and g is None\n"
    )
    r = _run(["mypy", "--strict", "--no-incremental", "--cache-dir", os.devnull, str(script)])
    assert r.returncode == 0, r.stdout + r.stderr
