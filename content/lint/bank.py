"""The bank-level checks (B-xx): key letters and lengths, duplicates, mixes, coverage, required tags;
bank_figures, the figures of content-standards §1.4 they read."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable, Sequence

from bot.core.model import LETTERS, Syllabus
from content.lint.text import _jaccard, _norm, _shingles, _tokens
from content.loader import LoadedItem, Problem
from content.schema import ItemModel

__all__ = ["MIN_ITEMS_PER_OBJECTIVE", "REQUIRED_TAGS", "TOPIC_TARGETS", "bank_figures"]

REQUIRED_TAGS: dict[str, int] = {
    tag: 4
    for tag in (
        "sparkml",
        "distributed-tuning",
        "pandas-function-api",
        "custom-pyfunc",
        "bundles",
        "data-profiling",
        "model-serving",
        "inference-tables",
        "feature-engineering",
    )
}
MIN_ITEMS_PER_OBJECTIVE = 3
# content-standards §2.4 (heuristic, not official): topic shares of the bank, ± 5 points.
TOPIC_TARGETS: dict[str, float] = {"1": 0.14, "2": 0.30, "3": 0.18, "4": 0.16, "5": 0.22}


def bank_figures(items: Sequence[ItemModel]) -> dict[str, object]:
    """Bank-level figures of §1.4 (computed over ``items``)."""
    n = len(items)
    if not n:
        return {"items": 0}
    keys: Counter[str] = Counter(it.answer for it in items)
    share = {k: keys[k] / n for k in LETTERS}
    chi2 = sum((keys[k] - n / 4) ** 2 / (n / 4) for k in LETTERS)

    def strictly(it: ItemModel, cmp: Callable[[int, int], bool]) -> bool:
        lens = [len(o) for o in it.options.as_tuple()]
        a = LETTERS.index(it.answer)
        return all(cmp(lens[a], lens[k]) for k in range(4) if k != a)

    longest = sum(strictly(it, lambda x, y: x > y) for it in items) / n
    shortest = sum(strictly(it, lambda x, y: x < y) for it in items) / n
    rel = []
    central = 0
    for it in items:
        opts = it.options.as_tuple()
        a = LETTERS.index(it.answer)
        rel.append(len(opts[a]) / (sum(len(o) for o in opts) / 4))
        toks = [_tokens(o) for o in opts]
        c = [sum(_jaccard(toks[i], toks[j]) for j in range(4) if j != i) for i in range(4)]
        if c[a] == max(c) and c.count(max(c)) == 1:
            central += 1
    scenario = sum(it.scenario for it in items) / n
    cog = Counter(it.cognitive_level for it in items)
    diff = Counter(it.difficulty for it in items)
    return {
        "items": n,
        "key_share": {k: round(v, 3) for k, v in share.items()},
        "key_chi2": round(chi2, 2),
        "key_longest_share": round(longest, 3),
        "key_longest_limit": round(0.25 + 1.645 * math.sqrt(0.1875 / n), 3),
        "key_shortest_share": round(shortest, 3),
        "mean_relative_key_length": round(sum(rel) / n, 3),
        "key_most_central_share": round(central / n, 3),
        "scenario_share": round(scenario, 3),
        "apply_analyze_share": round((cog["apply"] + cog["analyze"]) / n, 3),
        "recall_share": round(cog["recall"] / n, 3),
        "difficulty_share": {d: round(diff[d] / n, 3) for d in ("easy", "medium", "hard")},
        "variants_share": round(sum(it.variant_of is not None for it in items) / n, 3),
    }


def _bank_checks(items: Sequence[LoadedItem], syllabus: Syllabus, full: bool) -> list[Problem]:
    out: list[Problem] = []
    models = [it.model for it in items]
    n = len(models)
    if not n:
        return [Problem("(bank)", None, None, "no items", "BLOCK", "B-12")] if full else []
    fig = bank_figures(models)
    scope = "(bank)" if full else "(files)"

    def add(check: str, level: str, msg: str) -> None:
        out.append(Problem(scope, None, None, msg, level, check))

    share = fig["key_share"]
    assert isinstance(share, dict)
    tol = 0.04 if full else 0.08
    for k in LETTERS:
        if abs(share[k] - 0.25) > tol + 1e-9:
            add("B-01", "BLOCK" if full else "WARN", f"key letter {k} is {share[k]:.1%} of keys (25% ± {tol:.0%})")
    if full and float(fig["key_chi2"]) > 6.25:  # type: ignore[arg-type]
        add("B-01", "BLOCK", f"key-letter chi-square {fig['key_chi2']} > 6.25")
    if full:
        by_topic: dict[str, list[ItemModel]] = {}
        for m in models:
            by_topic.setdefault(m.objective[0], []).append(m)
        for t, ms in sorted(by_topic.items()):
            if len(ms) >= 30:
                c: Counter[str] = Counter(m.answer for m in ms)
                for k in LETTERS:
                    if abs(c[k] / len(ms) - 0.25) > 0.08:
                        add("B-01", "BLOCK", f"topic {t}: key letter {k} is {c[k] / len(ms):.1%} (25% ± 8)")
    longest = float(fig["key_longest_share"])  # type: ignore[arg-type]
    if longest > min(0.30, float(fig["key_longest_limit"])) + 1e-9:  # type: ignore[arg-type]
        add("B-03", "BLOCK" if full else "WARN", f"key strictly longest in {longest:.1%} of items (<= 30%)")
    shortest = float(fig["key_shortest_share"])  # type: ignore[arg-type]
    if not 0.15 <= shortest <= 0.35:
        add("B-04", "BLOCK" if full else "WARN", f"key strictly shortest in {shortest:.1%} of items (15-35%)")
    rel = float(fig["mean_relative_key_length"])  # type: ignore[arg-type]
    if not 0.90 <= rel <= 1.10:
        add("B-05", "WARN", f"mean relative key length {rel:.2f} (0.90-1.10)")
    if float(fig["key_most_central_share"]) > 0.35:  # type: ignore[arg-type]
        add("B-06", "WARN", f"key most central in {fig['key_most_central_share']:.1%} of items (<= 35%)")
    # B-07 duplicates
    ids = {m.id for m in models}
    seen: dict[str, str] = {}
    for m in models:
        k = _norm(m.stem)
        if k in seen:
            out.append(Problem(scope, m.id, "stem", f"same stem as {seen[k]}", "BLOCK", "B-07"))
        else:
            seen[k] = m.id
    sh = [(m, _shingles(m.stem)) for m in models]
    for (a, x), (b, y) in itertools.combinations(sh, 2):
        if _jaccard(x, y) >= 0.6 and a.variant_of != b.id and b.variant_of != a.id:
            out.append(
                Problem(scope, b.id, "variant_of", f"near-duplicate stem of {a.id} without variant_of", "BLOCK", "B-07")
            )
    for m in models:
        if m.variant_of is not None and m.variant_of not in ids and full:
            out.append(Problem(scope, m.id, "variant_of", f"unknown item {m.variant_of}", "BLOCK", "B-07"))
    if float(fig["variants_share"]) > 0.05:  # type: ignore[arg-type]
        add("B-07", "WARN", f"declared variants are {fig['variants_share']:.1%} of the bank (<= 5%)")
    by_obj_key: dict[tuple[str, str], str] = {}
    for m in models:
        kk = (m.objective, _norm(m.options.as_tuple()[LETTERS.index(m.answer)]))
        if kk in by_obj_key:
            out.append(
                Problem(scope, m.id, "options", f"same objective and key text as {by_obj_key[kk]}", "WARN", "B-07")
            )
        by_obj_key[kk] = m.id
    # B-09 .. B-11 mixes
    if float(fig["scenario_share"]) < 0.60:  # type: ignore[arg-type]
        add("B-09", "BLOCK" if full else "WARN", f"scenario items are {fig['scenario_share']:.1%} (>= 60%)")
    if float(fig["apply_analyze_share"]) < 0.60 or float(fig["recall_share"]) > 0.20:  # type: ignore[arg-type]
        add(
            "B-10",
            "WARN",
            f"apply/analyze {fig['apply_analyze_share']:.1%} (>= 60%), recall {fig['recall_share']:.1%} (<= 20%)",
        )
    d = fig["difficulty_share"]
    assert isinstance(d, dict)
    if not (0.20 <= d["easy"] <= 0.30 and 0.45 <= d["medium"] <= 0.60 and 0.15 <= d["hard"] <= 0.30):
        add(
            "B-11",
            "WARN",
            f"difficulty mix easy {d['easy']:.0%} / medium {d['medium']:.0%} / hard {d['hard']:.0%} (20-30 / 45-60 / 15-30)",
        )
    if full:
        # B-12 coverage and topic shares; B-13 required tags (issue #3)
        per_obj = Counter(m.objective for m in models)
        for o in syllabus.objectives():
            if per_obj[o.id] < MIN_ITEMS_PER_OBJECTIVE:
                add("B-12", "BLOCK", f"objective {o.id} has {per_obj[o.id]} item(s) (>= {MIN_ITEMS_PER_OBJECTIVE})")
        per_topic = Counter(m.objective[0] for m in models)
        for t, target in TOPIC_TARGETS.items():
            if abs(per_topic[t] / n - target) > 0.05 + 1e-9:
                add("B-12", "WARN", f"topic {t} is {per_topic[t] / n:.1%} of the bank (target {target:.0%} ± 5)")
        tags = Counter(tag for m in models for tag in set(m.tags))
        for tag, need in REQUIRED_TAGS.items():
            if tags[tag] < need:
                add("B-13", "BLOCK", f"only {tags[tag]} item(s) tagged {tag} (>= {need})")
    return out
