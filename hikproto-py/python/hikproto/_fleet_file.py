"""Fleet work from a devices file: inventory, plan/apply, journaled password rotation.

``Fleet.from_devices_file(path, credentials=...)`` gives a ``DevicesFleet``. Every operation
runs inside Rust with the GIL released; ``as_completed`` yields each device's result as it
finishes, and every method takes ``progress(done, total, device, ok)`` (works with tqdm:
``bar = tqdm(total=len(fleet)); progress=lambda *a: bar.update(1)``).
"""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Union

from . import _hikproto

ProgressCallback = Callable[[int, int, str, bool], object]
PathLike = Union[str, "os.PathLike[str]"]


def change_options(
    hik_connect: Optional[bool],
    dns: Optional[Sequence[str]],
    ntp: Optional[str],
    code: Optional[str],
    codes_out: Optional[PathLike] = None,
) -> Dict[str, Any]:
    """The options of ``plan`` and ``apply`` as the extension takes them."""
    return {
        "hik_connect": hik_connect,
        "dns": dns,
        "ntp": ntp,
        "code": code,
        "codes_out": None if codes_out is None else os.fspath(codes_out),
    }


def rotate_options(journal: PathLike, resume: bool) -> Dict[str, Any]:
    """The options of ``rotate`` as the extension takes them."""
    return {"journal": os.fspath(journal), "resume": resume}


class DevicesFleet:
    """The devices of a devices file (CSV or TOML), with their credentials resolved.

    Bad rows and a credentials file readable by others raise ``InvalidArgumentError`` naming
    ``file:line`` before anything runs. ``concurrency`` devices are worked on at once, at most
    ``per_account_limit`` with one user name and ``per_site_limit`` of one ``site`` of the file
    (devices without a site are not limited by it).
    """

    __slots__ = ("_devices", "_credentials", "_limits", "_total")

    def __init__(
        self,
        devices: PathLike,
        credentials: Optional[PathLike] = None,
        *,
        concurrency: int = 16,
        per_account_limit: Optional[int] = None,
        per_site_limit: Optional[int] = None,
        timeout: float = 15.0,
    ) -> None:
        self._devices = os.fspath(devices)
        self._credentials = None if credentials is None else os.fspath(credentials)
        self._limits: Dict[str, Any] = {
            "concurrency": concurrency,
            "per_account_limit": per_account_limit,
            "per_site_limit": per_site_limit,
            "timeout": timeout,
        }
        # checks the file now: a bad devices file fails here, before any device is contacted
        run = self._start("plan", {})
        self._total = run.total
        run.close()

    def __len__(self) -> int:
        return self._total

    def _start(self, op: str, options: Dict[str, Any]) -> "_hikproto.FleetRun":
        return _hikproto.fleet_file_start(
            op, self._devices, self._credentials, options=options, **self._limits
        )

    def as_completed(self, op: str, /, **options: Any) -> Iterator[Dict[str, Any]]:
        """Yields ``{index, device, ok, value, error}`` per device as each finishes.

        ``op`` is ``"inventory"``, ``"plan"``, ``"apply"`` or ``"rotate"``; ``options`` are
        those of the method of the same name. Leaving the loop early stops the devices still
        running.
        """
        run = self._start(op, options)
        try:
            yield from run
        finally:
            run.close()

    def _collect(
        self, op: str, progress: Optional[ProgressCallback], options: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        rows: List[Dict[str, Any]] = []
        for r in self.as_completed(op, **options):
            rows.append(r)
            if progress is not None:
                progress(len(rows), self._total, r["device"], r["ok"])
        rows.sort(key=lambda r: r["index"])
        return rows

    def inventory(self, *, progress: Optional[ProgressCallback] = None) -> List[Dict[str, Any]]:
        """Model, serial, firmware, platform access, DNS, NTP, clock offset and users per
        device, in file order (a code's value is never read out)."""
        return self._collect("inventory", progress, {})

    def plan(
        self,
        *,
        hik_connect: Optional[bool] = None,
        dns: Optional[Sequence[str]] = None,
        ntp: Optional[str] = None,
        code: Optional[str] = None,
        progress: Optional[ProgressCallback] = None,
    ) -> List[Dict[str, Any]]:
        """What ``apply`` would change on each device (nothing is written). ``code`` is a
        verification code, or ``"generate"`` for a new one where none is set."""
        return self._collect("plan", progress, change_options(hik_connect, dns, ntp, code))

    def apply(
        self,
        *,
        hik_connect: Optional[bool] = None,
        dns: Optional[Sequence[str]] = None,
        ntp: Optional[str] = None,
        code: Optional[str] = None,
        codes_out: Optional[PathLike] = None,
        progress: Optional[ProgressCallback] = None,
    ) -> List[Dict[str, Any]]:
        """Makes the planned changes (applying twice changes nothing the second time).
        Generated codes are written only to ``codes_out``, a new private file."""
        opts = change_options(hik_connect, dns, ntp, code, codes_out)
        return self._collect("apply", progress, opts)

    def rotate(
        self,
        journal: PathLike,
        *,
        resume: bool = False,
        export: Optional[PathLike] = None,
        progress: Optional[ProgressCallback] = None,
    ) -> List[Dict[str, Any]]:
        """Gives every device a new random password, journaled (see the README's "Managing a
        fleet"); ``resume=True`` continues after a crash. ``export`` writes the final
        credentials to a new private CSV file once the run is over."""
        rows = self._collect("rotate", progress, rotate_options(journal, resume))
        if export is not None:
            self.export(journal, export)
        return rows

    def export(self, journal: PathLike, out: PathLike) -> int:
        """Writes every device's credential after a rotation to ``out`` (new, mode 0600)."""
        return _hikproto.fleet_file_export(
            self._devices, os.fspath(journal), os.fspath(out), self._credentials
        )


__all__ = ["DevicesFleet", "change_options", "rotate_options"]
