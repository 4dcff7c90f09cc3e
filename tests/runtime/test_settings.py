"""``bot.settings``: pydantic-settings over the documented variables; secrets hidden; one line per bad setting."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from bot.cli import main
from bot.settings import ENV_VARS, ConfigError, Settings, env_name

SECRET = "xoxb-1234-settings-test-secret"


def test_every_field_is_read_from_a_documented_variable() -> None:
    assert sorted(env_name(f) for f in Settings.model_fields) == sorted(ENV_VARS)


def test_values_are_parsed_as_before() -> None:
    s = Settings.from_env(
        {
            "STUDYBOT_ADMINS": " U1, discord:2 ,",
            "STUDYBOT_LOG_FORMAT": "JSON",
            "STUDYBOT_LOG_LEVEL": "debug",
            "DATABASE_URL": " sqlite:///x.db ",
            "DISCORD_SHARDED": " Yes",
            "DISCORD_DEV_GUILD": " 123 ",
            "SLACK_BOT_TOKEN": "",  # empty is unset
        }
    )
    assert s.admins == frozenset({"U1", "discord:2"}) and (s.log_format, s.log_level) == ("json", "DEBUG")
    assert s.database_url == s.db_url == "sqlite:///x.db" and s.discord_sharded and s.discord_dev_guild == "123"
    assert s.platforms == [] and not s.slack_bot_token
    assert Settings.from_env({"DISCORD_SHARDED": "on"}).discord_sharded is False  # only 1, true, yes switch it on


def test_secrets_are_secret_and_only_exact_names_count() -> None:
    s = Settings.from_env({"SLACK_BOT_TOKEN": SECRET, "discord_token": "lower-case-is-not-read"})
    assert isinstance(s.slack_bot_token, SecretStr) and s.slack_bot_token.get_secret_value() == SECRET
    assert s.platforms == ["slack"] and not s.discord_token
    for shown in (repr(s), str(s), str(s.model_dump()), repr(s.slack_bot_token)):
        assert SECRET not in shown


def test_keyword_arguments_read_nothing_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "a.b.c")
    assert Settings().platforms == [] and Settings.from_env().platforms == ["discord"]


def test_every_bad_setting_gets_its_own_line_naming_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {"STUDYBOT_LOG_FORMAT": "xml", "STUDYBOT_LOG_LEVEL": "loud", "DISCORD_DEV_GUILD": "my-server"}
    with pytest.raises(ConfigError) as err:
        Settings.from_env(env | {"DISCORD_TOKEN": "never-shown"})
    assert str(err.value).splitlines() == [
        "STUDYBOT_LOG_FORMAT must be 'text' or 'json'.",
        "STUDYBOT_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR.",
        "DISCORD_DEV_GUILD must be a server id (digits only; Developer Mode → Copy Server ID).",
    ]

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["doctor"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 3 and all(line.startswith("studybot: configuration error: ") for line in lines)
    assert "xml" not in lines[0] and "loud" not in lines[1]
