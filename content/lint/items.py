"""The per-item checks (I-xx, P-01): stem, options, key, rationale, references, code, deprecated names."""

from __future__ import annotations

import ast
import itertools
import re
from dataclasses import dataclass
from urllib.parse import urlparse

import yaml

from bot.core.model import LETTERS
from content.lint.text import _content_words, _jaccard, _lead_in, _norm, _sentences, _tokens, _words
from content.loader import Problem
from content.schema import ItemModel

__all__ = ["ALLOWED_HOSTS", "DENIED_HOSTS", "DEPRECATED", "rendered_length"]


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
