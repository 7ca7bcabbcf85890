"""Authentication modes and credential handling through the binding."""

from __future__ import annotations

import pytest

import hikproto
from hikproto.sim import Simulator


def test_session_mode_logs_in_once() -> None:
    with Simulator(devices=1) as s:
        sd = s[0]
        dev = sd.client(auth="session")
        dev.login()
        for _ in range(3):
            assert dev.device_info().serial_number == sd.serial
        st = dev.request_stats()
        assert st.session_logins == 1
        dev.logout()


@pytest.mark.parametrize("mode", ["auto", "digest"])
def test_digest_modes(mode: str) -> None:
    with Simulator(devices=1, personality={"auth": "digest-sha256"}) as s:
        dev = s[0].client(auth=mode)
        assert dev.device_info().serial_number == s[0].serial
        assert dev.request_stats().credentials_sent >= 1


def test_basic_only_device_refuses_digest_mode() -> None:
    with Simulator(devices=1, personality={"auth": "basic"}) as s:
        assert s[0].client(auth="basic").device_info().serial_number == s[0].serial
        with pytest.raises(hikproto.NotSupportedError):
            s[0].client(auth="digest").device_info()


def test_bad_auth_mode() -> None:
    with pytest.raises(hikproto.InvalidArgumentError):
        hikproto.Device("127.0.0.1", "admin", "x", auth="kerberos")


def test_new_credentials_lift_the_latch() -> None:
    with Simulator(devices=1) as s:
        dev = s[0].client(password="Wr0ng-Passw0rd!")
        with pytest.raises(hikproto.AuthenticationError):
            dev.device_info()
        assert dev.credentials_latched
        sent = dev.request_stats().credentials_sent
        with pytest.raises(hikproto.CredentialLatchedError):
            dev.device_info()
        assert dev.request_stats().credentials_sent == sent  # nothing was sent
        dev.set_credentials("admin", s.password or "")
        assert not dev.credentials_latched
        assert dev.device_info().serial_number == s[0].serial
