"""Slack settings: SlackConfig and validate_slack_settings, which names every problem (never a value)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from adapters.slack.oauth import parse_scopes
from bot.settings import ConfigError

__all__ = ["DEFAULT_API_URL", "SlackConfig", "validate_slack_settings"]

DEFAULT_API_URL = "https://slack.com/api/"


@dataclass(frozen=True)
class SlackConfig:
    bot_token: str  # "" with OAuth distribution: each workspace's token comes from its installation
    app_token: str | None
    signing_secret: str | None
    api_url: str
    http: bool
    port: int
    client_id: str | None = None
    client_secret: str | None = None
    scopes: tuple[str, ...] = ()

    @property
    def oauth(self) -> bool:
        return self.client_id is not None and self.client_secret is not None

    def __repr__(self) -> str:  # never print secrets
        mode = "http+oauth" if self.oauth else "http" if self.http else "socket-mode"
        return f"SlackConfig(mode={mode}, api_url={self.api_url}, port={self.port})"


def validate_slack_settings(
    *,
    bot_token: str | None,
    app_token: str | None,
    signing_secret: str | None,
    api_url: str | None,
    http: bool,
    port: int,
    client_id: str | None = None,
    client_secret: str | None = None,
    scopes: str | None = None,
) -> SlackConfig:
    """Check the Slack settings; raise ConfigError naming every problem (never a value).

    ``client_id``/``client_secret`` (``SLACK_CLIENT_ID``/``SLACK_CLIENT_SECRET``) select OAuth distribution:
    HTTP mode, no ``SLACK_BOT_TOKEN``, and ``scopes`` (``SLACK_SCOPES``) optionally replaces the bot scopes.
    """
    problems: list[str] = []
    bot = (bot_token or "").strip()
    cid = (client_id or "").strip() or None
    csecret = (client_secret or "").strip() or None
    oauth = cid is not None or csecret is not None
    wanted = parse_scopes(scopes)
    if oauth:
        problems += _oauth_problems(cid, csecret, bot, http)
        if wanted is None:
            problems.append("SLACK_SCOPES must be comma-separated bot scope names such as chat:write,commands.")
    elif not bot:
        problems.append(
            "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-...) from your app's OAuth & Permissions page "
            "(or, to serve many workspaces, set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET and run with --http)."
        )
    elif not bot.startswith("xoxb-") or re.search(r"\s", bot):
        problems.append(
            "SLACK_BOT_TOKEN does not look like a bot token: it must start with xoxb- (not xoxp- or xapp-)."
        )
    app = (app_token or "").strip() or None
    secret = (signing_secret or "").strip() or None
    if http or oauth:
        if secret is None:
            problems.append(
                "HTTP mode needs SLACK_SIGNING_SECRET: Basic Information > App Credentials > Signing Secret."
            )
        elif re.search(r"\s", secret) or len(secret) < 16:
            problems.append("SLACK_SIGNING_SECRET looks malformed (Slack's signing secrets are 32 hex characters).")
        if not 0 <= port <= 65535:
            problems.append(f"--port must be between 1 and 65535, not {port}.")
    if not http and not oauth:
        if app is None:
            problems.append(
                "Socket Mode needs SLACK_APP_TOKEN: an app-level token (xapp-...) with the connections:write scope "
                "(Basic Information > App-Level Tokens). For HTTP mode instead, run with --http and set SLACK_SIGNING_SECRET."
            )
        elif not app.startswith("xapp-") or re.search(r"\s", app):
            problems.append("SLACK_APP_TOKEN does not look like an app-level token: it must start with xapp-.")
    url = (api_url or "").strip() or DEFAULT_API_URL
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        problems.append("SLACK_API_URL must be an http(s) URL such as https://slack.com/api/.")
    if problems:
        raise ConfigError("Slack settings: " + " ".join(problems))
    if not url.endswith("/"):  # slack-sdk joins method names with urljoin: ".../api" would drop "api"
        url += "/"
    if oauth:
        return SlackConfig("", app, secret, url, http, port, cid, csecret, wanted or ())
    return SlackConfig(bot, app, secret, url, http, port)


def _oauth_problems(client_id: str | None, client_secret: str | None, bot_token: str, http: bool) -> list[str]:
    where = "(Basic Information > App Credentials)"
    problems: list[str] = []
    if client_id is None:
        problems.append(
            f"SLACK_CLIENT_SECRET is set but SLACK_CLIENT_ID is not: OAuth distribution needs both {where}."
        )
    elif not re.fullmatch(r"[A-Za-z0-9._-]+", client_id):
        problems.append(
            f"SLACK_CLIENT_ID looks malformed (Slack's client ids look like 1234567890.1234567890) {where}."
        )
    if client_secret is None:
        problems.append(
            f"SLACK_CLIENT_ID is set but SLACK_CLIENT_SECRET is not: OAuth distribution needs both {where}."
        )
    elif re.search(r"\s", client_secret) or len(client_secret) < 16:
        problems.append(f"SLACK_CLIENT_SECRET looks malformed (Slack's client secrets are 32 hex characters) {where}.")
    if not http:
        problems.append(
            "OAuth distribution (SLACK_CLIENT_ID/SLACK_CLIENT_SECRET) needs HTTP mode: run with --http, because Slack "
            "sends installers back to /slack/oauth_redirect. For Socket Mode in one workspace, unset them."
        )
    if bot_token:
        problems.append(
            "SLACK_BOT_TOKEN and SLACK_CLIENT_ID/SLACK_CLIENT_SECRET are both set: with OAuth distribution every "
            "workspace (yours too) installs the app at /slack/install and its token is kept in the database; unset "
            "SLACK_BOT_TOKEN, or unset the client id and secret to serve the one workspace of SLACK_BOT_TOKEN."
        )
    return problems
