"""One typed Settings object, read from the environment at the edge (secrets only from the environment).

``Settings.from_env()`` reads the variables of :data:`ENV_VARS` (exact names, no ``.env`` file) with
pydantic-settings; the tokens and secrets are :class:`~pydantic.SecretStr`, so they never show in a repr,
a log line or an error. A bad setting raises one :class:`ConfigError` line per variable, naming it (never
its value). ``Settings(...)`` with keyword arguments reads nothing from the environment (tests, tools).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import AliasGenerator, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

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


# the fields whose variable is not simply their name in capitals
_PREFIXED = {
    "data_dir": "STUDYBOT_DATA_DIR",
    "admins": "STUDYBOT_ADMINS",
    "log_format": "STUDYBOT_LOG_FORMAT",
    "log_level": "STUDYBOT_LOG_LEVEL",
}


def env_name(field: str) -> str:
    """The environment variable that sets ``field``."""
    return _PREFIXED.get(field, field.upper())


def _check_database_url(url: str) -> None:
    """One clear line for a URL StudyBot cannot use (the URL itself is never printed: it may hold a password)."""
    scheme = url.split("://", 1)[0].lower() + "://" if "://" in url else ""
    if scheme in _SQLITE:
        return
    if scheme in _POSTGRES:
        if importlib.util.find_spec("asyncpg") is None:
            raise ValueError(
                "DATABASE_URL selects PostgreSQL, which needs the asyncpg driver: "
                "pip install -e '.[postgres]' (or pip install 'studybot[postgres]')."
            )
        return
    if not scheme.rstrip(":/"):
        raise ValueError(
            "DATABASE_URL is not a database URL (it has no scheme such as sqlite:// or postgresql://); "
            "StudyBot supports SQLite (sqlite:///path/to/file.db) and PostgreSQL "
            "(postgresql://user:password@host/db)."
        )
    shown = scheme.rstrip(":/")
    raise ValueError(
        f"DATABASE_URL uses {shown!r}; StudyBot supports SQLite (sqlite:///path/to/file.db) "
        "and PostgreSQL (postgresql://user:password@host/db)."
    )


def _check_data_dir(data_dir: Path) -> None:
    if data_dir.exists() and not data_dir.is_dir():
        raise ValueError(
            f"STUDYBOT_DATA_DIR {str(data_dir)!r} is a file, not a folder; point it at a folder "
            "(it is created if missing)."
        )
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(
            f"STUDYBOT_DATA_DIR {str(data_dir)!r} cannot be created ({exc.strerror}); point it at a writable folder."
        ) from None
    if not os.access(data_dir, os.W_OK):
        raise ValueError(f"STUDYBOT_DATA_DIR {str(data_dir)!r} is not writable; point it at a writable folder.")


class _Environment(EnvSettingsSource):
    """The environment source over a given mapping: only the names of ENV_VARS (exact case); empty means unset."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(settings_cls, case_sensitive=True)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {name: value for name, value in self._environ.items() if value and name in ENV_VARS}


class Settings(BaseSettings):
    """Every setting of :data:`ENV_VARS`; each field is read from its variable (``env_name``)."""

    model_config = SettingsConfigDict(
        frozen=True,
        extra="ignore",
        case_sensitive=True,
        validate_by_name=True,
        alias_generator=AliasGenerator(validation_alias=env_name),
    )

    data_dir: Path = Path("data")
    database_url: str = ""
    admins: Annotated[frozenset[str], NoDecode] = frozenset()
    log_format: str = "text"
    log_level: str = "INFO"
    slack_bot_token: SecretStr = SecretStr("")
    slack_app_token: SecretStr = SecretStr("")
    slack_signing_secret: SecretStr = SecretStr("")
    slack_api_url: str = ""
    slack_client_id: str = ""
    slack_client_secret: SecretStr = SecretStr("")
    slack_scopes: str = ""
    discord_token: SecretStr = SecretStr("")
    discord_api_url: str = ""
    discord_gateway_url: str = ""
    discord_sharded: bool = False
    discord_dev_guild: str = ""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Keyword arguments only: the environment is read by :meth:`from_env`, and no ``.env`` file at all."""
        return (init_settings,)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """The settings from ``env`` (default ``os.environ``); ConfigError names every bad variable, one a line."""
        values = _Environment(cls, os.environ if env is None else env)()
        try:
            return cls(**values)
        except ValidationError as exc:
            raise ConfigError("\n".join(_problem(e) for e in exc.errors())) from None

    @field_validator("database_url", "discord_dev_guild", mode="after")
    @classmethod
    def _stripped(cls, value: str) -> str:
        return value.strip()

    @field_validator("database_url", mode="after")
    @classmethod
    def _usable_database(cls, url: str) -> str:
        if url:
            _check_database_url(url)
        return url

    @field_validator("admins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(a.strip() for a in value.split(",") if a.strip())
        return value

    @field_validator("log_format", mode="after")
    @classmethod
    def _log_format(cls, value: str) -> str:
        if value.lower() not in {"text", "json"}:
            raise ValueError("STUDYBOT_LOG_FORMAT must be 'text' or 'json'.")
        return value.lower()

    @field_validator("log_level", mode="after")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("STUDYBOT_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR.")
        return value.upper()

    @field_validator("discord_sharded", mode="before")
    @classmethod
    def _switch(cls, value: object) -> object:
        """1, true or yes (any case) turn it on; any other text leaves it off, as it always has."""
        if isinstance(value, str):
            return value.strip().lower() in {"1", "true", "yes"}
        return value

    @field_validator("discord_dev_guild", mode="after")
    @classmethod
    def _guild_id(cls, value: str) -> str:
        if value and not (value.isascii() and value.isdigit() and len(value) <= 20):
            raise ValueError("DISCORD_DEV_GUILD must be a server id (digits only; Developer Mode → Copy Server ID).")
        return value

    @model_validator(mode="after")
    def _usable_data_dir(self) -> Settings:
        if "data_dir" in self.model_fields_set and not self.database_url:
            _check_data_dir(self.data_dir)
        return self

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

    __str__ = __repr__


def _problem(error: Any) -> str:
    """One line for one bad setting: our own sentences name the variable; pydantic's get its name in front."""
    if error["type"] == "value_error":
        return str(error["ctx"]["error"])
    where = ".".join(str(part) for part in error["loc"]) or "settings"
    return f"{where}: {error['msg']}"
