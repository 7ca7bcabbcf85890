"""The typed network and clock helpers (set_ipv4, set_time, set_ntp) against simulated devices,
and per-device Fleet arguments with them."""

from __future__ import annotations

import asyncio
import datetime

import pytest

import hikproto
from hikproto.sim import Simulator


def test_set_ipv4_changes_only_what_is_given() -> None:
    with Simulator(devices=1) as s:
        dev = s[0].client()
        before = dev.ip_addressing()
        st = dev.set_ipv4(gateway="192.168.1.254", primary_dns="1.1.1.1", secondary_dns="9.9.9.9")
        assert isinstance(st, hikproto.ResponseStatus)
        after = dev.ip_addressing()
        assert after.default_gateway.ip_address == "192.168.1.254"
        assert (after.primary_dns.ip_address, after.secondary_dns.ip_address) == ("1.1.1.1", "9.9.9.9")
        assert (after.ip_address, after.subnet_mask) == (before.ip_address, before.subnet_mask)
        dev.set_ipv4("192.168.1.70", "255.255.0.0")
        now = dev.ip_addressing()
        assert (now.ip_address, now.subnet_mask) == ("192.168.1.70", "255.255.0.0")
        assert now.addressing_type == "static"
        dev.set_ipv4(dhcp=True)
        assert dev.ip_addressing().addressing_type == "dynamic"
        requests = s[0].stats().requests
        for bad in ({"address": "300.1.1.1"}, {"gateway": "::1"}, {"secondary_dns": "8.8.8.8"}, {}, {"dhcp": True, "address": "10.0.0.9"}):
            with pytest.raises(hikproto.InvalidArgumentError):
                dev.set_ipv4(**bad)  # type: ignore[arg-type]
        assert s[0].stats().requests == requests, "refused before anything is sent"
        with pytest.raises(hikproto.InvalidArgumentError, match="differ"):
            dev.set_ipv4(primary_dns="8.8.8.8", secondary_dns="8.8.8.8")


def test_set_time_and_ntp() -> None:
    with Simulator(devices=1) as s:
        dev = s[0].client()
        dev.set_time(datetime.datetime(2024, 5, 1, 12, 0, 0), mode="manual", time_zone="CST-8:00:00")
        t = dev.time()
        assert (t.time_mode, t.time_zone) == ("manual", "CST-8:00:00")
        with pytest.raises(hikproto.DeviceError):
            dev.set_time(mode="sundial")
        st = dev.set_ntp("pool.ntp.org", port=1123, interval=30)
        assert isinstance(st, hikproto.ResponseStatus)
        (server,) = dev.ntp_servers().servers
        assert (server.host_name, server.port_no, server.synchronize_interval) == ("pool.ntp.org", 1123, 30)
        assert dev.time().time_mode == "ntp"
        dev.set_time(mode="manual")
        dev.set_ntp(["time.example.net"], enable=False)
        assert dev.time().time_mode == "manual"
        assert dev.ntp_servers().servers[0].host_name == "time.example.net"
        for bad in ([], ["has space"], [""]):
            with pytest.raises(hikproto.InvalidArgumentError):
                dev.set_ntp(bad)

        async def main() -> None:
            async with s[0].aio_client() as adev:
                await adev.set_ntp("ntp.example.org")
                assert (await adev.ntp_servers()).servers[0].host_name == "ntp.example.org"

        asyncio.run(main())


def test_fleet_with_per_device_arguments() -> None:
    with Simulator(devices=3) as s:
        devices = s.clients()
        hosts = {d.base_url.split("//", 1)[1]: {"servers": [f"ntp{i}.example.net"]} for i, d in enumerate(devices)}
        results = hikproto.Fleet(devices).run(hikproto.Device.set_ntp, per_device=hosts, interval=60)
        assert all(r.ok for r in results), [r.error for r in results]
        got = [(d.ntp_servers().servers[0].host_name, d.ntp_servers().servers[0].synchronize_interval) for d in devices]
        assert got == [(f"ntp{i}.example.net", 60) for i in range(3)]
        # Devices the mapping does not name get only the common arguments; every device's
        # arguments are checked before anything is sent.
        with pytest.raises(hikproto.InvalidArgumentError, match="servers"):
            hikproto.Fleet(devices).run("set_ntp", per_device={devices[0]: {"servers": ["a.example"]}})
        assert devices[0].ntp_servers().servers[0].host_name == "ntp0.example.net"
