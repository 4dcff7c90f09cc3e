"""Text helpers the item and bank checks share: normalised tokens, Jaccard overlap, sentences, the
lead-in, content words."""

from __future__ import annotations

import re

__all__ = ["STOPWORDS"]

STOPWORDS = frozenset(
    """about above after again against among because before being below between could doing during
    each every first from further having their there these those through under until which while
    would should other since where whose within without model models data using should would which
    their them they this that with what when your into only also than then more most some such""".split()
)

_WORD = re.compile(r"[a-z][a-z0-9_\-]*")


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


def _shingles(text: str) -> set[str]:
    w = _norm(text).split()
    return {" ".join(w[i : i + 3]) for i in range(max(1, len(w) - 2))}
