"""The doctor's result objects: a ``DoctorReport`` of ``Finding``s and the fixes applied."""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, Mapping, Optional, Tuple

from ._models import Model, Record, Secret, record

__all__ = ["Evidence", "RemedyStep", "Finding", "AppliedFix", "DoctorReport"]


@dataclasses.dataclass(frozen=True)
class Evidence(Model):
    """One observed value behind a finding (``field`` as the device or the user named it)."""

    field: str = ""
    value: str = ""


@dataclasses.dataclass(frozen=True)
class RemedyStep(Model):
    """One step of a remedy: plain ``text``, and where available the web UI path, the
    ``hikproto`` command line and the Python call that does it (``call``, e.g.
    ``"device.ezviz()"``)."""

    text: str = ""
    ui_path: Optional[str] = None
    cli: Optional[str] = None
    call: Optional[str] = None


@dataclasses.dataclass(frozen=True)
class Finding(Model):
    """One diagnosed cause. ``id`` is stable (e.g. ``"code.mismatch"``); ``confidence`` is
    ``"high"``, ``"medium"`` or ``"heuristic"``; ``likelihood`` (0-100) orders the report;
    ``fix`` is the safe automatic fix ``doctor(fix=True)`` would apply, if any."""

    id: str = ""
    title: str = ""
    cause: str = ""
    evidence: Tuple[Evidence, ...] = ()
    confidence: str = ""
    likelihood: int = 0
    remedy: Tuple[RemedyStep, ...] = ()
    fix: Optional[Record] = None
    explains: Tuple[str, ...] = ()

    @classmethod
    def _build(cls, raw: Mapping[str, Any]) -> "Finding":
        return cls(
            id=raw.get("id", ""),
            title=raw.get("title", ""),
            cause=raw.get("cause", ""),
            evidence=tuple(Evidence._from_raw(e) for e in raw.get("evidence") or ()),
            confidence=raw.get("confidence", ""),
            likelihood=raw.get("likelihood", 0),
            remedy=tuple(RemedyStep._from_raw(s) for s in raw.get("remedy") or ()),
            fix=record(raw["fix"]) if raw.get("fix") is not None else None,
            explains=tuple(raw.get("explains") or ()),
        )

    def to_dict(self) -> Dict[str, Any]:
        """Plain dicts and lists."""
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        d["evidence"] = [e.to_dict() for e in self.evidence]
        d["remedy"] = [s.to_dict() for s in self.remedy]
        d["fix"] = self.fix.to_dict() if self.fix is not None else None
        d["explains"] = list(self.explains)
        return d


@dataclasses.dataclass(frozen=True)
class AppliedFix(Model):
    """A fix the doctor applied (or tried to): ``applied`` tells whether the device accepted it.

    ``new_code`` is the verification code a fix set, returned so you can give it to the app: a
    ``Secret`` (``new_code.reveal()`` reads it), left out of ``repr()`` and ``to_dict()``.
    ``safe`` and ``reversible`` are the fix kind's labels; ``previous`` the values it overwrote
    (what an undo writes back); ``skipped`` marks a fix that cannot be undone and was not
    asked for (``fix_irreversible``)."""

    finding: str = ""
    action: Optional[Record] = None
    description: str = ""
    undo: str = ""
    applied: bool = False
    message: str = ""
    reboot_required: bool = False
    follow_up: Optional[str] = None
    safe: bool = False
    reversible: bool = False
    skipped: bool = False
    previous: Optional[Record] = None
    new_code: Optional[Secret] = dataclasses.field(default=None, repr=False, compare=False)

    @classmethod
    def _build(cls, raw: Mapping[str, Any]) -> "AppliedFix":
        fix = raw.get("fix") or {}
        return cls(
            finding=fix.get("finding", ""),
            action=record(fix["action"]) if fix.get("action") is not None else None,
            description=fix.get("description", ""),
            undo=fix.get("undo", ""),
            applied=bool(raw.get("applied")),
            message=raw.get("message", ""),
            reboot_required=bool(raw.get("rebootRequired")),
            follow_up=raw.get("followUp"),
            safe=bool(fix.get("safe")),
            reversible=bool(fix.get("reversible")),
            skipped=bool(raw.get("skipped")),
            previous=record(raw["previous"]) if raw.get("previous") is not None else None,
            new_code=Secret(raw["newCode"]) if raw.get("newCode") is not None else None,
        )

    def to_dict(self) -> Dict[str, Any]:
        """Plain dicts (without ``new_code``)."""
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "new_code"}
        d["action"] = self.action.to_dict() if self.action is not None else None
        d["previous"] = self.previous.to_dict() if self.previous is not None else None
        return d


