"""Blind review of items: export stem + options only, then record a reviewer's answers.

``python -m content review-packet FILE...`` prints a packet (no keys, no explanations) as YAML;
a reviewer fills in ``answer`` (A-D) and ``also_defensible`` (other letters that could be argued) per
item; ``python -m content apply-review ANSWERS.yaml --reviewer NAME`` marks items whose blind answer
matches the key, with no second defensible option, as ``status: reviewed`` and lists the rest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import yaml

from content.loader import load_syllabus, read_bank_files

__all__ = ["apply_review", "review_packet"]


def review_packet(files: Sequence[Path], out: TextIO, status: str | None = None) -> int:
    items, problems = read_bank_files(files, load_syllabus())
    if problems:
        for p in problems:
            print(p, file=out)
        return 1
    packet = [
        {"id": it.model.id, "stem": " ".join(it.model.stem.split()), "options": it.model.options.model_dump(),
         "answer": "", "also_defensible": [], "note": ""}
        for it in items
        if status is None or it.model.status == status
    ]
    yaml.safe_dump({"items": packet}, out, sort_keys=False, allow_unicode=True, width=110)
    return 0


def _set_fields(text: str, item_id: str, status: str, reviewer: str) -> str:
    """Edit one item's ``status`` and ``reviewers`` in place, keeping the file's formatting."""
    start = text.find(f"- id: {item_id}\n")
    if start < 0:
        raise KeyError(item_id)
    nxt = text.find("\n  - id: ", start + 1)
    end = len(text) if nxt < 0 else nxt
    block = text[start:end]
    block = re.sub(r"(\n\s+status: )\w+", rf"\g<1>{status}", block, count=1)

    def add_reviewer(m: re.Match[str]) -> str:
        names = [n.strip() for n in m.group(2).split(",") if n.strip()]
        if reviewer not in names:
            names.append(reviewer)
        return f"{m.group(1)}[{', '.join(names)}]"

    block, n = re.subn(r"(\n\s+reviewers: )\[([^\]]*)\]", add_reviewer, block, count=1)
    if n == 0:
        indent = re.search(r"\n(\s+)status: ", block)
        pad = indent.group(1) if indent else "    "
        block = re.sub(r"(\n\s+status: \w+)", rf"\1\n{pad}reviewers: [{reviewer}]", block, count=1)
    return text[:start] + block + text[end:]


def apply_review(answers_path: Path, reviewer: str, questions_dir: Path, out: TextIO) -> tuple[int, int]:
    """Record a blind review; returns (agreed, disagreed)."""
    data: dict[str, Any] = yaml.safe_load(answers_path.read_text(encoding="utf-8"))
    files = sorted(questions_dir.glob("*.yaml"))
    items, _problems = read_bank_files(files, load_syllabus())
    by_id = {it.model.id: it for it in items}
    texts = {str(p): p.read_text(encoding="utf-8") for p in files}
    agreed = disagreed = 0
    for entry in data.get("items", []):
        item = by_id.get(entry["id"])
        if item is None:
            print(f"unknown item {entry['id']}", file=out)
            continue
        answer = str(entry.get("answer", "")).strip().upper()
        extra = [str(x).upper() for x in entry.get("also_defensible") or [] if str(x).upper() != answer]
        key = item.model.answer
        if answer == key and not extra:
            agreed += 1
            if item.model.status == "draft":
                texts[item.file] = _set_fields(texts[item.file], item.model.id, "reviewed", reviewer)
        else:
            disagreed += 1
            why = f"reviewer chose {answer or '-'}, key {key}" + (f"; also defensible: {', '.join(extra)}" if extra else "")
            note = entry.get("note") or ""
            print(f"DISAGREE {item.model.id}: {why}{' — ' + note if note else ''}", file=out)
    for path, text in texts.items():
        if text != Path(path).read_text(encoding="utf-8"):
            Path(path).write_text(text, encoding="utf-8")
    total = agreed + disagreed
    rate = f"{agreed / total:.1%}" if total else "n/a"
    print(f"{reviewer}: {agreed} agreed, {disagreed} disagreed ({rate} agreement)", file=out)
    return agreed, disagreed
