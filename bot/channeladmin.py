"""``/studybot``: subscribe a channel, its settings (time, zone, reveal delay), unsubscribe, post or reveal
now; focus, teams and forget-me go to :class:`bot.teams.TeamAdmin`.

Every change is written to the audit log and told to the channel listeners (the scheduler), and is
answered with what changed, or "already" when nothing did.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.core.commands import (
    STUDYBOT_USAGE,
    Focus,
    ForgetMe,
    StudybotCommand,
    TeamCommand,
    UsageError,
    parse_studybot,
)
from bot.core.messages import Invocation, Reply
from bot.daily import fmt_local

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.core.ports import ChannelInfo, Store
    from bot.daily import DailyQuestions
    from bot.teams import TeamAdmin

__all__ = ["DEFAULT_POST_TIME", "DEFAULT_TZ", "ChannelAdmin"]

log = logging.getLogger(__name__)

DEFAULT_POST_TIME, DEFAULT_TZ = "09:00", "UTC"  # a new channel's schedule unless the admin says otherwise


class ChannelAdmin:
    """``/studybot``; ``is_admin`` is the service's, ``listeners`` its list of channel listeners (shared, so
    a listener added later is told too)."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        daily: DailyQuestions,
        teams: TeamAdmin,
        *,
        is_admin: Callable[[Invocation], bool],
        listeners: list[Callable[[int], Awaitable[None]]],
    ) -> None:
        self.store = store
        self.clock = clock
        self._daily = daily
        self._teams = teams
        self._is_admin = is_admin
        self._listeners = listeners

    async def command(self, inv: Invocation, text: str) -> list[Reply]:
        """``/studybot ...``: help and forget-me for everyone, settings for everyone to see; the rest for admins."""
        cmd = parse_studybot(text)
        if isinstance(cmd, StudybotCommand) and cmd.action == "help":
            return [Reply(STUDYBOT_USAGE, private=True)]
        if isinstance(cmd, ForgetMe):
            return await self._teams.forget(inv, cmd)
        if not self._is_admin(inv) and not (
            isinstance(cmd, StudybotCommand)
            and cmd.action == "settings"
            and cmd.time is None
            and cmd.tz is None
            and cmd.reveal_minutes is None
        ):
            return [Reply("Only workspace admins (or configured StudyBot admins) can do that.", private=True)]
        ws = await self.store.ensure_workspace(inv.platform, inv.workspace, inv.workspace_name)
        if isinstance(cmd, Focus):
            return await self._teams.focus(inv, cmd, ws)
        if isinstance(cmd, TeamCommand):
            return await self._teams.team(inv, cmd, ws)
        now = self.clock.now()
        if cmd.action == "subscribe":
            before = await self.store.get_channel(ws, inv.channel)
            # a time or zone left out keeps the channel's own (a new channel: 09:00 UTC)
            time = cmd.time or (before.post_time if before is not None else DEFAULT_POST_TIME)
            tz = cmd.tz or (before.tz if before is not None else DEFAULT_TZ)
            cmd = StudybotCommand("subscribe", time=time, tz=tz)
            if before is not None and before.active and before.post_time == cmd.time and before.tz == cmd.tz:
                nxt = await self._daily.next_daily_at(before, now)
                return [
                    Reply(
                        f"Already subscribed at {before.post_time} {before.tz}; nothing changed. "
                        f"Next question: {fmt_local(nxt, before.tz)}.",
                        private=True,
                    )
                ]
            ch = await self.store.subscribe_channel(ws, inv.channel, inv.channel_name, tz, time, now)
            await self.audit(ws, inv, "subscribe", f"channel={inv.channel} time={cmd.time} tz={cmd.tz}")
            await self.changed(ch.id)
            nxt = await self._daily.next_daily_at(ch, now)
            verb = "Schedule changed" if before is not None and before.active else "Subscribed"
            return [
                Reply(
                    f"{verb}: a daily ML-PRO question at {ch.post_time} {ch.tz}, revealed "
                    f"{_duration(ch.reveal_minutes)} later. Next question: {fmt_local(nxt, ch.tz)}.",
                    private=False,
                )
            ]
        channel = await self.store.get_channel(ws, inv.channel)
        if channel is None or (not channel.active and cmd.action != "settings"):
            return [Reply("This channel is not subscribed. Use /studybot subscribe [HH:MM] [Area/City].", private=True)]
        if cmd.action == "unsubscribe":
            await self.store.update_channel(channel.id, now, active=False)
            await self.audit(ws, inv, "unsubscribe", f"channel={inv.channel}")
            await self.changed(channel.id)
            return [Reply("Unsubscribed: no more daily questions here. Past answers are kept.", private=False)]
        if cmd.action == "settings":
            changes: dict[str, object] = {}
            if cmd.time is not None and cmd.time != channel.post_time:
                changes["post_time"] = cmd.time
            if cmd.tz is not None and cmd.tz != channel.tz:
                changes["tz"] = cmd.tz
            if cmd.reveal_minutes is not None and cmd.reveal_minutes != channel.reveal_minutes:
                changes["reveal_minutes"] = cmd.reveal_minutes
            asked = cmd.time is not None or cmd.tz is not None or cmd.reveal_minutes is not None
            if changes:
                channel = await self.store.update_channel(channel.id, now, **changes)
                if "tz" in changes and channel.team_id is not None:
                    await self.store.set_team_tz(channel.team_id, channel.tz)
                await self.audit(ws, inv, "settings", " ".join(f"{k}={v}" for k, v in changes.items()))
                await self.changed(channel.id)
            head = (
                "Changed: "
                + ", ".join(f"{_SETTING_NAMES[k]} {_setting_value(k, v)}" for k, v in changes.items())
                + ".\n"
                if changes
                else "Already set that way; nothing changed.\n"
                if asked
                else ""
            )
            return [Reply(head + await self._settings_text(channel, now), private=True)]
        if cmd.action == "post-now":
            post = await self._daily.post_daily(channel.id, manual=True)
            await self.audit(ws, inv, "post-now", f"channel={inv.channel} post={post.id if post else None}")
            if post is None:
                return [Reply("Could not post a question here; see the bot's log.", private=True)]
            return [Reply(f"Posted question {post.question_id} (objective {post.objective_id}).", private=True)]
        if cmd.action == "reveal-now":
            open_posts = await self.store.open_posts(channel.id)
            if not open_posts:
                return [Reply("There is no open question in this channel.", private=True)]
            for p in open_posts:
                await self._daily.reveal(p.id)
            await self.audit(ws, inv, "reveal-now", f"channel={inv.channel} posts={[p.id for p in open_posts]}")
            return [Reply(f"Revealed {len(open_posts)} question(s).", private=True)]
        raise UsageError(STUDYBOT_USAGE)

    async def changed(self, channel_id: int) -> None:
        """Tell the listeners (the scheduler) that a channel's schedule may have changed."""
        for listener in self._listeners:
            try:
                await listener(channel_id)
            except Exception:
                log.exception("channel listener failed", extra={"channel_id": channel_id})

    async def audit(self, ws: int, inv: Invocation, action: str, detail: str) -> None:
        """One audit log entry by the invoker."""
        await self.store.audit(ws, f"{inv.platform}:{inv.user}", inv.user_name, action, detail, self.clock.now())

    async def _settings_text(self, ch: ChannelInfo, now: dt.datetime) -> str:
        status = "subscribed" if ch.active else "not subscribed"
        lines = [
            f"Channel settings ({status}):",
            f"  post time   {ch.post_time} {ch.tz}",
            f"  reveal      {_duration(ch.reveal_minutes)} after posting",
        ]
        if ch.focus_topic and ch.focus_until and ch.focus_until > now:
            lines.append(f"  focus       topic {ch.focus_topic} until {fmt_local(ch.focus_until, ch.tz)}")
        if ch.active:
            lines.append(f"  next post   {fmt_local(await self._daily.next_daily_at(ch, now), ch.tz)}")
        reminded = await self.store.count_reminded(ch.workspace_id)
        lines.append(f"  study plans {reminded} people here get review reminders (counts only; plans are personal)")
        return "\n".join(lines)


_SETTING_NAMES = {"post_time": "post time", "tz": "time zone", "reveal_minutes": "reveal delay"}


def _setting_value(key: str, value: object) -> str:
    return _duration(int(str(value))) if key == "reveal_minutes" else str(value)


def _duration(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    return f"{h}h{m:02d}m" if h and m else (f"{h}h" if h else f"{m}m")
