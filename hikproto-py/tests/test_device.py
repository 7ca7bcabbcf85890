"""hikproto.Device against simulated devices: reads, raw requests, typed errors, lock-out safety,
faults, HTTPS pinning, threads."""

from __future__ import annotations

import threading
from typing import Iterator

import pytest

import hikproto
from hikproto.sim import DEFAULT_PASSWORD, Simulator


@pytest.fixture(scope="module")
def site() -> Iterator[Simulator]:
    with Simulator(devices=2, https=True) as s:
        yield s


def test_device_info_matches_the_simulated_device(site: Simulator) -> None:
    sd = site[0]
    with sd.client() as dev:
        info = dev.device_info()
    assert isinstance(info, hikproto.DeviceInfo)
    assert info.serial_number == sd.serial
    assert info.model == sd.model
    assert info.mac_address is not None and info.mac_address.lower() == sd.mac.lower()
    assert info.short_serial == sd.short_serial
    d = info.to_dict()
    assert d["serial_number"] == sd.serial
    with pytest.raises(Exception):
        info.model = "x"  # type: ignore[misc]
    assert site[1].client().device_info().serial_number == site[1].serial


def test_raw_request_xml_and_json(site: Simulator) -> None:
    dev = site[0].client()
    r = dev.request("GET", "/ISAPI/System/deviceInfo")
    assert r.status == 200
    assert site[0].serial in r.text
    assert isinstance(r.body, bytes)
    xml = dev.get_xml("/ISAPI/System/deviceInfo")
    assert xml.lstrip().startswith("<") and "DeviceInfo" in xml
    assert hikproto.decode(xml).value["serialNumber"] == site[0].serial
    unauth = dev.request("GET", "/SDK/activateStatus", authenticate=False)
    assert unauth.status == 200


def test_unsupported_endpoint_is_typed(site: Simulator) -> None:
    dev = site[0].client()
    with pytest.raises(hikproto.DeviceError) as ei:
        dev.get_xml("/ISAPI/Nothing/here")
    assert isinstance(ei.value, hikproto.HikprotoError)
    assert ei.value.sub_status_code


def test_device_refusal_carries_status_fields() -> None:
    with Simulator(devices=1, personality={"refused": {"/ISAPI/System/time": "badXmlContent"}}) as s:
        with pytest.raises(hikproto.DeviceError) as ei:
            s[0].client().put_xml("/ISAPI/System/time", "<Time><timeMode>NTP</timeMode></Time>")
    e = ei.value
    assert e.sub_status_code == "badXmlContent"
    assert isinstance(e.status_code, int) and e.status_code not in (0, 1)
    assert e.request is not None and "/ISAPI/System/time" in e.request
    assert e.http_status is not None


def test_wrong_password_is_never_sent_twice() -> None:
    with Simulator(devices=1) as s:
        sd = s[0]
        dev = sd.client(password="Wr0ngPassw0rd!")
        with pytest.raises(hikproto.AuthenticationError) as first:
            dev.device_info()
        assert first.value.user == "admin"
        assert "Wr0ngPassw0rd" not in str(first.value)
        with pytest.raises(hikproto.AuthenticationError) as second:
            dev.device_info()
        assert isinstance(second.value, hikproto.CredentialLatchedError)
        st = sd.stats()
        assert st.auth_failures == 1
        assert st.repeated_rejected_credentials == 0
        # The right password works.
        assert sd.client().device_info().serial_number == sd.serial


def test_locked_account_reports_retry_after() -> None:
    config = {
        "devices": [
            {
                "activated": True,
                "users": [{"name": "admin", "password": DEFAULT_PASSWORD}],
                "lockout": {"enabled": True, "max_attempts": 2, "lock_seconds": 90},
            }
        ]
    }
    with Simulator(devices=0, config=config) as s:
        sd = s[0]
        # Distinct wrong passwords (the guard refuses to repeat one), as a user typing would.
        for i in range(2):
            with pytest.raises(hikproto.AuthenticationError):
                sd.client(password=f"Wrong{i}Passw0rd!", timeout=5).device_info()
        with pytest.raises(hikproto.LockedError) as ei:
            sd.client(timeout=5).device_info()
        assert ei.value.retry_after is not None and 0 < ei.value.retry_after <= 90
        assert sd.stats().locks >= 1


@pytest.mark.parametrize(
    "fault, exc",
    [
        ("http500", hikproto.DeviceError),
        ("garbage_xml", hikproto.DecodeError),
        ("drop_connections", hikproto.TransportError),
        ("stop_reading", hikproto.DeviceTimeoutError),
    ],
)
def test_faults_become_typed_errors(fault: str, exc: type) -> None:
    with Simulator(devices=1) as s:
        sd = s[0]
        s[0].set_fault(fault)
        with pytest.raises(exc):
            sd.client(timeout=1.5).device_info()
        sd.clear_faults()
        assert sd.client().device_info().serial_number == sd.serial


def test_https_with_pinned_certificate(site: Simulator) -> None:
    sd = site[0]
    assert sd.cert_sha256 is not None
    with sd.client(https=True) as dev:
        assert dev.base_url.startswith("https://")
        assert dev.device_info().serial_number == sd.serial
    wrong = "00" * 32
    with pytest.raises(hikproto.TransportError):
        sd.client(https=True, pin_sha256=wrong, timeout=5).device_info()
    # Without a pin the self-signed certificate is not trusted ...
    with pytest.raises(hikproto.TransportError):
        hikproto.Device(sd.ip, "admin", DEFAULT_PASSWORD, port=sd.https_port, https=True, timeout=5).device_info()
    # ... unless verification is switched off explicitly.
    insecure = hikproto.Device(sd.ip, "admin", DEFAULT_PASSWORD, port=sd.https_port, https=True, verify=False)
    assert insecure.device_info().serial_number == sd.serial


def test_one_handle_many_threads(site: Simulator) -> None:
    dev = site[0].client()
    serials = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(5):
            s = dev.device_info().serial_number
            with lock:
                serials.append(s)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert serials == [site[0].serial] * 40
