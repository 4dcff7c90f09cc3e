"""Slack OAuth distribution: one StudyBot process serves every workspace that installs the app.

slack-bolt runs the OAuth flow (``GET /slack/install`` sets a state cookie and links to Slack's consent
page; Slack sends the installer back to ``GET /slack/oauth_redirect?code=..&state=..``, where bolt calls
``oauth.v2.access`` and saves the installation). This module gives bolt its two stores, both over the
core's :class:`~bot.core.ports.SlackInstallations` port, so the adapter never touches the database:

* :class:`SlackInstallationStore` keeps the latest installation per workspace (or Enterprise Grid org);
  bolt's authorization looks each request's bot token up in it, and the notifier does the same per
  ``ChannelRef.workspace``.
* :class:`SlackOAuthStateStore` keeps the one-time ``state`` of each started install in the database,
  not in memory: several processes behind one load balancer (architecture.md, "Scaling past one
  machine") may see the install and the redirect on different processes, and an install started just
  before a restart still completes. A state is consumed by one atomic ``DELETE``, so it works once.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import logging
import re
import secrets
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from bot.core.ports import SlackInstallations

__all__ = [
    "DEFAULT_SCOPES",
    "INSTALL_PATH",
    "REDIRECT_PATH",
    "STATE_SECONDS",
    "SlackInstallationStore",
    "SlackOAuthStateStore",
    "authorize_url_for",
    "make_oauth_settings",
    "parse_scopes",
]

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600  # Slack's and bolt's default: an installer has 10 minutes to click Allow
# The bot scopes of slack-app-manifest.yaml (a test keeps the two equal); SLACK_SCOPES overrides them.
DEFAULT_SCOPES = (
    "chat:write",
    "commands",
    "reactions:read",
    "reactions:write",
    "users:read",
    "channels:join",
    "im:write",
    "files:write",
)
_SCOPE = re.compile(r"[a-z][a-z0-9_.-]*(:[a-z0-9_.-]+)*")
_INSTALLATION_FIELDS = frozenset(inspect.signature(Installation.__init__).parameters) - {"self"}


def parse_scopes(text: str | None) -> tuple[str, ...] | None:
    """``SLACK_SCOPES`` (comma-separated) as a tuple; the defaults when empty; None if malformed."""
    if not (text or "").strip():
        return DEFAULT_SCOPES
    scopes = tuple(s.strip() for s in (text or "").split(",") if s.strip())
    return scopes if all(_SCOPE.fullmatch(s) for s in scopes) else None


def authorize_url_for(api_url: str) -> str:
    """Slack's consent page on the same host as the Web API (``https://slack.com/api/`` ->
    ``https://slack.com/oauth/v2/authorize``; GovSlack and test doubles alike)."""
    parts = urlsplit(api_url)
    path = parts.path.rstrip("/")
    if not path.endswith("/api"):
        return "https://slack.com/oauth/v2/authorize"
    return urlunsplit((parts.scheme, parts.netloc, path[: -len("/api")] + "/oauth/v2/authorize", "", ""))


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _to_json(installation: Installation) -> dict[str, Any]:
    """Every attribute of the installation (its constructor's own names, Unix-second times), JSON-safe."""
    data: dict[str, Any] = json.loads(json.dumps(vars(installation), default=str))
    return data


def _from_json(data: dict[str, Any]) -> Installation:
    return Installation(**{k: v for k, v in data.items() if k in _INSTALLATION_FIELDS})


