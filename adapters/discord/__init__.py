"""The Discord adapter: a discord.py client wired to the quiz service (slash commands, raw reactions, drill buttons)."""

from adapters.discord.client import DrillButton, ShardedStudyBotClient, StudyBotClient
from adapters.discord.notifier import DiscordNotifier
from adapters.discord.serve import INVITE_PERMISSIONS, INVITE_SCOPES, check_settings, invite_url, serve_discord

__all__ = [
    "INVITE_PERMISSIONS",
    "INVITE_SCOPES",
    "DiscordNotifier",
    "DrillButton",
    "ShardedStudyBotClient",
    "StudyBotClient",
    "check_settings",
    "invite_url",
    "serve_discord",
]
