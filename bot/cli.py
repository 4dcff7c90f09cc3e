"""The ``studybot`` command line."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import __version__
from bot.settings import ENV_VARS, ConfigError, Settings

__all__ = ["main"]

log = logging.getLogger("studybot")

DESCRIPTION = "StudyBot: daily Databricks ML Professional questions for Slack and Discord study groups."
EPILOG = "Environment variables:\n" + "\n".join(f"  {k:<22} {v}" for k, v in ENV_VARS.items())


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="studybot", description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--version", action="version", version=f"studybot {__version__}")
    sub = p.add_subparsers(dest="cmd", metavar="COMMAND")

    run = sub.add_parser("run", help="run the bot (a terminal chat when no platform token is set)")
    run.add_argument(
        "--platform",
        choices=["auto", "console", "slack", "discord", "both"],
        default="auto",
        help="auto (default): every platform with a token set, else the terminal chat",
    )
    run.add_argument("--http", action="store_true", help="Slack HTTP mode instead of Socket Mode")
    run.add_argument("--port", type=int, default=3000, help="HTTP port (Slack HTTP mode, /healthz)")
    run.add_argument(
        "--health-port",
        type=int,
        default=None,
        metavar="PORT",
        help="serve GET /healthz (JSON) on this port in any mode (0 picks a free port)",
    )

    doctor = sub.add_parser("doctor", help="check settings, tokens, database, content and the next scheduled runs")
    doctor.add_argument("--json", action="store_true", help="print the checks as JSON")
    doctor.add_argument("--skip-content", action="store_true", help="skip loading and validating the question bank")

    demo = sub.add_parser("demo", help="simulate a study group for some days on a simulated clock")
    demo.add_argument("--days", type=int, default=14, help="days to simulate (default 14)")
    demo.add_argument("--members", type=int, default=8, help="simulated members (default 8)")
    demo.add_argument("--seed", type=int, default=7, help="random seed (same seed, same run)")
    demo.add_argument("--database", help="database URL to keep the run (default: a temporary SQLite file)")

    from content.cli import configure_parser

    content = sub.add_parser("content", help="check or summarise the question bank")
    configure_parser(content)
    actions = next(a for a in content._actions if isinstance(a, argparse._SubParsersAction))
    item = actions.add_parser("item-stats", help="per question: share correct, option shares, item-analysis flags")
    item.add_argument("--database", help="database URL (default: the configured one)")
    item.add_argument(
        "--min-responses", type=int, default=30, help="answers an item needs before it is flagged (default 30)"
    )
    item.add_argument("--json", action="store_true")
    reports = actions.add_parser(
        "reports", help="learners' problem reports per question: kinds, latest texts, wording changed since"
    )
    reports.add_argument("--database", help="database URL (default: the configured one)")
    reports.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="only reports made on or after this day")
    reports.add_argument("--json", action="store_true")
    validate = actions.choices["validate"]
    validate.add_argument("--database", help="where problem reports are read (default: the configured database)")
    validate.add_argument(
        "--strict", action="store_true", help="fail when problem reports say an item needs review (default: warn)"
    )

    discord = sub.add_parser("discord", help="Discord helpers")
    dsub_ = discord.add_subparsers(dest="discord_cmd", metavar="ACTION", required=True)
    inv = dsub_.add_parser(
        "invite-url", help="print the OAuth2 URL that adds the bot with exactly the permissions it needs"
    )
    inv.add_argument("application_id", help="the application id from the Discord Developer Portal")

    teams = sub.add_parser("teams", help="define teams and leads from a YAML file")
    tsub = teams.add_subparsers(dest="teams_cmd", metavar="ACTION", required=True)
    tload = tsub.add_parser(
        "load", help="create or update teams, members and leads (format: README, Teams from a file)"
    )
    tload.add_argument("file", type=Path)
    tload.add_argument("--database", help="database URL (default: the configured one)")

    db = sub.add_parser("db", help="database maintenance")
    dsub = db.add_subparsers(dest="db_cmd", metavar="ACTION", required=True)
    dsub.add_parser("upgrade", help="apply migrations (also done at start-up)")
    return p


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD, e.g. 2026-12-01") from None


def _validate(args: argparse.Namespace, db_url: str) -> int:
    """``content validate`` with the learners' problem reports from the database (content itself stays
    independent of storage: the reports are passed in)."""
    from bot.itemstats import missing_database, open_reports
    from content.cli import run_validate

    found = missing_database(db_url) or asyncio.run(open_reports(db_url))
    if isinstance(found, str):
        print(f"({found})", file=sys.stdout)
        found = {}
    return run_validate(sys.stdout, args.file, show_warnings=not args.quiet, reports=found, strict=args.strict)


def _config_error(exc: ConfigError) -> int:
    """One line per bad setting on standard error; exit code 2."""
    for line in str(exc).splitlines():
        print(f"studybot: configuration error: {line}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.cmd is None:
        parser.print_help()
        return 2
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        return _config_error(exc)
    from bot.logs import setup_logging

    level = settings.log_level if args.cmd == "run" else "WARNING"
    terminal_chat = args.cmd == "run" and args.platform in {"auto", "console"} and not settings.platforms
    if terminal_chat and "STUDYBOT_LOG_LEVEL" not in os.environ:
        level = "WARNING"  # the terminal chat is for people: keep routine log lines out of the conversation
    setup_logging(settings.log_format, level)
    if args.cmd == "content":
        if args.content_cmd == "item-stats":
            from bot.itemstats import run_item_stats

            return asyncio.run(
                run_item_stats(
                    sys.stdout, args.database or settings.db_url, min_responses=args.min_responses, as_json=args.json
                )
            )
        if args.content_cmd == "reports":
            from bot.itemstats import run_reports

            return asyncio.run(
                run_reports(sys.stdout, args.database or settings.db_url, since=args.since, as_json=args.json)
            )
        if args.content_cmd == "validate":
            return _validate(args, args.database or settings.db_url)
        from content.cli import dispatch

        return dispatch(args, sys.stdout)
    if args.cmd == "discord":
        from adapters.discord import invite_url

        try:
            print(invite_url(args.application_id))
        except ValueError as exc:
            print(f"studybot discord invite-url: {exc}", file=sys.stderr)
            return 2
        return 0
    if args.cmd == "teams":
        from bot.teamsfile import load_teams_file

        return asyncio.run(load_teams_file(args.file, args.database or settings.db_url, sys.stdout))
    if args.cmd == "db":
        from bot.app import upgrade_database

        upgrade_database(settings.db_url)
        print(f"database is up to date ({'PostgreSQL' if 'postgres' in settings.db_url else settings.db_url})")
        return 0
    if args.cmd == "demo":
        if not 1 <= args.days <= 366 or not 1 <= args.members <= 200:
            print("studybot demo: --days must be 1-366 and --members 1-200", file=sys.stderr)
            return 2
        from bot.demo import run_demo

        asyncio.run(
            run_demo(
                sys.stdout,
                days=args.days,
                members=args.members,
                seed=args.seed,
                database=args.database,
                charts_dir=settings.data_dir / "charts",
            )
        )
        return 0
    if args.cmd == "doctor":
        from bot.doctor import run_doctor

        return asyncio.run(run_doctor(settings, sys.stdout, as_json=args.json, content=not args.skip_content))
    if args.cmd == "run":
        from bot.runner import run

        try:
            return asyncio.run(
                run(settings, args.platform, http=args.http, port=args.port, health_port=args.health_port)
            )
        except ConfigError as exc:
            return _config_error(exc)
        except KeyboardInterrupt:
            return 0
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
