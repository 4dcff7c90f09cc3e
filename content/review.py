"""Reviews of items without their keys: blind (stem and options) and options-only (the stem covered).

``python -m content review-packet FILE...`` prints a blind packet (no keys, no explanations);
``--options-only`` leaves out the stem too. A reviewer fills in ``answer`` (A-D, or ``-``) per item, and
``also_defensible`` (blind) or ``sure`` (options-only: could tell rather than guessed).
``python -m content apply-review ANSWERS.yaml --reviewer NAME [--options-only]`` records every answer in
the item's ``reviews`` and sets ``status``: an item is ``reviewed`` when its latest blind review agrees
with the key with no second defensible option, and no options-only reviewer was sure of the key from
the options alone; otherwise it goes back to ``draft``. ``studybot content stats`` reports both agreements.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

import yaml

from content.loader import load_syllabus, read_bank_files
from content.schema import ItemModel, ReviewRecord

__all__ = ["agreement", "apply_review", "review_packet", "review_status"]


def review_packet(files: Sequence[Path], out: TextIO, status: str | None = None, *, options_only: bool = False) -> int:
    items, problems = read_bank_files(files, load_syllabus())
    if problems:
        for p in problems:
            print(p, file=out)
        return 1
    packet = []
    for it in items:
        if status is not None and it.model.status != status:
            continue
        entry: dict[str, Any] = {"id": it.model.id}
        if not options_only:
            entry["stem"] = " ".join(it.model.stem.split())
        entry["options"] = it.model.options.model_dump()
        entry["answer"] = ""
        if options_only:
            entry["sure"] = False
        else:
            entry["also_defensible"] = []
        entry["note"] = ""
        packet.append(entry)
    head = (
        "Options-only review: the stem is hidden. For each item pick the option you think is the key (or '-'), "
        "and set sure: true only if the options alone tell you."
        if options_only
        else "Blind review: answer each item from its stem and options; list any other defensible option."
    )
    yaml.safe_dump({"instructions": head, "items": packet}, out, sort_keys=False, allow_unicode=True, width=110)
    return 0


def review_status(model: ItemModel, extra: Iterable[ReviewRecord] = ()) -> str:
    """``reviewed`` if the latest blind review agrees cleanly and no options-only reviewer was sure of the key."""
    reviews = [*model.reviews, *extra]
    blind = [r for r in reviews if r.mode == "blind"]
    cued = any(r.mode == "options-only" and r.sure and r.answer == model.answer for r in reviews)
    ok = bool(blind) and blind[-1].answer == model.answer and not blind[-1].also
    return "reviewed" if ok and not cued else "draft"


def agreement(models: Iterable[ItemModel], mode: str) -> tuple[int, int]:
    """(reviews that picked the key, reviews) of one mode, counting each reviewer's latest answer per item."""
    hit = total = 0
    for m in models:
        latest: dict[str, ReviewRecord] = {}
        for r in m.reviews:
            if r.mode == mode:
                latest[r.by] = r
        for r in latest.values():
            total += 1
            hit += r.answer == m.answer and (mode != "blind" or not r.also)
    return hit, total


def _flow(record: ReviewRecord) -> str:
    shown = '"-"' if record.answer == "-" else record.answer
    parts = [f"by: {record.by}", f"mode: {record.mode}", f"answer: {shown}"]
    if record.mode == "options-only":
        parts.append(f"sure: {'true' if record.sure else 'false'}")
    if record.also:
        parts.append(f"also: [{', '.join(record.also)}]")
    parts.append(f"date: {record.date.isoformat()}")
    return "{" + ", ".join(parts) + "}"


