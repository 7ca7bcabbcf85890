"""What the SADP test modules share: the site password, a new password, and loopback-only
discovery and client construction for one simulated device."""

from __future__ import annotations

import hikproto.sadp
from hikproto.sim import SimDevice

PW = "Gx7!pLm2qR"
NEW = "N3w!Passw0rd"


def find(sd: SimDevice) -> hikproto.sadp.SadpDevice:
    """The simulated device as a unicast SADP inquiry finds it (answers carry fresh state)."""
    assert sd.sadp_addr, "start the simulator with sadp=True"
    (dev,) = hikproto.sadp.discover(addresses=[sd.sadp_addr], timeout=3, expect=1, bind="127.0.0.1:0")
    return dev


def client() -> hikproto.sadp.Client:
    """A SADP client on loopback with a short deadline."""
    return hikproto.sadp.Client(timeout=3, bind="127.0.0.1:0")


def plain_client() -> hikproto.sadp.Client:
    """``client()`` opted in to send reset codes and GUIDs in clear: the simulated site's devices
    do not advertise ``codeEncrypt``, so SADP cannot seal those (the refusal without the opt-in
    has tests of its own)."""
    return client().allow_plaintext_secrets()
