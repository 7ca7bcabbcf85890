"""hikproto.sadp: argument checks and behaviour against silent loopback targets. (Datagrams in
these tests go only to 127.0.0.1.) The simulator's SADP responder, when present, is searched too."""

from __future__ import annotations

import socket
import time

import pytest

import hikproto
import hikproto.sadp
from hikproto.sim import Simulator


def _silent_udp_port() -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    return s


def test_unicast_search_of_a_silent_address_finds_nothing() -> None:
    sock = _silent_udp_port()
    try:
        port = sock.getsockname()[1]
        t0 = time.monotonic()
        found = hikproto.sadp.discover(addresses=[f"127.0.0.1:{port}"], timeout=0.5, bind="127.0.0.1:0")
        assert found == []
        assert 0.4 < time.monotonic() - t0 < 5
        # The inquiry really went out: the silent socket received it.
        sock.settimeout(1)
        data, _ = sock.recvfrom(65536)
        assert b"inquiry" in data.lower() or len(data) > 0
    finally:
        sock.close()


def test_arguments_are_checked() -> None:
    with pytest.raises(hikproto.InvalidArgumentError):
        hikproto.sadp.discover(addresses=["not an address"], timeout=0.2)
    with pytest.raises(hikproto.InvalidArgumentError):
        hikproto.sadp.discover(addresses=["127.0.0.1:1"], subnet=("127.0.0.1", "127.0.0.2"))
    with pytest.raises(hikproto.InvalidArgumentError):
        hikproto.sadp.discover(subnet=("127.0.0.9", "127.0.0.1"), timeout=0.2, bind="127.0.0.1:0")
    with pytest.raises(hikproto.InvalidArgumentError):
        hikproto.sadp.discover(addresses=["127.0.0.1:1"], timeout=0)
    client = hikproto.sadp.Client(timeout=0.5, bind="127.0.0.1:0")
    with pytest.raises(hikproto.InvalidArgumentError):
        client.blink(("zz:zz", "127.0.0.1:9"))
    with pytest.raises(hikproto.InvalidArgumentError):
        client.blink(("00:11:22:33:44:55", "nowhere"))


def test_command_to_a_silent_device_times_out() -> None:
    sock = _silent_udp_port()
    try:
        port = sock.getsockname()[1]
        client = hikproto.sadp.Client(timeout=0.6, bind="127.0.0.1:0")
        t0 = time.monotonic()
        with pytest.raises(hikproto.DeviceTimeoutError):
            client.device_code(("00:11:22:33:44:55", f"127.0.0.1:{port}"))
        assert time.monotonic() - t0 < 5
    finally:
        sock.close()


def test_discover_and_commands_against_simulated_devices() -> None:
    with Simulator(devices=2, sadp=True) as s:
        addrs = [d.sadp_addr for d in s]
        assert all(addrs)
        found = hikproto.sadp.discover(addresses=addrs, timeout=3, expect=2, bind="127.0.0.1:0")
        norm = lambda m: m.lower().replace("-", ":")  # noqa: E731
        assert {norm(f.mac) for f in found} == {norm(d.mac) for d in s}
        dev = next(f for f in found if norm(f.mac) == norm(s[0].mac))
        info = hikproto.sadp.info(dev)
        assert s[0].serial in str(info.to_dict())
        client = hikproto.sadp.Client(timeout=3, bind="127.0.0.1:0")
        client.blink(dev)
        code = client.device_code(dev)
        assert isinstance(code, str) and code
        assert isinstance(client.encrypt_string(dev), str)
        client.password_reset_types(dev)


def test_sadp_activation_and_restore_inactive() -> None:
    with Simulator(devices=1, password=None, sadp=True) as s:
        sd = s[0]
        (dev,) = hikproto.sadp.discover(addresses=[sd.sadp_addr], timeout=3, expect=1, bind="127.0.0.1:0")
        client = hikproto.sadp.Client(timeout=3, bind="127.0.0.1:0")
        assert not sd.activated
        client.activate(dev, "Hik!Vision2024")
        assert sd.activated and sd.password() == "Hik!Vision2024"
        with pytest.raises(hikproto.HikprotoError):
            client.restore_inactive(dev, "Wr0ng!Passw0rd")
        assert sd.activated
        # Refresh the target (salt and state change after activation), then restore.
        (dev,) = hikproto.sadp.discover(addresses=[sd.sadp_addr], timeout=3, expect=1, bind="127.0.0.1:0")
        client.restore_inactive(dev, "Hik!Vision2024")
        assert not sd.activated