class SlackInstallationStore(AsyncInstallationStore):
    """bolt's installation store over the ``SlackInstallations`` port: the latest installation per workspace.

    Only the latest installation of a workspace is kept (StudyBot asks for bot scopes only), so a lookup
    for another user than the installer finds nothing of its own and bolt falls back to the bot token.
    """

    def __init__(self, installations: SlackInstallations) -> None:
        self._db = installations

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        await self._db.save(_to_json(installation))
        log.info(
            "StudyBot installed in Slack workspace %s (%s) by %s",
            installation.team_id or installation.enterprise_id,
            installation.team_name or installation.enterprise_name or "",
            installation.user_id,
        )

    async def async_save_bot(self, bot: Bot) -> None:
        """A rotated bot token (bolt calls this only with token rotation, which StudyBot's manifest leaves off)."""
        data = await self._db.find(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
        if data is None:
            log.warning("a bot token for Slack workspace %s that is not installed was not saved", bot.team_id)
            return
        installation = _from_json(data)
        installation.bot_token = bot.bot_token
        installation.bot_refresh_token = bot.bot_refresh_token
        installation.bot_token_expires_at = bot.bot_token_expires_at
        installation.bot_scopes = bot.bot_scopes
        await self._db.save(_to_json(installation))

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        data = await self._db.find(enterprise_id, team_id, bool(is_enterprise_install))
        if data is None:
            return None
        installation = _from_json(data)
        if user_id is not None and installation.user_id != user_id:
            return None  # no per-user installations are kept
        return installation

    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        installation = await self.async_find_installation(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install
        )
        if installation is None or not installation.bot_token:
            return None
        return installation.to_bot()

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """The bot token was revoked: the installation is of no use any more."""
        await self._forget(enterprise_id, team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """Forget the installation, or only the installer's user token when ``user_id`` is given
        (a person's revoked user token must not take the workspace's bot with it)."""
        if user_id is None:
            await self._forget(enterprise_id, team_id)
            return
        data = await self._db.find(enterprise_id, team_id)
        if data is None or data.get("user_id") != user_id or not data.get("user_token"):
            return
        installation = _from_json(data)
        installation.user_token = installation.user_refresh_token = installation.user_token_expires_at = None
        installation.user_scopes = []
        await self._db.save(_to_json(installation))

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self._forget(enterprise_id, team_id)

    async def _forget(self, enterprise_id: str | None, team_id: str | None) -> None:
        gone = await self._db.delete(enterprise_id, team_id)
        log.warning("Slack workspace %s: installation removed (%d row(s))", team_id or enterprise_id, gone)

    async def bot_token_for(self, team_id: str) -> str | None:
        """The bot token of a workspace (the notifier's ``token_for``); None if the app is not installed."""
        bot = await self.async_find_bot(enterprise_id=None, team_id=team_id)
        return bot.bot_token if bot is not None else None


class SlackOAuthStateStore(AsyncOAuthStateStore):
    """One-time OAuth ``state`` values in the database, valid for ``expiration_seconds``."""

    def __init__(
        self,
        installations: SlackInstallations,
        *,
        expiration_seconds: int = STATE_SECONDS,
        now: Callable[[], dt.datetime] = _utcnow,
    ) -> None:
        self._db = installations
        self.expiration_seconds = expiration_seconds
        self._now = now

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(32)
        now = self._now()
        await self._db.issue_state(state, now + dt.timedelta(seconds=self.expiration_seconds), now)
        return state

    async def async_consume(self, state: str) -> bool:
        if not state:
            return False
        valid = await self._db.consume_state(state, self._now())
        if not valid:
            log.warning("Slack OAuth redirect with an unknown, used or expired state refused")
        return valid


def make_oauth_settings(
    installations: SlackInstallations,
    *,
    client_id: str,
    client_secret: str,
    scopes: Sequence[str] = DEFAULT_SCOPES,
    api_url: str = "https://slack.com/api/",
    now: Callable[[], dt.datetime] = _utcnow,
) -> AsyncOAuthSettings:
    """bolt's OAuth settings: ``/slack/install``, ``/slack/oauth_redirect``, both stores in the database.

    Authorization is bot-only (one lookup per request) with bolt's per-token cache of ``auth.test``:
    without it every event would cost an ``auth.test`` call, and a busy workspace would hit its rate limit.
    The cache never outlives an uninstall, because the store is asked for the token first.
    """
    store = SlackInstallationStore(installations)
    bolt_log = logging.getLogger("adapters.slack.bolt")
    settings = AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(scopes),
        user_scopes=[],
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        authorization_url=authorize_url_for(api_url),
        installation_store=store,
        installation_store_bot_only=True,
        state_store=SlackOAuthStateStore(installations, expiration_seconds=STATE_SECONDS, now=now),
        state_expiration_seconds=STATE_SECONDS,
        logger=bolt_log,
    )
    settings.authorize = AsyncInstallationStoreAuthorize(
        logger=bolt_log,
        installation_store=store,
        client_id=client_id,
        client_secret=client_secret,
        bot_only=True,
        cache_enabled=True,
    )
    return settings
