"""Channel and team administration behind ``/studybot``: focus, teams and leads, and forget-me.

Every change is written to the audit log (``audit``, the service's) and answered with what changed,
or "already" when nothing did.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.core.commands import Focus, ForgetMe, TeamCommand
from bot.core.messages import Invocation, Reply, Table
from bot.core.model import Syllabus

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.core.ports import Store

__all__ = ["TeamAdmin"]


class TeamAdmin:
    """``/studybot focus``, ``/studybot team ...`` and ``/studybot forget-me``."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        syllabus: Syllabus,
        *,
        audit: Callable[[int, Invocation, str, str], Awaitable[None]],
    ) -> None:
        self.store = store
        self.clock = clock
        self._audit = audit
        self._topic_title = {t.id: t.title for t in syllabus.topics}

    async def focus(self, inv: Invocation, cmd: Focus, ws: int) -> list[Reply]:
        ch = await self.store.get_channel(ws, inv.channel)
        if ch is None or not ch.active:
            return [Reply("This channel is not subscribed. Use /studybot subscribe [HH:MM] [Area/City].")]
        now = self.clock.now()
        focused = ch.focus_topic if ch.focus_topic and ch.focus_until and ch.focus_until > now else None
        if cmd.topic is None:
            if focused is None:
                return [Reply("Focus is already off: daily questions cover the whole syllabus.")]
            await self.store.update_channel(ch.id, now, focus_topic=None, focus_until=None)
            await self._audit(ws, inv, "focus", "off")
            return [Reply("Focus off: daily questions cover the whole syllabus again.", private=False)]
        until = now + dt.timedelta(weeks=cmd.weeks)
        await self.store.update_channel(ch.id, now, focus_topic=cmd.topic, focus_until=until)
        await self._audit(ws, inv, "focus", f"topic={cmd.topic} weeks={cmd.weeks}")
        local = until.astimezone(zoneinfo.ZoneInfo(ch.tz))
        text = (
            f"Focus: daily questions come only from Topic {cmd.topic} ({self._topic_title.get(cmd.topic, '')}) "
            f"until {local:%a %Y-%m-%d %H:%M} {ch.tz}."
        )
        if focused == cmd.topic:
            return [
                Reply(f"Topic {cmd.topic} was already the focus; it now lasts until {local:%a %Y-%m-%d %H:%M} {ch.tz}.")
            ]
        return [Reply(text, private=False)]

    async def team(self, inv: Invocation, cmd: TeamCommand, ws: int) -> list[Reply]:
        if cmd.action == "list":
            teams = await self.store.teams(ws)
            if not teams:
                return [
                    Reply(
                        "No teams yet. /studybot subscribe makes the channel a team; /studybot team create NAME adds one."
                    )
                ]
            rows = tuple(
                (t["name"], t["tz"], ", ".join(n for _i, n in t["leads"]) or "–", str(len(t["members"]))) for t in teams
            )
            return [Reply("", tables=(Table("Teams", ("Team", "Time zone", "Leads", "Members"), rows),))]
        if cmd.action == "create":
            existing = await self.store.team_by_name(ws, cmd.team)
            if existing is not None:
                same = "" if existing[1] == cmd.team else f" (as {existing[1]}; names ignore case)"
                return [Reply(f"Team {existing[1]} already exists{same}; nothing changed.")]
            ch = await self.store.get_channel(ws, inv.channel)
            await self.store.ensure_team(ws, cmd.team, ch.tz if ch else "UTC")
            await self._audit(ws, inv, "team-create", cmd.team)
            return [Reply(f"Team {cmd.team} created. Add people with /studybot team add {cmd.team} @person.")]
        team = await self.store.team_by_name(ws, cmd.team)
        if team is None:
            return [Reply(f"There is no team {cmd.team!r}; create it with /studybot team create {cmd.team}.")]
        tid, tname = team[0], team[1]
        if cmd.action == "delete":
            channels = [c for c in await self.store.active_channels() if c.team_id == tid and c.workspace_id == ws]
            if channels:
                where = ", ".join(f"#{c.name or c.ref.channel}" for c in channels)
                return [
                    Reply(
                        f"Team {tname} is the team of the subscribed channel {where}, so it cannot be deleted: "
                        "unsubscribe that channel first, or move people with /studybot team add."
                    )
                ]
            members = await self.store.delete_team(tid)
            await self._audit(ws, inv, "team-delete", tname)
            return [
                Reply(
                    f"Team {tname} deleted. Its {members} member(s) are in no team now; their answers stay with "
                    "them and count for the next team they join."
                )
            ]
        person = await self.store.find_person(ws, cmd.user)
        if person is None:
            if cmd.action in {"remove", "unlead"}:
                return [Reply(f"StudyBot knows nobody called {cmd.user!r} here; nothing changed.")]
            person = await self.store.ensure_person(ws, cmd.user)
        current = await self.store.person_team(ws, person)
        in_team = current is not None and current[0] == tid
        is_lead = in_team and current is not None and current[1]
        moved = ""
        if current is not None and not in_team and cmd.action in {"add", "lead"}:
            old_name = (await self.store.team_info(current[0]))[1]
            moved = f" (moved from team {old_name}; a person is in one team per workspace, and their answers move with them)"
        if cmd.action == "add":
            if in_team:
                return [Reply(f"{cmd.user} is already in team {tname}; nothing changed.")]
            await self.store.set_member(ws, tid, person)
            text = f"{cmd.user} added to team {tname}{moved}."
        elif cmd.action == "remove":
            if not in_team:
                return [Reply(f"{cmd.user} is not in team {tname}; nothing changed.")]
            await self.store.remove_member(tid, person)
            text = f"{cmd.user} removed from team {tname}; their answers now count for no team."
        elif cmd.action == "lead":
            if is_lead:
                return [Reply(f"{cmd.user} is already a lead of team {tname}; nothing changed.")]
            await self.store.set_member(ws, tid, person, lead=True)
            text = f"{cmd.user} is now a lead of team {tname}{moved}."
        else:
            if not is_lead:
                return [Reply(f"{cmd.user} is not a lead of team {tname}; nothing changed.")]
            await self.store.set_member(ws, tid, person, lead=False)
            text = f"{cmd.user} is no longer a lead of team {tname} (still a member)."
        await self._audit(ws, inv, f"team-{cmd.action}", f"team={tname} person={cmd.user}")
        return [Reply(text)]

    async def forget(self, inv: Invocation, cmd: ForgetMe) -> list[Reply]:
        ws = await self.store.ensure_workspace(inv.platform, inv.workspace, inv.workspace_name)
        person = await self.store.find_person(ws, inv.user)
        if not cmd.confirmed:
            return [
                Reply(
                    "This deletes everything StudyBot stores about you in this workspace: your answers, reactions, "
                    "review schedule, drills and team membership (leaderboards lose your points); problem reports "
                    "you sent about questions stay for their authors without your name. To go ahead, type /studybot forget-me confirm"
                )
            ]
        if person is None:
            return [Reply("StudyBot stores nothing about you here.")]
        counts = await self.store.forget_person(person)
        await self.store.audit(
            ws, "forgotten", "", "forget-me", " ".join(f"{k}={v}" for k, v in counts.items()), self.clock.now()
        )
        kept = (
            " Your problem reports stay for the question authors, no longer linked to you."
            if counts.get("reports")
            else ""
        )
        return [Reply(f"Done: everything StudyBot stored about you here is deleted.{kept}")]
