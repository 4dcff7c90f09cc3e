"""Item-writing lint: the automatable checks of docs/content-standards.md (I-xx per item, B-xx per bank).

``BLOCK`` findings fail ``studybot content validate``; ``WARN`` findings are listed. An item may waive a
check with ``lint_waivers: [{check: I-12, reason: "..."}]``; the reason is required by the schema.
Project rule P-01: options are shuffled at post time, so no text may name an option by its letter.
"""

from __future__ import annotations

import ast
import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlparse

import yaml

from bot.core.model import LETTERS, Syllabus
from content.loader import LoadedItem, Problem
from content.schema import ItemModel

__all__ = ["REQUIRED_TAGS", "TOPIC_TARGETS", "bank_figures", "lint"]

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

ALLOWED_HOSTS = (
    "docs.databricks.com",
    "learn.microsoft.com",
    "docs.azure.cn",
    "mlflow.org",
    "spark.apache.org",
    "databricks.com",
    "www.databricks.com",
    "github.com",
    "api-docs.databricks.com",
    "databricks-sdk-py.readthedocs.io",
    "docs.ray.io",
    "optuna.readthedocs.io",
)
_GITHUB_OWNERS = ("mlflow", "databricks", "apache")
DENIED_HOSTS = ("examtopics", "braindump", "dumps", "pass4sure", "itexams", "certkiller", "exam-labs")

STOPWORDS = frozenset(
    """about above after again against among because before being below between could doing during
    each every first from further having their there these those through under until which while
    would should other since where whose within without model models data using should would which
    their them they this that with what when your into only also than then more most some such""".split()
)

_WORD = re.compile(r"[a-z][a-z0-9_\-]*")
_INTERROGATIVE = re.compile(r"\b(which|what|how|why|where|when|who)\b", re.I)
_AOTA = re.compile(r"\b(all|none|both|neither)\s+of\s+(the\s+)?(above|these|them)\b|\b[A-D]\s+(and|&)\s+[A-D]\b", re.I)
_UNFOCUSED = re.compile(r"which (of the following )?(statements?|options?) (is|are) (true|correct|false)", re.I)
_NEGATIVE = re.compile(r"\b(not|except|least|false|incorrect)\b", re.I)
_NEGATORS = re.compile(r"\b(not|no|never|without|cannot)\b|n't\b|\bun[a-z]{3,}", re.I)
_ABSOLUTE = re.compile(r"\b(always|never|only|all|none|must|cannot|guaranteed|completely)\b", re.I)
_HEDGE = re.compile(r"\b(usually|typically|may|often)\b", re.I)
_NUMBER = re.compile(r"\d")
_LETTER_REF = re.compile(
    r"\b(options?|answers?|choices?)\s+\(?[A-D]\)?(?![a-z0-9])|\([A-D]\)|\b[A-D]\s+(and|or|&)\s+[A-D]\b"
    r"|\b(?:option|choice)\s+[A-D]\b",
)
_NUMERIC_OPTION = re.compile(
    r"^\s*[~≈<>]?\s*\d[\d,.]*\s*(%|ms|s|sec|seconds|minutes?|hours?|days?|weeks?|gb|mb|tb|x)?\s*$", re.I
)
_FENCE = re.compile(r"```(\w+)\n(.*?)```", re.S)

