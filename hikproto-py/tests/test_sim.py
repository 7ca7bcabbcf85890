"""hikproto.sim: starting simulated sites from Python, configuration, the platform, the fixture."""

from __future__ import annotations

import pytest

import hikproto
from hikproto.sim import Simulator


def test_factory_state_and_stop() -> None:
    s = Simulator(devices=2, password=None)
    assert s.running and len(s) == 2
    assert not s[0].activated
    with pytest.raises(hikproto.NotActivatedError):
        s[0].client(password="Whatever-Passw0rd1").device_info()
    s.stop()
    s.stop()
    assert not s.running
    with pytest.raises(hikproto.InvalidArgumentError):
        s[0].stats()


def test_personality_and_config() -> None:
    with Simulator(devices=1, personality={"auth": "digest-sha256", "namespace": "isapi-v20"}) as s:
        assert s[0].client().device_info().namespace == "http://www.isapi.org/ver20/XMLSchema"
    toml = '[[devices]]\nmodel = "DS-7608NXI-K2"\ndevice_type = "NVR"\nactivated = true\n' \
        '[[devices.users]]\nname = "admin"\npassword = "Passw0rd!x"\n'
    with Simulator(devices=0, config=toml) as s:
        assert s[0].model == "DS-7608NXI-K2"
        assert s[0].client().device_info().model == "DS-7608NXI-K2"
    with pytest.raises(hikproto.HikprotoError):
        Simulator(devices=1, personality={"auth": "telepathy"})
    with pytest.raises(hikproto.SimulatorError):
        Simulator(devices=0, config="this is = not [valid toml")


def test_stats_and_platform_controls() -> None:
    with Simulator(devices=1) as s:
        sd = s[0]
        sd.client().device_info()
        st = sd.stats()
        assert st.requests >= 1 and st.logins >= 1
        assert st.endpoints["GET /ISAPI/System/deviceInfo"] >= 1
        sd.reset_stats()
        assert sd.stats().requests == 0
        assert s.platform_record(sd.serial) is None or not s.platform_record(sd.serial).registered
        with pytest.raises(hikproto.SimulatorError):
            s.platform_bind("NO-SUCH-SERIAL", "acct", "ABCDEF")
        assert s.snapshot()["devices"][0]["serial"] == sd.serial


def test_the_pytest_fixture(hikproto_sim: Simulator) -> None:
    assert len(hikproto_sim) == 1
    assert hikproto_sim[0].client().device_info().serial_number == hikproto_sim[0].serial


@pytest.mark.parametrize("hikproto_sim", [{"devices": 3}], indirect=True)
def test_the_pytest_fixture_parametrised(hikproto_sim: Simulator) -> None:
    assert len(hikproto_sim) == 3
