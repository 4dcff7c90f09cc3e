"""``studybot demo``: a simulated study group on a simulated clock, deterministic for a seed."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import random
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from adapters.console import ConsoleChat, ConsoleNotifier, save_chart
from bot.app import build_runtime, database_in
from bot.core.answers import OPTION_EMOJI
from bot.core.clock import ManualClock
from bot.core.messages import Reply, RevealPost
from bot.core.render import EMOJI_GLYPH, to_text
from bot.service import Invocation, QuizService

__all__ = ["DemoResult", "run_demo"]

NAMES = ["ada", "ben", "chen", "dev", "eli", "fay", "gus", "hana", "ivo", "jun", "kai", "lea", "mo", "nia", "oz", "pam"]
START = dt.datetime(2026, 1, 5, 7, 0, tzinfo=dt.UTC)  # a Monday; fixed so a seed always gives the same run
CHANNEL = "ml-pro-study"
TZ = "Europe/Berlin"


@dataclass
class Member:
    name: str
    skill: dict[str, float]  # topic id -> probability of answering right
    diligence: float  # probability of answering on a given day


@dataclass
class DemoResult:
    posts: int = 0
    reveals: list[RevealPost] = field(default_factory=list)
    reactions: int = 0
    members: list[Member] = field(default_factory=list)
    per_topic: dict[str, tuple[int, int]] = field(default_factory=dict)
    drills: int = 0
    weekly_boards: int = 0
    leaderboard: Reply | None = None
    weakspots: Reply | None = None
    stats: Reply | None = None  # the first member's /stats
    charts: list[Path] = field(default_factory=list)  # the closing charts, when a charts folder was given


def make_members(n: int, rng: random.Random, weak_topic: str = "3") -> list[Member]:
    members = []
    for i in range(n):
        name = NAMES[i] if i < len(NAMES) else f"member{i + 1}"
        skill = {t: round(rng.uniform(0.55, 0.9), 2) for t in "12345"}
        skill[weak_topic] = round(rng.uniform(0.15, 0.35), 2)  # the planted team weakness
        members.append(Member(name, skill, round(rng.uniform(0.7, 0.95), 2)))
    return members


async def run_demo(
    out: TextIO,
    *,
    days: int = 14,
    members: int = 8,
    seed: int = 7,
    database: str | None = None,
    charts_dir: Path | None = None,
) -> DemoResult:
    """Simulate the group; with ``charts_dir``, the closing board, weak spots and a member's progress
    are also drawn and saved there as PNG files (their paths are printed and returned)."""
    rng = random.Random(seed)
    clock = ManualClock(START)
    notifier = ConsoleNotifier(out)  # the closing charts are saved below, with a heading
    tmp = None
    if database is None:
        tmp = tempfile.TemporaryDirectory(prefix="studybot-demo-")
        database = database_in(Path(tmp.name))
    rt = await build_runtime(database, notifier, clock, charts=charts_dir is not None)
    result = DemoResult(members=make_members(members, rng))
    chat = ConsoleChat(rt.service, notifier, clock, channel=CHANNEL, out=out)
    try:
        print(f"StudyBot demo: {members} members, {days} days, seed {seed}, channel #{CHANNEL} ({TZ}).", file=out)
        print("Planted weakness: the team is weak on Topic 3 (registry, governance, release).", file=out)
        admin = Invocation("console", "local", CHANNEL, "lead", "lead", True, CHANNEL, "local")
        for reply in await rt.service.handle_command(admin, "/studybot", f"subscribe 09:00 {TZ}"):
            print(f"\n[#{CHANNEL}] {reply.text}", file=out)
        channel = await rt.store.get_channel(await rt.store.ensure_workspace("console", "local"), CHANNEL)
        assert channel is not None
        stats: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for day in range(days):
            post_at = rt.service.daily.next_post_at(channel, clock.now())
            clock.set(post_at - dt.timedelta(hours=1))
            if clock.now().astimezone(ZoneInfo(TZ)).weekday() == 0 and day > 0:
                result.weekly_boards += await rt.service.boards.post_weekly(
                    channel.id
                )  # what the scheduler does on Mondays
            clock.set(post_at)
            post = await rt.service.daily.post_daily(channel.id)
            if post is None or post.message_ref is None:
                continue
            result.posts += 1
            q = rt.service.by_id[post.question_id]
            shown_key = post.option_order.index(q.answer_index)
            lines = []
            for m in result.members:
                if rng.random() > m.diligence:
                    continue
                clock.advance(minutes=rng.randint(3, 40))
                right = rng.random() < m.skill[q.topic_id]
                wrong = [i for i in range(4) if i != shown_key]
                first = shown_key if right else rng.choice(wrong)
                await _react(chat, post.message_ref, m.name, first, True)
                result.reactions += 1
                choice = first
                if rng.random() < 0.12:  # some people change their mind
                    clock.advance(minutes=rng.randint(5, 60))
                    choice = rng.choice([i for i in range(4) if i != first])
                    await _react(chat, post.message_ref, m.name, first, False)
                    await _react(chat, post.message_ref, m.name, choice, True)
                    result.reactions += 2
                    lines.append(f"{m.name} {EMOJI_GLYPH[OPTION_EMOJI[first]]}→{EMOJI_GLYPH[OPTION_EMOJI[choice]]}")
                else:
                    lines.append(f"{m.name} {EMOJI_GLYPH[OPTION_EMOJI[choice]]}")
            print(f"\nReactions: {', '.join(lines) if lines else 'none'}", file=out)
            clock.set(post.reveal_due_at)
            result.reveals.extend(await rt.service.daily.reveal_due())
            # in the evening, some members run a short private drill
            for m in result.members:
                if rng.random() < 0.35:
                    result.drills += await _drill(rt.service, m, rng)
            if day == 0:
                print(f"\n(day 1 done; {days - 1} more days follow)", file=out)
        for r in result.reveals:  # scored by the bot, read back from the database
            t = r.objective_id.split(".")[0]
            stats[t][0] += len(r.winners)
            stats[t][1] += r.answered
        result.per_topic = {t: (c, n) for t, (c, n) in sorted(stats.items())}
        _summary(out, result, rt.syllabus.topics)
        assert channel.team_id is not None
        result.leaderboard = await rt.service.boards.reply(
            channel.workspace_id, channel.team_id, "this", None, private=False
        )
        result.weakspots = await rt.service.weakspots.reply(channel.team_id)
        who = result.members[0].name
        member = Invocation("console", "local", CHANNEL, who, who, False, CHANNEL, "local")
        result.stats = (await rt.service.handle_command(member, "/stats", ""))[0]
        print("\n" + to_text(result.leaderboard), file=out)
        print("\n" + to_text(result.weakspots), file=out)
        if charts_dir is not None:
            await _save_charts(out, result, charts_dir, who)
    finally:
        await rt.close()
        if tmp is not None:
            tmp.cleanup()
    return result


async def _drill(service: QuizService, m: Member, rng: random.Random) -> int:
    inv = Invocation("console", "local", CHANNEL, m.name, m.name, False, CHANNEL, "local")
    scope = rng.choice(["", "", "weak", "missed", *[f"topic{t}" for t in "12345"]])
    replies = await service.handle_command(inv, "/drill", f"{scope} 3".strip())
    card = replies[0].card if replies else None
    while card is not None:
        q = next(x for x in service.questions if x.stem == card.stem)
        right_letter = next(o.letter for o in card.options if o.text == q.options[q.answer_index])
        letter = (
            right_letter if rng.random() < m.skill[q.topic_id] else rng.choice([x for x in "ABCD" if x != right_letter])
        )
        replies = await service.press_button(inv, f"drill:{card.drill_id}:{card.seq}:{letter}")
        card = next((r.card for r in replies if r.card is not None), None)
    return 1


async def _react(chat: ConsoleChat, ref: str, user: str, option: int, added: bool) -> None:
    saved = chat.out
    chat.out = _Null()
    try:
        await chat.react(user, option, added, ref)
    finally:
        chat.out = saved


async def _save_charts(out: TextIO, result: DemoResult, charts_dir: Path, member: str) -> None:
    shown = [
        ("the week's board (points by member and topic, teams by topic)", result.leaderboard),
        ("the lead's weak-spot heatmap (topics x subtopics, trend)", result.weakspots),
        (f"{member}'s progress (accuracy per week, readiness vs exam weight)", result.stats),
    ]
    print("\nCharts (PNG):", file=out)
    for what, reply in shown:
        if reply is None or reply.image is None:
            print(f"  {what}: not drawn (no data)", file=out)
            continue
        path = await asyncio.to_thread(save_chart, reply.image, charts_dir, dt.datetime.now(dt.UTC))
        result.charts.append(path)
        print(f"  {path}  {what}", file=out)


class _Null(io.StringIO):
    def write(self, _s: str) -> int:
        return 0


def _summary(out: TextIO, result: DemoResult, topics: object) -> None:
    print("\n" + "═" * 72, file=out)
    print(
        f"Demo summary: {result.posts} daily posts, {len(result.reveals)} reveals, {result.reactions} reaction events",
        file=out,
    )
    wins: Counter[str] = Counter()
    answered = sum(r.answered for r in result.reveals)
    for r in result.reveals:
        wins.update(r.winners)
    print(f"Answers scored: {answered}; correct: {sum(wins.values())}", file=out)
    print("\nMost correct answers:", file=out)
    for name, n in wins.most_common():
        print(f"  {name:<8} {n:>3}", file=out)
    print("\nTeam accuracy by topic (final answers):", file=out)
    titles = {t.id: t.title for t in topics}  # type: ignore[attr-defined]
    for t, (c, n) in result.per_topic.items():
        bar = "█" * round(20 * c / n) if n else ""
        print(f"  Topic {t} {titles.get(t, ''):<55.55} {c:>3}/{n:<3} {bar}", file=out)
