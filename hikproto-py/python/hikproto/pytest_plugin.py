"""pytest fixtures for users' own tests, registered automatically when hikproto is installed.

- ``hikproto_sim``: a running ``hikproto.sim.Simulator`` with one activated device, stopped
  after the test. Parametrise it indirectly for more devices::

      @pytest.mark.parametrize("hikproto_sim", [{"devices": 3}], indirect=True)
      def test_three(hikproto_sim): ...
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest


@pytest.fixture
def hikproto_sim(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A simulated site (``hikproto.sim.Simulator``), started for the test and stopped after it."""
    from .sim import Simulator

    options = getattr(request, "param", None) or {}
    with Simulator(**options) as site:
        yield site