@dataclasses.dataclass(frozen=True)
class DoctorReport(Model):
    """The doctor's diagnosis of one device, as it is now (after fixes when ``fix=True`` applied
    some; the diagnosis before them is ``before``).

    ``healthy`` is true only when no finding fired **and** every fact the rules need was read;
    a device that could not be examined (HTTP errors, garbage, timeouts, a dropped connection)
    is never healthy: ``unchecked`` lists ``(fact, error)`` for the needed facts that could not
    be read, and ``checked`` is false then. ``findings`` are ordered most likely first;
    ``folded`` lists ``(id, into)`` for findings explained by another one; ``unknown`` lists
    ``(fact, reason)`` for everything that could not be read (including what the device does not
    offer); ``facts`` is what the doctor read (a ``Record``; secrets redacted); ``text`` is the
    human rendering; ``ids`` the finding ids."""

    target: str = ""
    healthy: bool = False
    findings: Tuple[Finding, ...] = ()
    folded: Tuple[Tuple[str, str], ...] = ()
    unknown: Tuple[Tuple[str, str], ...] = ()
    unchecked: Tuple[Tuple[str, str], ...] = ()
    facts: Optional[Record] = None
    fixes: Tuple[AppliedFix, ...] = ()
    before: Optional["DoctorReport"] = None
    text: str = dataclasses.field(default="", repr=False)

    @property
    def ids(self) -> Tuple[str, ...]:
        """The finding ids, most likely first."""
        return tuple(f.id for f in self.findings)

    @property
    def checked(self) -> bool:
        """True when every fact the rules need was read (``unchecked`` is empty)."""
        return not self.unchecked

    def __str__(self) -> str:
        return self.text

    @classmethod
    def _build(cls, raw: Mapping[str, Any]) -> "DoctorReport":
        before = raw.get("before")
        return cls(
            target=raw.get("target", ""),
            healthy=bool(raw.get("healthy")),
            findings=tuple(Finding._build(f) for f in raw.get("findings") or ()),
            folded=tuple((f["id"], f["into"]) for f in raw.get("folded") or ()),
            unknown=tuple((u["fact"], u["reason"]) for u in raw.get("unknown") or ()),
            unchecked=tuple((u["fact"], u["reason"]) for u in raw.get("unchecked") or ()),
            facts=record(raw["facts"]) if raw.get("facts") is not None else None,
            fixes=tuple(AppliedFix._build(f) for f in raw.get("fixes") or ()),
            before=cls._build(before) if before else None,
            text=raw.get("text", ""),
        )

    def to_dict(self) -> Dict[str, Any]:
        """Plain dicts and lists (new verification codes left out)."""
        return {
            "target": self.target,
            "healthy": self.healthy,
            "ids": list(self.ids),
            "findings": [f.to_dict() for f in self.findings],
            "folded": [{"id": i, "into": into} for i, into in self.folded],
            "unknown": [{"fact": k, "reason": r} for k, r in self.unknown],
            "unchecked": [{"fact": k, "reason": r} for k, r in self.unchecked],
            "facts": self.facts.to_dict() if self.facts is not None else None,
            "fixes": [f.to_dict() for f in self.fixes],
            "before": self.before.to_dict() if self.before is not None else None,
            "text": self.text,
        }
