"""The command catalogue is the one source: help text, Slack manifest, Discord descriptions, README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.core.catalogue import MEMBER_COMMANDS, STUDYBOT, STUDYBOT_SUBCOMMANDS, member_command, subcommand
from bot.core.commands import STUDYBOT_USAGE, UsageError, parse_studybot

ROOT = Path(__file__).resolve().parents[2]


def test_every_summary_fits_discord_and_every_name_is_unique() -> None:
    entries = [STUDYBOT, *MEMBER_COMMANDS, *STUDYBOT_SUBCOMMANDS]
    assert all(0 < len(e.summary) <= 100 for e in entries)
    assert len({(e.name, e.admin) for e in STUDYBOT_SUBCOMMANDS}) == len(STUDYBOT_SUBCOMMANDS)
    assert member_command("stats").name == "stats" and subcommand("settings", admin=True).args
    with pytest.raises(KeyError):
        member_command("nope")


def test_the_help_text_lists_every_subcommand_with_its_arguments_and_admin_mark() -> None:
    lines = STUDYBOT_USAGE.splitlines()
    for info in STUDYBOT_SUBCOMMANDS:
        [line] = [ln for ln in lines if ln[2:].startswith(info.usage + " ") and info.summary in ln]
        assert line.startswith("* " if info.admin else "  "), line
    for info in MEMBER_COMMANDS:
        assert f"/{info.usage}" in STUDYBOT_USAGE and info.summary in STUDYBOT_USAGE


def test_every_subcommand_in_the_help_is_one_the_parser_knows() -> None:
    samples = {
        "subscribe": "subscribe 9am UTC",
        "settings": "settings",
        "focus": "focus off",
        "team create": "team create owls",
        "team delete": "team delete owls",
        "team list": "team list",
        "forget-me": "forget-me",
    }
    for info in STUDYBOT_SUBCOMMANDS:
        text = samples.get(info.name, info.name if "@person" not in info.args else f"{info.name} owls @ada")
        try:
            parse_studybot(text)
        except UsageError as exc:  # a usage error is fine; "unknown command" would mean the help lies
            assert "Unknown" not in str(exc), (info.name, str(exc))


def test_the_slack_manifest_uses_the_catalogue() -> None:
    manifest = yaml.safe_load((ROOT / "slack-app-manifest.yaml").read_text(encoding="utf-8"))
    got = {c["command"]: (c["description"], c.get("usage_hint", "")) for c in manifest["features"]["slash_commands"]}
    want = {f"/{i.name}": (i.summary, i.args) for i in (STUDYBOT, *MEMBER_COMMANDS)}
    assert got == want


def test_the_readme_command_table_names_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = "\n".join(line for line in readme.splitlines() if line.startswith("| `/"))
    for info in MEMBER_COMMANDS:
        assert re.search(rf"\| `/{info.name}\b", rows), info.name
    for info in STUDYBOT_SUBCOMMANDS:
        first, *rest = info.name.split()
        if first in ("help",):
            continue
        assert re.search(rf"/studybot {re.escape(first)}\b", rows), info.name
        for word in rest:
            assert word in rows, info.name
