"""The ``/plan`` grammar: remind, pause, resume, cap, exam, weekly (``today`` is the person's local date)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.args import UsageError, arg_error, normalise_words, parse_count, parse_date, parse_time, parse_timezone
from bot.core.plans import CAP_MAX, PAUSE_MAX_DAYS

__all__ = ["PLAN_USAGE", "PlanCommand", "parse_plan"]

PLAN_USAGE = (
    "Usage: /plan [remind HH:MM [Area/City] | remind off | pause 14d | resume | cap N | "
    "exam YYYY-MM-DD | exam off | weekly on|off]\n"
    "  /plan                       your plan: reminder, exam date, pause, daily cap\n"
    "  /plan remind 08:00 [zone]   a direct message at 08:00 (your zone) when reviews are due; remind off stops it\n"
    f"  /plan pause 14d             a holiday: no reminders, reviews move back, streaks kept (1-{PAUSE_MAX_DAYS} days, "
    "2w, or an end date)\n"
    "  /plan resume                end the pause today\n"
    f"  /plan cap 20                at most N reviews a day (1-{CAP_MAX}; the most overdue and weakest first)\n"
    "  /plan exam 2027-02-15       your exam date: the pace to cover every objective and the projected readiness\n"
    "  /plan weekly on             a Monday direct message with last week and your progress against the plan\n"
    "The same work as /drill remind|pause|resume|cap and /stats exam|weekly."
)


@dataclass(frozen=True, slots=True)
class PlanCommand:
    action: str  # show remind remind-off pause resume cap exam exam-off exam-show weekly
    time: str | None = None
    tz: str | None = None
    days: int | None = None
    until: dt.date | None = None
    cap: int | None = None
    exam_date: dt.date | None = None
    on: bool | None = None


def parse_plan(text: str, today: dt.date) -> PlanCommand:
    """``/plan ...`` (``today`` is the person's local date, for pause ends and exam dates)."""
    words = normalise_words(text)
    if not words:
        return PlanCommand("show")
    head, rest = words[0].lower(), words[1:]
    try:
        return _parse(head, rest, today)
    except UsageError as exc:
        raise UsageError(f"{exc}\n{PLAN_USAGE.splitlines()[0]}") from None


def _parse(head: str, rest: Sequence[str], today: dt.date) -> PlanCommand:
    if head in {"help", "-h", "--help", "?"}:
        raise UsageError(PLAN_USAGE)
    if head == "remind":
        if not rest:
            return PlanCommand("show")
        if rest[0].lower() in {"off", "stop", "none"} and len(rest) == 1:
            return PlanCommand("remind-off")
        if len(rest) > 2:
            raise arg_error(
                "Too many words after remind.", "remind HH:MM [Area/City], or remind off", "/plan remind 08:00"
            )
        time = parse_time(rest[0], "/plan remind 08:00")
        tz = parse_timezone(rest[1], "/plan remind 08:00 Europe/Berlin") if len(rest) == 2 else None
        return PlanCommand("remind", time=time, tz=tz)
    if head == "pause":
        if len(rest) != 1:
            raise arg_error(
                "Say how long.", f"1-{PAUSE_MAX_DAYS} days as 14d or 2w, or the end date YYYY-MM-DD", "/plan pause 14d"
            )
        return _pause(rest[0], today)
    if head in {"resume", "unpause"} and not rest:
        return PlanCommand("resume")
    if head == "cap":
        if not rest:
            return PlanCommand("show")
        if len(rest) != 1:
            raise arg_error("Too many words after cap.", f"a number of reviews a day, 1-{CAP_MAX}", "/plan cap 20")
        return PlanCommand(
            "cap", cap=parse_count(rest[0], low=1, high=CAP_MAX, what="reviews a day", example="/plan cap 20")
        )
    if head == "exam":
        if not rest:
            return PlanCommand("exam-show")
        if rest[0].lower() in {"off", "none", "clear"} and len(rest) == 1:
            return PlanCommand("exam-off")
        if len(rest) != 1:
            raise arg_error("Too many words after exam.", "the exam date YYYY-MM-DD, or off", "/plan exam 2027-02-15")
        day = parse_date(rest[0], "/plan exam 2027-02-15")
        if day <= today:
            raise arg_error(
                f"{day} is not in the future (today is {today}).",
                "the exam date YYYY-MM-DD, after today",
                "/plan exam 2027-02-15",
            )
        if day > today + dt.timedelta(days=730):
            raise arg_error(
                f"{day} is more than two years away.", "an exam date within two years", "/plan exam 2027-02-15"
            )
        return PlanCommand("exam", exam_date=day)
    if head == "weekly" and len(rest) == 1 and rest[0].lower() in {"on", "off"}:
        return PlanCommand("weekly", on=rest[0].lower() == "on")
    if head == "weekly":
        raise arg_error("Say on or off.", "weekly on, or weekly off", "/plan weekly on")
    raise arg_error(
        f"Unknown /plan command {head!r}.", "remind, pause, resume, cap, exam or weekly", "/plan remind 08:00"
    )


def _pause(word: str, today: dt.date) -> PlanCommand:
    w = word.lower()
    accepted = f"1-{PAUSE_MAX_DAYS} days as 14d or 2w, or the end date YYYY-MM-DD"
    if w[:1].isdigit() and w[-1:] in {"d", "w"} and w[:-1].isascii() and w[:-1].isdigit():
        days = int(w[:-1]) * (7 if w.endswith("w") else 1)
    elif w.isascii() and w.isdigit():
        days = int(w)
    else:
        end = parse_date(word, "/plan pause 2027-01-04")
        days = (end - today).days
        if days < 1:
            raise arg_error(f"{end} is not after today ({today}).", accepted, "/plan pause 14d")
    if not 1 <= days <= PAUSE_MAX_DAYS:
        raise arg_error(f"A pause is 1-{PAUSE_MAX_DAYS} days, not {days}.", accepted, "/plan pause 14d")
    return PlanCommand("pause", days=days, until=today + dt.timedelta(days=days))