def _set_fields(text: str, item_id: str, status: str, reviewer: str | None, record: ReviewRecord | None = None) -> str:
    """Edit one item's ``status``, ``reviewers`` and ``reviews`` in place, keeping the file's formatting."""
    start = text.find(f"- id: {item_id}\n")
    if start < 0:
        raise KeyError(item_id)
    nxt = text.find("\n  - id: ", start + 1)
    end = len(text) if nxt < 0 else nxt
    block = text[start:end]
    block = re.sub(r"(\n\s+status: )\w+", rf"\g<1>{status}", block, count=1)
    indent = re.search(r"\n(\s+)status: ", block)
    pad = indent.group(1) if indent else "    "

    if reviewer is not None:

        def add_reviewer(m: re.Match[str]) -> str:
            names = [n.strip() for n in m.group(2).split(",") if n.strip()]
            if reviewer not in names:
                names.append(reviewer)
            return f"{m.group(1)}[{', '.join(names)}]"

        block, n = re.subn(r"(\n\s+reviewers: )\[([^\]]*)\]", add_reviewer, block, count=1)
        if n == 0:
            block = re.sub(r"(\n\s+status: \w+)", rf"\1\n{pad}reviewers: [{reviewer}]", block, count=1)
    if record is not None:
        line = f"\n{pad}  - {_flow(record)}"
        m = re.search(r"\n\s+reviews:\n(?:\s+- \{[^\n]*\}\n?)*", block)
        if m:
            insert_at = m.end() if block[m.end() - 1] != "\n" else m.end() - 1
            block = block[:insert_at] + line + block[insert_at:]
        else:
            anchor = re.search(r"\n\s+reviewers: \[[^\]]*\]", block) or re.search(r"\n\s+status: \w+", block)
            assert anchor is not None
            block = block[: anchor.end()] + f"\n{pad}reviews:" + line + block[anchor.end() :]
    return text[:start] + block + text[end:]


def apply_review(
    answers_path: Path,
    reviewer: str,
    questions_dir: Path,
    out: TextIO,
    *,
    options_only: bool = False,
    today: dt.date | None = None,
) -> tuple[int, int]:
    """Record a review; returns (answers that matched the key, answers that did not)."""
    data: dict[str, Any] = yaml.safe_load(answers_path.read_text(encoding="utf-8"))
    files = sorted(questions_dir.glob("*.yaml"))
    items, _problems = read_bank_files(files, load_syllabus())
    by_id = {it.model.id: it for it in items}
    texts = {str(p): p.read_text(encoding="utf-8") for p in files}
    mode = "options-only" if options_only else "blind"
    day = today or dt.date.today()
    agreed = disagreed = 0
    for entry in data.get("items", []):
        item = by_id.get(str(entry.get("id")))
        if item is None:
            print(f"unknown item {entry.get('id')}", file=out)
            continue
        answer = str(entry.get("answer", "") or "-").strip().upper()
        answer = answer if answer in {"A", "B", "C", "D"} else "-"
        extra = sorted(
            {
                str(x).upper()
                for x in entry.get("also_defensible") or []
                if str(x).upper() in "ABCD" and str(x).upper() != answer
            }
        )
        record = ReviewRecord(
            by=reviewer,
            mode=mode,
            answer=answer,
            sure=bool(entry.get("sure")) and options_only,
            also=[] if options_only else extra,
            date=day,
        )
        key = item.model.answer
        status = review_status(item.model, [record])
        if item.model.status in {"published", "retired"}:
            status = item.model.status
        blind_ok = not options_only and answer == key and not extra
        texts[item.file] = _set_fields(texts[item.file], item.model.id, status, reviewer if blind_ok else None, record)
        if answer == key and not extra:
            agreed += 1
            if options_only:
                print(
                    f"{'CUED' if record.sure else 'guessed'} {item.model.id}: picked the key {key} from the options alone",
                    file=out,
                )
        else:
            disagreed += 1
            if not options_only:
                why = f"reviewer chose {answer}, key {key}" + (
                    f"; also defensible: {', '.join(extra)}" if extra else ""
                )
                note = entry.get("note") or ""
                print(f"DISAGREE {item.model.id}: {why}{' — ' + note if note else ''}", file=out)
    for path, text in texts.items():
        if text != Path(path).read_text(encoding="utf-8"):
            Path(path).write_text(text, encoding="utf-8")
    total = agreed + disagreed
    rate = f"{agreed / total:.1%}" if total else "n/a"
    print(f"{reviewer} ({mode}): {agreed} matched the key, {disagreed} did not ({rate} agreement)", file=out)
    return agreed, disagreed
