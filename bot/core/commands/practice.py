"""The practice commands' grammar: ``/drill [scope] [count]`` (with its help) and ``/exam [count] [minutes] | end``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.args import UsageError, normalise_words, parse_count, shown
from bot.core.model import Syllabus

__all__ = [
    "DRILL_DEFAULT",
    "DRILL_MAX",
    "DRILL_SHORT_USAGE",
    "EXAM_MAX_MINUTES",
    "EXAM_MAX_QUESTIONS",
    "EXAM_USAGE",
    "Drill",
    "Exam",
    "drill_usage",
    "parse_drill",
    "parse_exam",
]

DRILL_DEFAULT = 5
DRILL_MAX = 20


@dataclass(frozen=True, slots=True)
class Drill:
    kind: str  # topic subtopic objective weak missed due
    target: str = ""
    count: int = DRILL_DEFAULT


@dataclass(frozen=True, slots=True)
class Exam:
    """``/exam [count] [minutes]`` (``None``: the exam's own format), ``/exam end``, ``/exam help``."""

    action: str = "start"  # start | end | help
    count: int | None = None
    minutes: int | None = None


DRILL_SHORT_USAGE = (
    "Usage: /drill [scope] [count] · scope: topic1-5, a subtopic like 3.2, an objective like 3.2.4, "
    f"weak, missed or due · count 1-{DRILL_MAX} (default {DRILL_DEFAULT}) · /drill help lists the topics"
)


def drill_usage(syllabus: Syllabus, problem: str = "") -> str:
    """The full /drill help (asked for with ``/drill help``), with the topics."""
    lines = [problem] if problem else []
    lines += [
        f"Usage: /drill [scope] [count]   (count 1-{DRILL_MAX}, default {DRILL_DEFAULT}; the scope comes first)",
        "Scopes:",
        "  (nothing) or due   due reviews first, then new questions from your weakest areas",
        "  weak               your weakest objectives",
        "  missed             questions you got wrong",
        "  3.2                a subtopic      3.2.4   an objective",
    ]
    lines += [f"  topic{t.id} or {t.id}        {t.title}" for t in syllabus.topics]
    lines.append("Examples: /drill topic3 · /drill 3.2 10 · /drill due 15")
    return "\n".join(lines)


def _drill_error(problems: list[str]) -> UsageError:
    return UsageError("\n".join([*problems, DRILL_SHORT_USAGE, "Example: /drill topic3 10"]))


def _drill_scope(word: str, syllabus: Syllabus) -> Drill | str:
    """A scope word as a Drill (count left default), or the problem with it."""
    scope = word.lower()
    if scope in {"weak", "missed", "due"}:
        return Drill(scope)
    topics = tuple(t.id for t in syllabus.topics)
    m = re.fullmatch(r"(?:topic|t)?([0-9]{1,3})", scope, flags=re.ASCII)
    if m:
        if m.group(1) not in topics:
            bare = scope.isascii() and scope.isdigit() and int(scope) <= DRILL_MAX
            hint = f" (a count goes after the scope: /drill due {int(m.group(1))})" if bare else ""
            return f"There is no topic {int(m.group(1))}: topics are {topics[0]}-{topics[-1]}{hint}."
        return Drill("topic", m.group(1))
    if re.fullmatch(r"[0-9]\.[0-9]{1,2}", scope, flags=re.ASCII):
        try:
            syllabus.subtopic(scope)
        except KeyError:
            return f"There is no subtopic {scope}."
        return Drill("subtopic", scope)
    if re.fullmatch(r"[0-9]\.[0-9]{1,2}\.[0-9]{1,2}", scope, flags=re.ASCII):
        try:
            syllabus.objective(scope)
        except KeyError:
            return f"There is no objective {scope}."
        return Drill("objective", scope)
    return f"{shown(word)} is not a drill scope."


def parse_drill(text: str, syllabus: Syllabus) -> Drill:
    try:
        words = normalise_words(text)
    except UsageError as exc:
        raise _drill_error([str(exc)]) from None
    if words and words[0].lower() in {"help", "-h", "--help", "?"}:
        raise UsageError(drill_usage(syllabus))
    if len(words) > 2:
        raise _drill_error([f"Too many arguments: {shown(' '.join(words))}."])
    if not words:
        return Drill("due")
    problems: list[str] = []
    scope = _drill_scope(words[0], syllabus)
    if isinstance(scope, str):
        problems.append(scope)
    count = DRILL_DEFAULT
    if len(words) == 2:
        try:
            count = parse_count(words[1], low=1, high=DRILL_MAX, what="count", example="/drill topic3 10")
        except UsageError as exc:
            problems.append(str(exc).splitlines()[0])
    if problems:
        raise _drill_error(problems)
    assert isinstance(scope, Drill)
    return Drill(scope.kind, scope.target, count)


EXAM_MAX_QUESTIONS = 120
EXAM_MAX_MINUTES = 240
EXAM_USAGE = (
    "Usage: /exam [count] [minutes]   a timed mock exam (default: the real exam's questions and time)\n"
    "       /exam end                  finish now and see your result\n"
    "Example: /exam 20 40  (a short one: 20 questions in 40 minutes)"
)


def parse_exam(text: str) -> Exam:
    words = normalise_words(text)
    if words in (["help"], ["?"]):
        return Exam("help")
    if words in (["end"], ["stop"], ["finish"]):
        return Exam("end")
    if len(words) > 2:
        raise UsageError(f"Too many words: {shown(' '.join(words[2:]))}.\n{EXAM_USAGE}")
    count = (
        parse_count(words[0], low=1, high=EXAM_MAX_QUESTIONS, what="the number of questions", example="/exam 20 40")
        if words
        else None
    )
    minutes = (
        parse_count(
            words[1].removesuffix("m").removesuffix("min"),
            low=1,
            high=EXAM_MAX_MINUTES,
            what="the minutes",
            example="/exam 20 40",
        )
        if len(words) > 1
        else None
    )
    return Exam("start", count, minutes)
