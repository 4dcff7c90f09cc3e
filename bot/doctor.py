"""``studybot doctor``: check settings, tokens, the database, the content and the schedule before a run.

Prints one line per check (``ok``, ``warn`` or ``FAIL``) and the next scheduled runs of every
subscribed channel in the channel's local time; returns 1 if any check failed. Never prints a token
or a password: tokens are described by their kind and shape only.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.settings import ConfigError, Settings

__all__ = ["Check", "doctor_checks", "run_doctor"]

OK, WARN, FAIL = "ok", "warn", "FAIL"
DISCORD_TOKEN_SHAPE = re.compile(r"[\w-]{20,}\.[\w-]{4,}\.[\w-]{20,}")


@dataclass
class Check:
    area: str
    status: str  # ok | warn | FAIL
    detail: str


def _fmt(when: dt.datetime, tz: str) -> str:
    local = when.astimezone(ZoneInfo(tz))
    return f"{local:%a %Y-%m-%d %H:%M %Z} ({when.astimezone(dt.UTC):%H:%M} UTC)"


def _database_label(url: str) -> str:
    u = make_url(url)
    if u.drivername.startswith("sqlite"):
        return f"SQLite {u.database}"
    return f"PostgreSQL {u.host or 'localhost'}:{u.port or 5432}/{u.database}"


def check_settings(settings: Settings) -> list[Check]:
    """Which platforms are configured, and whether each token has the right shape (values never shown)."""
    checks = [
        Check(
            "settings",
            OK,
            f"database {_database_label(settings.db_url)}; logs {settings.log_format} at "
            f"{settings.log_level}; {len(settings.admins)} configured admin id(s)",
        )
    ]
    if not settings.platforms:
        checks.append(
            Check("platforms", WARN, "no SLACK_BOT_TOKEN or DISCORD_TOKEN: `studybot run` starts the terminal chat")
        )
    else:
        checks.append(Check("platforms", OK, "configured: " + ", ".join(settings.platforms)))
    if settings.slack_bot_token or settings.slack_app_token or settings.slack_client_id or settings.slack_client_secret:
        checks.append(_slack(settings))
    if settings.discord_token:
        checks.append(_discord(settings))
    return checks


def _slack(settings: Settings) -> Check:
    socket_mode = bool(settings.slack_app_token)
    mode = "Socket Mode (SLACK_APP_TOKEN set)" if socket_mode else "HTTP mode (no SLACK_APP_TOKEN)"
    try:
        from adapters.slack import validate_slack_settings
    except ImportError:
        return Check("slack", WARN, f"{mode}; the Slack adapter is not installed, tokens not checked")
    try:
        validate_slack_settings(
            bot_token=settings.slack_bot_token.get_secret_value(),
            app_token=settings.slack_app_token.get_secret_value() or None,
            signing_secret=settings.slack_signing_secret.get_secret_value() or None,
            api_url=settings.slack_api_url or None,
            http=not socket_mode,
            port=3000,
            client_id=settings.slack_client_id or None,
            client_secret=settings.slack_client_secret.get_secret_value() or None,
            scopes=settings.slack_scopes or None,
        )
    except ConfigError as exc:  # the message names settings, never values
        return Check("slack", FAIL, f"{mode}: {exc}")
    oauth = bool(settings.slack_client_id)
    parts = ["OAuth distribution (client id and secret present)" if oauth else "bot token present (xoxb-)"]
    parts.append("app token present (xapp-)" if socket_mode else "signing secret present")
    if settings.slack_api_url:
        parts.append("Web API overridden by SLACK_API_URL")
    return Check("slack", OK, f"{mode}; " + ", ".join(parts))


def _discord(settings: Settings) -> Check:
    try:
        from adapters.discord import check_settings as check_discord
    except ImportError:
        return Check("discord", WARN, "the Discord adapter is not installed, token not checked")
    try:
        token, api, gateway = check_discord(
            settings.discord_token.get_secret_value(),
            settings.discord_api_url or None,
            settings.discord_gateway_url or None,
        )
    except ConfigError as exc:
        return Check("discord", FAIL, str(exc))
    if not DISCORD_TOKEN_SHAPE.fullmatch(token):
        return Check(
            "discord",
            FAIL,
            "DISCORD_TOKEN does not look like a bot token (three dot-separated parts); "
            "copy it again from the Developer Portal (Bot > Reset Token)",
        )
    extra = "".join(
        [
            ", REST overridden by DISCORD_API_URL" if api else "",
            ", gateway overridden by DISCORD_GATEWAY_URL" if gateway else "",
        ]
    )
    return Check("discord", OK, f"bot token present (three-part shape){extra}")


async def check_database(settings: Settings, now: dt.datetime) -> tuple[list[Check], list[Any], list[Any]]:
    """Connect, compare the migration revision with the code's head, read the lease, channels and open posts."""
    from alembic.runtime.migration import MigrationContext

    from bot.app import open_database

    url = settings.db_url
    u = make_url(url)
    is_file = u.drivername.startswith("sqlite") and u.database not in (None, "", ":memory:")
    if is_file and not await asyncio.to_thread(Path(str(u.database)).exists):
        return (
            [
                Check(
                    "database",
                    FAIL,
                    f"{u.database} does not exist yet: run `studybot db upgrade` "
                    "(`studybot run` also migrates at start)",
                )
            ],
            [],
            [],
        )
    async with open_database(url) as db:
        try:
            async with asyncio.timeout(15):
                async with db.engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
                    current = set(await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_heads()))
        except Exception as exc:  # unreachable server, bad credentials, locked file
            return (
                [
                    Check(
                        "database",
                        FAIL,
                        f"cannot connect to {_database_label(url)}: {type(exc).__name__}: {_no_secrets(str(exc), url)}",
                    )
                ],
                [],
                [],
            )
        head = await db.code_revisions()
        checks = [Check("database", OK, f"connected to {_database_label(url)}")]
        if current == head:
            checks.append(Check("migrations", OK, f"at head ({', '.join(sorted(head))})"))
        else:
            checks.append(
                Check(
                    "migrations",
                    FAIL,
                    f"database at {', '.join(sorted(current)) or 'no revision'}, "
                    f"code at {', '.join(sorted(head))}: run `studybot db upgrade`",
                )
            )
            return checks, [], []
        state = await db.lease("scheduler")
        if state is None:
            checks.append(Check("scheduler", OK, "lease free: the next `studybot run` will run the scheduler"))
        elif state.expires_at > now:
            checks.append(Check("scheduler", OK, f"lease held by {state.holder} until {state.expires_at:%H:%M:%S} UTC"))
        else:
            checks.append(
                Check(
                    "scheduler",
                    WARN,
                    f"lease of {state.holder} expired at {state.expires_at:%Y-%m-%d %H:%M:%S} "
                    "UTC: no process is running the scheduler now",
                )
            )
        channels = await db.store.active_channels()
        open_posts = await db.store.open_posts()
        return checks, channels, open_posts