# §3.9: (check pattern, level, human name)
DEPRECATED: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (
        re.compile(
            r"transition_model_version_stage|models:/[^@\s`]+/(Production|Staging)\b|stage\s*=\s*[\"'](Production|Staging)",
            re.I,
        ),
        "BLOCK",
        "registry stages",
    ),
    (re.compile(r"FeatureStoreClient|databricks\.feature_store\b", re.I), "BLOCK", "legacy FeatureStoreClient"),
    (re.compile(r"\bHyperopt\b|\bSparkTrials\b|\bfmin\(", re.I), "BLOCK", "Hyperopt"),
    (re.compile(r"\bonline tables?\b", re.I), "BLOCK", "online tables (legacy)"),
    (re.compile(r"\bserved_models\b", re.I), "BLOCK", "served_models"),
    (re.compile(r"\bauto_capture_config\b", re.I), "BLOCK", "legacy inference tables (auto_capture_config)"),
    (re.compile(r"\b(registry|model registry) webhooks?\b", re.I), "BLOCK", "registry webhooks"),
    (re.compile(r"\bmlflow\.evaluate\(", re.I), "WARN", "mlflow.evaluate (deprecated in MLflow 3)"),
    (re.compile(r"\bDatabricks Workflows\b|\bDelta Live Tables\b", re.I), "WARN", "old product name"),
    (re.compile(r"\bDatabricks Asset Bundles\b|\bLakehouse Monitoring\b", re.I), "WARN", "old product name"),
)
_LEGACY_CONTEXT = re.compile(
    r"legacy|deprecat|not supported|unsupported|no longer|replac|formerly|instead|rather than|unlike|"
    r"retired|removed|not available|do not support|does not support|don't support|not included|unmaintained|old|previous",
    re.I,
)


@dataclass
class _Ctx:
    file: str
    item: ItemModel
    findings: list[Problem]

    def add(self, check: str, level: str, field: str | None, message: str) -> None:
        self.findings.append(Problem(self.file, self.item.id, field, message, level, check))


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def _tokens(text: str) -> set[str]:
    return set(_norm(text).split())


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def _words(text: str) -> list[str]:
    return text.split()


def _sentences(text: str) -> list[str]:
    flat = " ".join(text.split())
    # split on sentence ends, but not inside code spans or after "e.g."/"i.e."
    parts = re.split(r"(?<=[.?!])\s+(?=[A-Z`\"'(])", flat)
    return [p for p in parts if p.strip()]


def _lead_in(stem: str) -> str:
    sents = _sentences(stem)
    return sents[-1] if sents else ""


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) >= 5 and w not in STOPWORDS}


def rendered_length(item: ItemModel) -> int:
    """Characters of the posted message: header line, stem, four labelled options, footer."""
    header = 90  # "Daily question · Topic N: <title> · objective T.S.N"
    footer = 60  # "React with 1️⃣ 2️⃣ 3️⃣ 4️⃣ to answer; the reveal comes at HH:MM."
    opts = sum(len(o) + 6 for o in item.options.as_tuple())
    return header + len(item.stem.strip()) + opts + footer


