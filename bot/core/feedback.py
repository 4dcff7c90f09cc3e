"""Question feedback: what a "Report a problem" button carries, the kinds of problem, the bank version
of an item, and the per-item summary authors read (``studybot content reports``, ``item-stats``, ``validate``).

A report button's value is ``report:<source>:<question id>:<bank version>``: the version is a short hash
of the item as it was shown, so an author can tell whether a report was about the current wording.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.core.model import Question

__all__ = [
    "MAX_REPORT_TEXT",
    "REPORT_BUTTON_LABEL",
    "REPORT_KINDS",
    "REPORT_SOURCES",
    "REPORT_VALUE",
    "ReportSummary",
    "ReportTarget",
    "bank_version",
    "button_label",
    "kind_label",
    "kinds_text",
    "parse_kind",
    "summarize_reports",
]

REPORT_BUTTON_LABEL = "Report a problem"
MAX_REPORT_TEXT = 500
REPORT_SOURCES = ("reveal", "drill", "exam")
# (stored kind, what a person reads); the order is the form's
REPORT_KINDS: tuple[tuple[str, str], ...] = (
    ("wrong_key", "Wrong key"),
    ("unclear", "Unclear"),
    ("outdated", "Outdated"),
    ("typo", "Typo"),
    ("other", "Other"),
)
_KIND_LABEL = dict(REPORT_KINDS)
REPORT_VALUE = re.compile(r"report:(reveal|drill|exam):([A-Za-z0-9._-]{1,32}):([0-9a-f]{12})", flags=re.ASCII)


@dataclass(frozen=True, slots=True)
class ReportTarget:
    """The question a report button is about, the version shown, and where it was shown."""

    question_id: str
    version: str
    source: str  # reveal | drill | exam
    label: str = field(default="", compare=False)  # "Q3" among several questions in one message

    @property
    def value(self) -> str:
        """What the button carries (a Slack button value, a Discord custom id: at most 60 characters)."""
        return f"report:{self.source}:{self.question_id}:{self.version}"

    @classmethod
    def parse(cls, value: str) -> ReportTarget | None:
        m = REPORT_VALUE.fullmatch(value)
        return None if m is None else cls(m.group(2), m.group(3), m.group(1))

    @classmethod
    def of(cls, q: Question, source: str, label: str = "") -> ReportTarget:
        return cls(q.id, bank_version(q), source, label)


def button_label(target: ReportTarget) -> str:
    """``Report a problem``, or ``Report Q3`` when a message has a button per question."""
    return f"Report {target.label}" if target.label else REPORT_BUTTON_LABEL


def bank_version(q: Question) -> str:
    """12 hex digits of SHA-256 over the item's shown fields (stem, options, key, explanations, rationales)."""
    shown = {
        "stem": q.stem,
        "options": list(q.options),
        "answer": q.answer,
        "explanation": q.explanation,
        "explanation_short": q.explanation_short,
        "rationales": list(q.rationales),
    }
    canonical = json.dumps(shown, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def parse_kind(text: str) -> str | None:
    """A kind as stored (``wrong_key``) from what a form or a person sends (``wrong key``, ``Wrong-Key``)."""
    word = re.sub(r"[\s-]+", "_", text.strip().lower())
    if word in _KIND_LABEL:
        return word
    return "wrong_key" if word in {"wrongkey", "key", "wrong"} else None


def kind_label(kind: str) -> str:
    """``wrong key`` for ``wrong_key``: the kind as a person reads it in a sentence."""
    return _KIND_LABEL.get(kind, kind).lower()


def kinds_text() -> str:
    """``wrong_key, unclear, outdated, typo or other`` (for usage and error messages)."""
    names = [k for k, _label in REPORT_KINDS]
    return ", ".join(names[:-1]) + " or " + names[-1]


@dataclass(frozen=True, slots=True)
class ReportSummary:
    """One reported item: counts by kind, the latest texts, and whether the wording changed since."""

    question_id: str
    total: int
    by_kind: tuple[tuple[str, int], ...]  # in REPORT_KINDS order, kinds with reports only
    latest_texts: tuple[str, ...]  # newest first, non-empty texts only
    latest_at: dt.datetime
    versions: tuple[str, ...]  # the versions reported, newest first
    current_version: str | None  # None: the item is no longer in the bank
    on_current: int  # reports about the current wording

    @property
    def wording_changed(self) -> bool:
        """True if some report was about a wording the bank no longer has."""
        return self.current_version is not None and any(v != self.current_version for v in self.versions)

    @property
    def kinds_text(self) -> str:
        return ", ".join(f"{kind_label(k)} {n}" for k, n in self.by_kind)


@dataclass(frozen=True, slots=True)
class _Report:
    question_id: str
    bank_version: str
    kind: str
    text: str
    created_at: dt.datetime


def summarize_reports(
    reports: Sequence[tuple[str, str, str, str, dt.datetime]],
    current_versions: Mapping[str, str],
    *,
    texts: int = 3,
) -> list[ReportSummary]:
    """Per question, from (question, version, kind, text, created at) rows: most reports first, then id."""
    by_question: dict[str, list[_Report]] = {}
    for qid, version, kind, text, at in reports:
        by_question.setdefault(qid, []).append(_Report(qid, version, kind, text, at))
    order = [k for k, _label in REPORT_KINDS]
    out: list[ReportSummary] = []
    for qid, rows in by_question.items():
        rows.sort(key=lambda r: r.created_at, reverse=True)
        counts = Counter(r.kind for r in rows)
        current = current_versions.get(qid)
        out.append(
            ReportSummary(
                question_id=qid,
                total=len(rows),
                by_kind=tuple((k, counts[k]) for k in order if counts[k])
                + tuple((k, n) for k, n in sorted(counts.items()) if k not in order),
                latest_texts=tuple(r.text for r in rows if r.text.strip())[:texts],
                latest_at=rows[0].created_at,
                versions=tuple(dict.fromkeys(r.bank_version for r in rows)),
                current_version=current,
                on_current=sum(1 for r in rows if r.bank_version == current),
            )
        )
    out.sort(key=lambda s: (-s.total, s.question_id))
    return out
