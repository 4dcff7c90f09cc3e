"""Content commands: ``validate`` and ``stats`` (also reachable as ``studybot content ...``)."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from content import QUESTIONS_DIR, SYLLABUS_PATH
from content.lint import REQUIRED_TAGS, bank_figures, lint, summarize
from content.loader import ContentError, Problem, bank_files, load_syllabus, read_bank_files

__all__ = ["main", "run_stats", "run_validate"]


def run_validate(
    out: TextIO,
    files: list[Path] | None = None,
    *,
    questions_dir: Path = QUESTIONS_DIR,
    syllabus_path: Path = SYLLABUS_PATH,
    show_warnings: bool = True,
    reports: Mapping[str, str] | None = None,
    strict: bool = False,
) -> int:
    """Validate content; print every finding; return 1 on any BLOCK finding, else 0.

    ``reports`` maps an item id to why learners' problem reports say it needs review (read from the
    database by ``studybot content validate``): a WARN line naming its file and item, or with ``strict``
    a failure."""
    try:
        syllabus = load_syllabus(syllabus_path)
    except ContentError as exc:
        for p in exc.problems:
            print(p, file=out)
        return 1
    full = files is None
    paths = bank_files(questions_dir) if files is None else files
    items, problems = read_bank_files(paths, syllabus)
    findings: list[Problem] = list(problems)
    findings += lint(items, syllabus, full=full)
    review = [
        Problem(it.file, it.model.id, None, reports[it.model.id], level="WARN", check="R-01")
        for it in items
        if reports and it.model.id in reports
    ]
    findings += review
    counts = summarize(findings)
    order = {"BLOCK": 0, "WARN": 1, "WAIVED": 2}
    for f in sorted(findings, key=lambda p: (order.get(p.level, 3), p.file, p.item or "", p.check)):
        if f.level == "BLOCK" or show_warnings:
            print(f, file=out)
    print(
        f"{len(items)} items in {len(paths)} file(s): {counts['BLOCK']} BLOCK, "
        f"{counts['WARN']} WARN, {counts['WAIVED']} waived",
        file=out,
    )
    if review:
        print(f"{len(review)} item(s) need review after problem reports", file=out)
    if counts["BLOCK"] or (strict and review):
        print("content validate: FAILED" + ("" if counts["BLOCK"] else " (--strict: items need review)"), file=out)
        return 1
    print("content validate: OK", file=out)
    return 0


def run_stats(out: TextIO, *, as_json: bool = False, questions_dir: Path = QUESTIONS_DIR) -> int:
    """Print item counts per topic, subtopic and objective, tag counts and bank figures."""
    syllabus = load_syllabus()
    items, problems = read_bank_files(bank_files(questions_dir), syllabus)
    models = [it.model for it in items if it.model.status != "retired"]
    per_obj = Counter(m.objective for m in models)
    status = Counter(m.status for m in models)
    tags = Counter(t for m in models for t in set(m.tags))
    data: dict[str, Any] = {
        "items": len(models),
        "invalid_items_or_files": len(problems),
        "status": dict(status),
        "topics": [
            {
                "id": t.id,
                "title": t.title,
                "items": sum(per_obj[o.id] for s in t.subtopics for o in s.objectives),
                "subtopics": [
                    {
                        "id": s.id,
                        "title": s.title,
                        "items": sum(per_obj[o.id] for o in s.objectives),
                        "objectives": {o.id: per_obj[o.id] for o in s.objectives},
                    }
                    for s in t.subtopics
                ],
            }
            for t in syllabus.topics
        ],
        "objectives_below_3": sorted(o.id for o in syllabus.objectives() if per_obj[o.id] < 3),
        "required_tags": {t: tags[t] for t in REQUIRED_TAGS},
        "tags": dict(tags.most_common()),
        "figures": bank_figures(models),
        "reviews": _review_figures(models, syllabus),
    }
    if as_json:
        json.dump(data, out, indent=2)
        out.write("\n")
        return 0
    print(f"Question bank: {len(models)} items ({', '.join(f'{k} {v}' for k, v in sorted(status.items()))})", file=out)
    for t in data["topics"]:
        print(f"\nTopic {t['id']}: {t['title']}  [{t['items']} items]", file=out)
        for s in t["subtopics"]:
            objs = "  ".join(f"{k}:{v}" for k, v in s["objectives"].items())
            print(f"  {s['id']} {s['title']}  [{s['items']}]\n      {objs}", file=out)
    print(f"\nObjectives with fewer than 3 items: {', '.join(data['objectives_below_3']) or 'none'}", file=out)
    print("Required tags (>= 4 each): " + ", ".join(f"{k} {v}" for k, v in data["required_tags"].items()), file=out)
    rv = data["reviews"]
    print("\nReview agreement with the keys (each reviewer's latest answer per item):", file=out)
    print(f"  {'scope':<8}{'blind (stem + options)':>26}{'options-only (stem hidden)':>30}", file=out)
    for row in rv:
        print(f"  {row['scope']:<8}{_share(row['blind']):>26}{_share(row['options_only']):>30}", file=out)
    print("  targets: blind >= 95%; options-only <= 40% for the bank and <= 50% per subtopic (chance is 25%)", file=out)
    print("\nBank figures (docs/content-standards.md, per bank):", file=out)
    for k, v in data["figures"].items():
        print(f"  {k}: {_figure(v)}", file=out)
    return 0


def _figure(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {_figure(v)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return str(value)


def _share(pair: list[int]) -> str:
    hit, total = pair
    return f"{hit}/{total} = {100 * hit / total:.0f}%" if total else "no reviews"


def _review_figures(models: list[Any], syllabus: Any) -> list[dict[str, Any]]:
    from content.review import agreement

    rows: list[dict[str, Any]] = [
        {
            "scope": "bank",
            "blind": list(agreement(models, "blind")),
            "options_only": list(agreement(models, "options-only")),
        }
    ]
    for t in syllabus.topics:
        for scope in [t.id, *[s.id for s in t.subtopics]]:
            part = [m for m in models if m.objective == scope or m.objective.startswith(scope + ".")]
            rows.append(
                {
                    "scope": scope,
                    "blind": list(agreement(part, "blind")),
                    "options_only": list(agreement(part, "options-only")),
                }
            )
    return rows


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add the content actions to ``parser`` (used by ``studybot content`` and ``python -m content``)."""
    sub = parser.add_subparsers(dest="content_cmd", metavar="ACTION", required=True)
    v = sub.add_parser("validate", help="schema and item-writing checks; exit 1 on any BLOCK finding")
    v.add_argument(
        "--file", nargs="+", action="extend", type=Path, help="check only these files (no whole-bank checks)"
    )
    v.add_argument("--quiet", action="store_true", help="list BLOCK findings only")
    s = sub.add_parser("stats", help="items per topic, subtopic and objective; tag counts; bank figures")
    s.add_argument("--json", action="store_true")
    rp = sub.add_parser("review-packet", help="print items without keys for a blind reviewer")
    rp.add_argument("files", nargs="+", type=Path)
    rp.add_argument("--status", help="only items with this status, e.g. draft")
    rp.add_argument("--options-only", action="store_true", help="leave out the stems too (the cover-the-stem test)")
    ar = sub.add_parser("apply-review", help="record a review (blind, or --options-only) and update each item's status")
    ar.add_argument("answers", type=Path)
    ar.add_argument("--reviewer", required=True)
    ar.add_argument("--options-only", action="store_true", help="the answers come from an options-only packet")


def dispatch(args: argparse.Namespace, out: TextIO) -> int:
    if args.content_cmd == "validate":
        return run_validate(out, args.file, show_warnings=not args.quiet)
    if args.content_cmd == "review-packet":
        from content.review import review_packet

        return review_packet(args.files, out, args.status, options_only=args.options_only)
    if args.content_cmd == "apply-review":
        from content.review import apply_review

        apply_review(args.answers, args.reviewer, QUESTIONS_DIR, out, options_only=args.options_only)
        return 0
    return run_stats(out, as_json=args.json)


def main(argv: list[str]) -> int:
    import sys

    parser = argparse.ArgumentParser(prog="python -m content", description="Validate or summarise the question bank.")
    configure_parser(parser)
    return dispatch(parser.parse_args(argv), sys.stdout)
