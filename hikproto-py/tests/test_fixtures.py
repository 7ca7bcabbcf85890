"""Real device responses (the repository's ``tests/fixtures``) decoded through the Python binding.

Values are checked against the same files read by plain string search, so a binding that drops or
misreads a field fails here. ``HIKPROTO_FIXTURES`` points at another copy; missing fixtures fail.
"""

from __future__ import annotations

import os
import pathlib
import re
from typing import List, Optional

import pytest

import hikproto

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = pathlib.Path(os.environ.get("HIKPROTO_FIXTURES", str(ROOT / "tests" / "fixtures")))


def _device_infos() -> List[pathlib.Path]:
    files = sorted(FIXTURES.glob("real-devices/*/System.deviceInfo.xml"))
    files += sorted(FIXTURES.glob("real-responses/System.deviceInfo*.xml"))
    return files


def _text(doc: str, name: str) -> Optional[str]:
    m = re.search(rf"<{name}>([^<]*)</{name}>", doc)
    return m.group(1).strip() if m else None


def test_fixtures_are_present() -> None:
    assert (FIXTURES / "real-devices").is_dir(), f"no real-devices/ in {FIXTURES}"
    assert len(_device_infos()) >= 9


@pytest.mark.parametrize("path", _device_infos(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_device_info_of_every_real_device(path: pathlib.Path) -> None:
    doc = path.read_text()
    d = hikproto.decode(path.read_bytes())
    assert d.kind == "DeviceInfo"
    for key, element in [("model", "model"), ("serialNumber", "serialNumber"),
                         ("firmwareVersion", "firmwareVersion"), ("macAddress", "macAddress")]:
        assert d.value[key] == _text(doc, element), key


@pytest.mark.parametrize("name", ["Streaming.channels.x0y.picture-badXmlContent.xml",
                                  "Streaming.channels.x0y.picture-deviceError.xml"])
def test_response_status_of_real_devices(name: str) -> None:
    path = FIXTURES / "real-responses" / name
    doc = path.read_text()
    d = hikproto.decode(path.read_bytes())
    assert d.kind == "ResponseStatus"
    assert d.value["statusCode"] == int(_text(doc, "statusCode") or "-1")
    assert d.value["subStatusCode"] == _text(doc, "subStatusCode")
