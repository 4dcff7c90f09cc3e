"""Discord's slash commands: ``/studybot`` subcommands for admins, top-level commands for members.

Every command only turns its typed options into the command text the core parses (the same grammar
as Slack and the console), so validation, replies and the help text stay in one place. Discord
applies ``default_member_permissions`` to a whole top-level command, so the member commands
(``/drill``, ``/leaderboard``, ``/weakspots``, ``/stats``, ``/forget-me``) are top-level and only the
admin group ``/studybot`` needs Manage Server.
"""

from adapters.discord.commands.members import build_commands
from adapters.discord.commands.options import CommandRunner, scope_choices, zone_choices

__all__ = ["CommandRunner", "build_commands", "scope_choices", "zone_choices"]