def _check_item(ctx: _Ctx, objective_text: str) -> None:
    it = ctx.item
    opts = it.options.as_tuple()
    key_i = LETTERS.index(it.answer)
    key = opts[key_i]
    distractors = [o for i, o in enumerate(opts) if i != key_i]
    stem = " ".join(it.stem.split())

    # I-02 distinct options
    normed = [_norm(o) for o in opts]
    if len(set(normed)) < 4:
        ctx.add("I-02", "BLOCK", "options", "two options are the same after normalisation")
    else:
        for (i, a), (j, b) in itertools.combinations(enumerate(opts), 2):
            if _jaccard(_tokens(a), _tokens(b)) >= 0.8:
                ctx.add("I-02", "WARN", "options", f"options {LETTERS[i]} and {LETTERS[j]} are nearly the same")
    # I-03
    for letter, o in zip(LETTERS, opts, strict=True):
        if _AOTA.search(o):
            ctx.add("I-03", "BLOCK", f"options.{letter}", "all/none-of-the-above or combination option")
    # I-04 / I-05 / I-06
    lead = _lead_in(it.stem)
    if not lead.endswith("?") or not _INTERROGATIVE.search(lead):
        ctx.add("I-04", "BLOCK", "stem", "the stem must end with a question (a lead-in with which/what/how/...)")
    if _UNFOCUSED.search(lead):
        ctx.add("I-05", "BLOCK", "stem", "unfocused lead-in ('which statement is true')")
    if _NEGATIVE.search(lead):
        ctx.add("I-06", "BLOCK", "stem", f"negative lead-in: {_NEGATIVE.search(lead).group(0)!r}")  # type: ignore[union-attr]
    # I-07
    for s in _sentences(it.stem):
        if len(_NEGATORS.findall(s)) >= 2:
            ctx.add("I-07", "WARN", "stem", "possible double negative")
            break
    # I-08
    nwords = len(_words(stem))
    if not 15 <= nwords <= 160 or len(stem) > 1100:
        ctx.add("I-08", "BLOCK", "stem", f"stem has {nwords} words / {len(stem)} characters (15-160 words, <= 1100)")
    # I-09 (+ project rule: a "Given a scenario" objective is always a scenario)
    given = objective_text.lower().startswith("given a scenario")
    if given and not it.scenario:
        ctx.add("I-09", "BLOCK", "scenario", "objective starts 'Given a scenario': the item must be a scenario")
    if it.scenario or given:
        before = len(_sentences(it.stem)) - 1
        if nwords < 45 or before < 2:
            ctx.add(
                "I-09",
                "BLOCK",
                "stem",
                f"scenario stem needs >= 45 words and >= 2 sentences before the question (has {nwords}, {before})",
            )
    # I-10
    for letter, o in zip(LETTERS, opts, strict=True):
        if not 1 <= len(_words(o)) <= 35 or len(o) > 220:
            ctx.add(
                "I-10",
                "BLOCK",
                f"options.{letter}",
                f"option has {len(_words(o))} words / {len(o)} characters (1-35, <= 220)",
            )
    if rendered_length(it) > 1900:
        ctx.add("I-10", "BLOCK", "stem", f"the rendered post would be {rendered_length(it)} characters (> 1900)")
    # I-11
    if it.render == "poll" and (any(len(o) > 55 for o in opts) or len(stem) > 300):
        ctx.add("I-11", "BLOCK", "render", "poll mode needs options <= 55 and stem <= 300 characters")
    # I-12 length cue
    dl = [len(o) for o in distractors]
    if len(key) > 1.25 * max(dl) or not 0.75 <= len(key) / (sum(dl) / 3) <= 1.35:
        ctx.add("I-12", "WARN", "options", f"key length {len(key)} vs distractors {dl}")

    # I-13 format outlier
    def feats(o: str) -> tuple[bool, bool, bool]:
        return ("`" in o, bool(_NUMBER.search(o)), "(" in o)

    kf = feats(key)
    for name, idx in (("inline code", 0), ("a number", 1), ("a parenthesis", 2)):
        if kf[idx] and not any(feats(d)[idx] for d in distractors):
            ctx.add("I-13", "WARN", "options", f"the key is the only option with {name}")
    if key.count(",") >= max(d.count(",") for d in distractors) + 2:
        ctx.add("I-13", "WARN", "options", "the key has notably more commas than any distractor")
    # I-14 clang
    shared = (_content_words(stem) & _content_words(key)) - set().union(*(_content_words(d) for d in distractors))
    if len(shared) >= 2:
        ctx.add("I-14", "BLOCK", "options", f"stem words echoed only in the key: {sorted(shared)}")
    elif len(shared) == 1:
        ctx.add("I-14", "WARN", "options", f"stem word echoed only in the key: {sorted(shared)}")
    # I-15 absolute terms
    if sum(bool(_ABSOLUTE.search(d)) for d in distractors) >= 2 and not _ABSOLUTE.search(key):
        ctx.add("I-15", "WARN", "options", "absolute terms only in distractors")
    if _HEDGE.search(key) and not any(_HEDGE.search(d) for d in distractors):
        ctx.add("I-15", "WARN", "options", "the key is the only hedged option")
    # I-16 convergence
    toks = [_tokens(o) for o in opts]
    central = [sum(_jaccard(toks[i], toks[j]) for j in range(4) if j != i) / 3 for i in range(4)]
    others = [c for i, c in enumerate(central) if i != key_i]
    if central[key_i] > max(others) + 0.10:
        ctx.add("I-16", "WARN", "options", "the key shares the most words with the other options (convergence)")
    # I-17 logical order
    if all(_NUMERIC_OPTION.match(o) for o in opts):
        values = [float(re.sub(r"[^\d.]", "", o) or 0) for o in opts]
        if it.shuffle or values != sorted(values):
            ctx.add("I-17", "BLOCK", "options", "numeric options must be ascending with shuffle: false")
    # I-18 rationales
    for i, (letter, r) in enumerate(zip(LETTERS, it.rationales.as_tuple(), strict=True)):
        want = "Correct" if i == key_i else "Incorrect"
        if not r.startswith(want):
            ctx.add("I-18", "BLOCK", f"rationales.{letter}", f"must start with {want!r}")
        if not 8 <= len(_words(r)) <= 60:
            ctx.add("I-18", "BLOCK", f"rationales.{letter}", f"{len(_words(r))} words (8-60)")
    # I-19 explanations
    ne = len(_words(it.explanation))
    if not 40 <= ne <= 180:
        ctx.add("I-19", "BLOCK", "explanation", f"{ne} words (40-180)")
    if len(it.explanation_short) > 200:
        ctx.add("I-19", "BLOCK", "explanation_short", f"{len(it.explanation_short)} characters (<= 200)")
    # I-20 references
    good = 0
    for n, ref in enumerate(it.references):
        url = str(ref.url)
        parsed = urlparse(url)
        host = (parsed.hostname or "").lower()
        if any(d in host for d in DENIED_HOSTS):
            ctx.add("I-20", "BLOCK", f"references.{n}", f"denied source {host}")
        elif parsed.scheme == "https" and host in ALLOWED_HOSTS:
            if host == "github.com" and parsed.path.strip("/").split("/")[0].lower() not in _GITHUB_OWNERS:
                continue
            if host == "learn.microsoft.com" and "databricks" not in parsed.path.lower():
                continue
            good += 1
    if not good:
        ctx.add("I-20", "BLOCK", "references", "needs at least one https reference to official documentation")
    # I-21 deprecated terms
    legacy_ok = "legacy-trap" in it.tags or "exam-guide-legacy" in it.tags
    for pattern, level, name in DEPRECATED:
        if pattern.search(key):
            ctx.add(
                "I-21",
                level if "exam-guide-legacy" not in it.tags else "WARN",
                "options",
                f"the key uses {name} as current practice",
            )
        for s in _sentences(it.explanation):
            if pattern.search(s) and not _LEGACY_CONTEXT.search(s):
                ctx.add("I-21", level, "explanation", f"the explanation presents {name} as current practice")
                break
        if level == "BLOCK" and not legacy_ok and any(pattern.search(d) for d in distractors):
            ctx.add("I-21", "BLOCK", "tags", f"a distractor uses {name}: tag the item legacy-trap")
        if pattern.search(it.stem) and level == "BLOCK" and not legacy_ok and not _LEGACY_CONTEXT.search(it.stem):
            ctx.add("I-21", "WARN", "stem", f"the stem mentions {name}")
    # I-22 code blocks
    for text_field, text in (("stem", it.stem), ("explanation", it.explanation)):
        for lang, code in _FENCE.findall(text):
            try:
                if lang.lower() == "python":
                    ast.parse(code)
                elif lang.lower() == "yaml":
                    yaml.safe_load(code)
            except (SyntaxError, yaml.YAMLError) as exc:
                ctx.add("I-22", "BLOCK", text_field, f"{lang} block does not parse: {exc}")
    # P-01 no option named by letter
    texts = [("stem", it.stem), ("explanation", it.explanation), ("explanation_short", it.explanation_short)]
    texts += [(f"rationales.{L}", r) for L, r in zip(LETTERS, it.rationales.as_tuple(), strict=True)]
    for text_field, text in texts:
        m = _LETTER_REF.search(text)
        if m:
            ctx.add(
                "P-01", "BLOCK", text_field, f"names an option by its letter ({m.group(0)!r}); options are shuffled"
            )


def _apply_waivers(items: Sequence[LoadedItem], findings: list[Problem]) -> list[Problem]:
    waived = {(it.model.id, w.check) for it in items for w in it.model.lint_waivers}
    out = []
    for f in findings:
        if f.item and (f.item, f.check) in waived and f.check != "I-01":
            out.append(Problem(f.file, f.item, f.field, f.message + " (waived)", "WAIVED", f.check))
        else:
            out.append(f)
    return out


def _shingles(text: str) -> set[str]:
    w = _norm(text).split()
    return {" ".join(w[i : i + 3]) for i in range(max(1, len(w) - 2))}


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
