"""Item-writing lint: the automatable checks of docs/content-standards.md (I-xx per item, B-xx per bank).

``BLOCK`` findings fail ``studybot content validate``; ``WARN`` findings are listed. An item may waive a
check with ``lint_waivers: [{check: I-12, reason: "..."}]``; the reason is required by the schema.
Project rule P-01: options are shuffled at post time, so no text may name an option by its letter.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from bot.core.model import Syllabus
from content.lint.bank import REQUIRED_TAGS, TOPIC_TARGETS, _bank_checks, bank_figures
from content.lint.items import _check_item, _Ctx
from content.loader import LoadedItem, Problem

__all__ = ["REQUIRED_TAGS", "TOPIC_TARGETS", "bank_figures", "lint", "summarize"]


def _apply_waivers(items: Sequence[LoadedItem], findings: list[Problem]) -> list[Problem]:
    waived = {(it.model.id, w.check) for it in items for w in it.model.lint_waivers}
    out = []
    for f in findings:
        if f.item and (f.item, f.check) in waived and f.check != "I-01":
            out.append(Problem(f.file, f.item, f.field, f.message + " (waived)", "WAIVED", f.check))
        else:
            out.append(f)
    return out


def lint(items: Sequence[LoadedItem], syllabus: Syllabus, *, full: bool = True) -> list[Problem]:
    """Run every per-item and bank-level check; ``full`` adds whole-bank checks (coverage, tags)."""
    texts = {o.id: o.text for o in syllabus.objectives()}
    findings: list[Problem] = []
    for it in items:
        _check_item(_Ctx(it.file, it.model, findings), texts.get(it.model.objective, ""))
    findings.extend(_bank_checks(items, syllabus, full))
    return _apply_waivers(items, findings)


def summarize(findings: Iterable[Problem]) -> Counter[str]:
    return Counter(f.level for f in findings)