def _no_secrets(message: str, url: str) -> str:
    password = make_url(url).password
    return message.replace(password, "***") if password else message


def check_content() -> list[Check]:
    """Load the bank as the bot does, then the validator's summary."""
    from bot.app import ContentError, load_bank
    from content.cli import run_validate

    try:
        bank = load_bank()
    except ContentError as exc:
        shown = "; ".join(str(p) for p in exc.problems[:3])
        return [Check("content", FAIL, f"{len(exc.problems)} problem(s) loading the bank: {shown}")]
    buf = io.StringIO()
    code = run_validate(buf, None, show_warnings=False)
    summary = [line for line in buf.getvalue().splitlines() if line.strip()][-2:]
    objectives = len({q.objective_id for q in bank.questions})
    checks = [Check("content", OK, f"{len(bank.questions)} questions over {objectives} objectives load")]
    checks.append(Check("content validate", OK if code == 0 else FAIL, " / ".join(summary)))
    return checks


def check_schedule(channels: list[Any], open_posts: list[Any], now: dt.datetime) -> list[Check]:
    """The next runs of every active channel, in its own time zone."""
    from scheduler.triggers import DAILY, next_runs

    if not channels:
        return [Check("schedule", OK, "no subscribed channel yet (/studybot subscribe HH:MM Area/City)")]
    checks = []
    by_channel = {ch.id: ch for ch in channels}
    for ch in channels:
        where = f"{ch.ref.platform} {ch.ref.workspace}/{ch.ref.channel}" + (f" #{ch.name}" if ch.name else "")
        try:
            ZoneInfo(ch.tz)
            runs = next_runs([ch], now)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            checks.append(Check("schedule", FAIL, f"{where}: cannot schedule ({exc})"))
            continue
        parts = [f"{'daily question' if r.kind == DAILY else 'weekly board'} {_fmt(r.at, ch.tz)}" for r in runs]
        checks.append(Check("schedule", OK, f"{where} ({ch.tz}): " + "; ".join(parts)))
    for p in open_posts:
        ch = by_channel.get(p.channel_id)
        if ch is not None:
            late = " (overdue)" if p.reveal_due_at <= now else ""
            checks.append(
                Check(
                    "schedule",
                    OK,
                    f"{ch.ref.platform} {ch.ref.workspace}/{ch.ref.channel}: reveal of post "
                    f"{p.id} {_fmt(p.reveal_due_at, ch.tz)}{late}",
                )
            )
    return checks


async def doctor_checks(settings: Settings, *, now: dt.datetime | None = None, content: bool = True) -> list[Check]:
    now = now or dt.datetime.now(dt.UTC)
    checks = check_settings(settings)
    db_checks, channels, open_posts = await check_database(settings, now)
    checks += db_checks
    if content:
        checks += await asyncio.to_thread(check_content)
    if not any(c.status == FAIL for c in db_checks):
        checks += check_schedule(channels, open_posts, now)
    return checks


async def run_doctor(
    settings: Settings, out: TextIO, *, now: dt.datetime | None = None, as_json: bool = False, content: bool = True
) -> int:
    """Print every check; 1 if any failed, else 0."""
    checks = await doctor_checks(settings, now=now, content=content)
    failed = [c for c in checks if c.status == FAIL]
    if as_json:
        print(json.dumps({"ok": not failed, "checks": [asdict(c) for c in checks]}, indent=2), file=out)
    else:
        for c in checks:
            print(f"[{c.status:^4}] {c.area}: {c.detail}", file=out)
        print(f"doctor: {len(failed)} problem(s) found" if failed else "doctor: all checks passed", file=out)
    return 1 if failed else 0
