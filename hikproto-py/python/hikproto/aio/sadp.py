"""SADP as awaitables: ``hikproto.sadp`` for asyncio, over the same Rust core.

``discover()`` and every ``Client`` command return awaitables; many commands (to one device or
to many) can be in flight from one event loop at once, and cancelling the awaiting task drops the
Rust work (a search's socket is closed). Nothing is sent until a command is awaited::

    async def main() -> None:
        c = hikproto.aio.sadp.Client()
        for dev in await hikproto.aio.sadp.discover(timeout=3):
            print(dev.mac, await c.device_code(dev))
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, List, Optional, Sequence, Tuple

from .. import _hikproto
from .._models import Record
from ..reset_files import KeyFileRecord
from ..sadp import Answers, Commands, PathLike, SadpDevice, Target, _search_args, info

__all__ = ["discover", "Client", "SadpDevice", "Target", "Answers", "PathLike", "info"]


async def discover(
    *,
    addresses: Optional[Sequence[str]] = None,
    subnet: Optional[Tuple[str, str]] = None,
    timeout: float = 3.0,
    expect: Optional[int] = None,
    bind: Optional[str] = None,
) -> List[SadpDevice]:
    """Searches for devices for ``timeout`` seconds (or until ``expect`` have answered), like
    ``hikproto.sadp.discover``."""
    return await _hikproto.sadp_discover_async(**_search_args(addresses, subnet, timeout, expect, bind))


class Client(
    Commands[
        Awaitable[None],
        Awaitable[str],
        Awaitable[Any],
        Awaitable[Record],
        Awaitable[Tuple[Record, ...]],
        Awaitable[KeyFileRecord],
    ]
):
    """``hikproto.sadp.Client`` with awaitable commands (same constructor, methods, arguments and
    errors)::

        c = hikproto.aio.sadp.Client()
        codes = await asyncio.gather(*(c.device_code(d) for d in devices))
    """

    __slots__ = ()

    def _call(
        self, op: str, target: Target, convert: Callable[[Any], Any], kwargs: Dict[str, Any]
    ) -> Awaitable[Any]:
        async def run() -> Any:
            return convert(await self._inner.call_async(op, target, kwargs))

        return run()
