"""One typed Settings object, read from the environment at the edge (secrets only from the environment)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ENV_VARS", "ConfigError", "Settings"]

# name -> what it does (README's configuration table is generated from the same text)
ENV_VARS: dict[str, str] = {
    "STUDYBOT_DATA_DIR": "Where the SQLite database lives (default ./data).",
    "DATABASE_URL": "Database URL; default sqlite under the data directory. postgresql://user:pw@host/db selects PostgreSQL (asyncpg).",
    "STUDYBOT_ADMINS": "Comma-separated user ids that may run admin commands besides platform admins (e.g. U0ALICE,discord:1234).",
    "STUDYBOT_LOG_FORMAT": "text (default) or json.",
    "STUDYBOT_LOG_LEVEL": "DEBUG, INFO (default), WARNING, ERROR.",
    "SLACK_BOT_TOKEN": "Slack bot token (xoxb-...) for one workspace.",
    "SLACK_APP_TOKEN": "Slack app-level token (xapp-...): selects Socket Mode.",
    "SLACK_SIGNING_SECRET": "Slack signing secret (HTTP mode).",
    "SLACK_API_URL": "Override of the Slack Web API base URL (ends with /api/).",
    "SLACK_CLIENT_ID": "Slack app client id: with SLACK_CLIENT_SECRET, installs in many workspaces via /slack/install (HTTP mode).",
    "SLACK_CLIENT_SECRET": "Slack app client secret (OAuth distribution, with SLACK_CLIENT_ID).",
    "SLACK_SCOPES": "Comma-separated bot scopes requested at install (default: the manifest's).",
    "DISCORD_TOKEN": "Discord bot token.",
    "DISCORD_API_URL": "Override of the Discord REST base URL.",
    "DISCORD_GATEWAY_URL": "Override of the Discord gateway URL.",
    "DISCORD_SHARDED": "1 to run as an AutoShardedClient (one process serving many servers).",
    "DISCORD_DEV_GUILD": "A server id: register the slash commands there only (instant updates while developing).",
}


class ConfigError(Exception):
    """A setting is missing or malformed; the message says which and how to fix it (never its value)."""


_SQLITE = ("sqlite://", "sqlite+aiosqlite://", "sqlite+pysqlite://")
_POSTGRES = ("postgres://", "postgresql://", "postgresql+asyncpg://", "postgresql+psycopg://", "postgresql+psycopg2://")


def _check_database_url(url: str) -> None:
    """One clear line for a URL StudyBot cannot use (the URL itself is never printed: it may hold a password)."""
    scheme = url.split("://", 1)[0].lower() + "://" if "://" in url else ""
    if scheme in _SQLITE:
        return
    if scheme in _POSTGRES:
        import importlib.util

        if importlib.util.find_spec("asyncpg") is None:
            raise ConfigError(
                "DATABASE_URL selects PostgreSQL, which needs the asyncpg driver: "
                "pip install -e '.[postgres]' (or pip install 'studybot[postgres]')."
            )
        return
    if not scheme.rstrip(":/"):
        raise ConfigError(
            "DATABASE_URL is not a database URL (it has no scheme such as sqlite:// or postgresql://); "
            "StudyBot supports SQLite (sqlite:///path/to/file.db) and PostgreSQL "
            "(postgresql://user:password@host/db)."
        )
    shown = scheme.rstrip(":/")
    raise ConfigError(
        f"DATABASE_URL uses {shown!r}; StudyBot supports SQLite (sqlite:///path/to/file.db) "
        "and PostgreSQL (postgresql://user:password@host/db)."
    )


def _guild_id(value: str) -> str:
    value = value.strip()
    if value and not (value.isascii() and value.isdigit() and len(value) <= 20):
        raise ConfigError("DISCORD_DEV_GUILD must be a server id (digits only; Developer Mode → Copy Server ID).")
    return value


def _check_data_dir(data_dir: Path) -> None:
    if data_dir.exists() and not data_dir.is_dir():
        raise ConfigError(
            f"STUDYBOT_DATA_DIR {str(data_dir)!r} is a file, not a folder; point it at a folder "
            "(it is created if missing)."
        )
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"STUDYBOT_DATA_DIR {str(data_dir)!r} cannot be created ({exc.strerror}); point it at a writable folder."
        ) from None
    if not os.access(data_dir, os.W_OK):
        raise ConfigError(f"STUDYBOT_DATA_DIR {str(data_dir)!r} is not writable; point it at a writable folder.")


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data")
    database_url: str = ""
    admins: frozenset[str] = field(default_factory=frozenset)
    log_format: str = "text"
    log_level: str = "INFO"
    slack_bot_token: str = ""
    slack_app_token: str = ""
    slack_signing_secret: str = ""
    slack_api_url: str = ""
    slack_client_id: str = ""
    slack_client_secret: str = ""
    slack_scopes: str = ""
    discord_token: str = ""
    discord_api_url: str = ""
    discord_gateway_url: str = ""
    discord_sharded: bool = False
    discord_dev_guild: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        e = os.environ if env is None else env
        data_dir = Path(e.get("STUDYBOT_DATA_DIR") or "data")
        fmt = (e.get("STUDYBOT_LOG_FORMAT") or "text").lower()
        if fmt not in {"text", "json"}:
            raise ConfigError("STUDYBOT_LOG_FORMAT must be 'text' or 'json'.")
        level = (e.get("STUDYBOT_LOG_LEVEL") or "INFO").upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ConfigError("STUDYBOT_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR.")
        admins = frozenset(a.strip() for a in (e.get("STUDYBOT_ADMINS") or "").split(",") if a.strip())
        database_url = (e.get("DATABASE_URL") or "").strip()
        if database_url:
            _check_database_url(database_url)
        elif "STUDYBOT_DATA_DIR" in e:
            _check_data_dir(data_dir)
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            admins=admins,
            log_format=fmt,
            log_level=level,
            slack_bot_token=e.get("SLACK_BOT_TOKEN", ""),
            slack_app_token=e.get("SLACK_APP_TOKEN", ""),
            slack_signing_secret=e.get("SLACK_SIGNING_SECRET", ""),
            slack_api_url=e.get("SLACK_API_URL", ""),
            slack_client_id=e.get("SLACK_CLIENT_ID", ""),
            slack_client_secret=e.get("SLACK_CLIENT_SECRET", ""),
            slack_scopes=e.get("SLACK_SCOPES", ""),
            discord_token=e.get("DISCORD_TOKEN", ""),
            discord_api_url=e.get("DISCORD_API_URL", ""),
            discord_gateway_url=e.get("DISCORD_GATEWAY_URL", ""),
            discord_sharded=(e.get("DISCORD_SHARDED") or "0").strip().lower() in {"1", "true", "yes"},
            discord_dev_guild=_guild_id(e.get("DISCORD_DEV_GUILD") or ""),
        )

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'studybot.db').resolve()}"

    @property
    def platforms(self) -> list[str]:
        found = []
        if (
            self.slack_bot_token or self.slack_client_id or self.slack_client_secret
        ):  # a half OAuth set-up fails in the adapter
            found.append("slack")
        if self.discord_token:
            found.append("discord")
        return found

    def __repr__(self) -> str:  # never print secrets
        return f"Settings(data_dir={self.data_dir!s}, database={'postgresql' if 'postgres' in self.db_url else 'sqlite'}, platforms={self.platforms})"
