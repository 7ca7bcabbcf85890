"""A third-party client against the simulator: the PyPI package ``hikvisionapi`` reads
deviceInfo from a ``hikproto-sim`` binary using Digest authentication.

Run with pytest; set ``HIKPROTO_SIM`` to the binary (default: ``target/debug/hikproto-sim``
relative to the workspace root). Needs ``pip install hikvisionapi pytest``.
"""

import json
import os
import pathlib
import signal
import subprocess

import pytest

import hikvisionapi  # in scripts/requirements-test.txt: a missing package fails the suite, never skips it

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = os.environ.get("HIKPROTO_SIM", str(ROOT / "target" / "debug" / "hikproto-sim"))
PASSWORD = "Passw0rd!x"


@pytest.fixture()
def site():
    if not pathlib.Path(BINARY).exists():
        pytest.fail(f"hikproto-sim binary not found at {BINARY}; build it with cargo build -p hikproto-sim")
    with subprocess.Popen(
        [BINARY, "--devices", "2", "--password", PASSWORD, "--json"],
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            line = proc.stdout.readline()
            yield json.loads(line)["devices"]
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=10) == 0


def test_hikvisionapi_reads_device_info_with_digest(site):
    dev = site[1]
    cam = hikvisionapi.Client(dev["isapi_url"], "admin", PASSWORD, timeout=5)
    # hikvisionapi probes with Basic, sees the Digest challenge, and switches to Digest.
    assert isinstance(cam.req.auth, hikvisionapi.hikvisionapi.HTTPDigestAuth)
    info = cam.System.deviceInfo(method="get")["DeviceInfo"]
    assert info["serialNumber"] == dev["serial"]
    assert info["model"] == dev["model"]
    assert info["@xmlns"] == "http://www.hikvision.com/ver20/XMLSchema"


def test_hikvisionapi_wrong_password_is_refused(site):
    import requests

    with pytest.raises(requests.HTTPError) as err:
        hikvisionapi.Client(site[0]["isapi_url"], "admin", "Wrong-pass1", timeout=5)
    assert err.value.response.status_code == 401
