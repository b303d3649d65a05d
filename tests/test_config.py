"""Settings from the environment: every bad value is refused by the name of its variable."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest

from returns_service.config import Settings
from returns_service.instance_secrets import instance_secret_key
from returns_service.setting_values import ConfigError, normalise_database_url


def test_defaults_need_no_environment() -> None:
    settings = Settings.from_environ({})

    assert (settings.timezone, settings.default_locale, settings.currency) == (
        "Asia/Tokyo",
        "ja",
        "JPY",
    )
    assert (settings.database_url, settings.redis_url, settings.smtp_port) == ("", "", 25)


def test_values_are_read_and_parsed() -> None:
    settings = Settings.from_environ(
        {
            "RETURNS_SMTP_PORT": "2525",
            "RETURNS_SMTP_STARTTLS": "yes",
            "RETURNS_TIMEZONE": "Europe/Paris",
            "RETURNS_DEFAULT_LOCALE": "en",
            "RETURNS_CURRENCY": "USD",
            "RETURNS_DATABASE_URL": "postgres://u@db:5432/returns",
            "RETURNS_REDIS_URL": "rediss://cache:6380/2",
            "UNRELATED": "ignored",
        }
    )

    assert settings.smtp_port == 2525
    assert settings.smtp_starttls is True
    assert (settings.timezone, settings.default_locale, settings.currency) == (
        "Europe/Paris",
        "en",
        "USD",
    )
    assert settings.database_url == "postgres://u@db:5432/returns"
    assert settings.redis_url == "rediss://cache:6380/2"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("RETURNS_SMTP_PORT", "abc", "RETURNS_SMTP_PORT must be a whole number, got 'abc'"),
        ("RETURNS_SMTP_PORT", "70000", "RETURNS_SMTP_PORT must be a TCP port, got 70000"),
        ("RETURNS_SMTP_STARTTLS", "maybe", "RETURNS_SMTP_STARTTLS must be true or false"),
        ("RETURNS_TIMEZONE", "Mars/Base", "RETURNS_TIMEZONE must be an IANA time zone"),
        ("RETURNS_TIMEZONE", "../../etc/passwd", "RETURNS_TIMEZONE must be an IANA time zone"),
        ("RETURNS_DATABASE_URL", "mysql://x", "RETURNS_DATABASE_URL must use PostgreSQL or SQLite"),
        ("RETURNS_DATABASE_URL", "returns.db", "RETURNS_DATABASE_URL must look like"),
        ("RETURNS_DEFAULT_LOCALE", "fr", "RETURNS_DEFAULT_LOCALE must be one of ja, en, got 'fr'"),
        ("RETURNS_CURRENCY", "yen", "RETURNS_CURRENCY must be an ISO 4217 code"),
        ("RETURNS_REDIS_URL", "http://x", "RETURNS_REDIS_URL must look like redis://"),
        ("RETURNS_JOB_RETRIES", "-1", "RETURNS_JOB_RETRIES must not be negative"),
        ("RETURNS_ACCESS_CHECK_SECONDS", "-5", "RETURNS_ACCESS_CHECK_SECONDS must not be negative"),
        ("RETURNS_TOKEN_CHECK_SECONDS", "0", "RETURNS_TOKEN_CHECK_SECONDS is now RETURNS_ACCESS_"),
        ("RETURNS_PORTAL_TOKEN_MINUTES", "0", "RETURNS_PORTAL_TOKEN_MINUTES must be positive"),
    ],
)
def test_bad_value_names_the_variable(variable: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        Settings.from_environ({variable: value})

    assert str(raised.value).startswith(message)


def test_config_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="RETURNS_CURRENCY"):
        Settings.from_environ({"RETURNS_CURRENCY": "yen"})


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
        ("postgres://u:p%40ss@h:5432/db", "postgresql+psycopg://u:p%40ss@h:5432/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///instance/returns.db", "sqlite:///instance/returns.db"),
        ("sqlite://", "sqlite://"),
    ],
)
def test_normalise_database_url(url: str, expected: str) -> None:
    assert normalise_database_url(url) == expected


def test_instance_secret_key_is_generated_once_and_reused(tmp_path: Path) -> None:
    instance = tmp_path / "instance"

    first = instance_secret_key(instance)
    second = instance_secret_key(instance)

    assert first == second
    assert len(first) >= 64
    assert (instance / "secret_key").read_text().strip() == first
    assert stat.S_IMODE((instance / "secret_key").stat().st_mode) == 0o600
    assert instance_secret_key(tmp_path / "elsewhere") != first


def test_instance_secret_key_keeps_a_key_written_by_hand(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("a-key-chosen-by-the-operator\n")

    assert instance_secret_key(tmp_path) == "a-key-chosen-by-the-operator"


def test_instance_secret_key_replaces_an_empty_file(tmp_path: Path) -> None:
    # An empty key would leave sessions unsigned; a crash mid-write can leave one behind.
    (tmp_path / "secret_key").write_text("")

    key = instance_secret_key(tmp_path)

    assert len(key) >= 64
    assert instance_secret_key(tmp_path) == key
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_instance_secret_key_is_the_same_for_processes_starting_together(
    tmp_path: Path,
) -> None:
    # Threads stand in for web and job workers started at once on a fresh instance folder.
    start = threading.Barrier(8)
    keys: list[str] = []

    def first_start() -> None:
        start.wait()
        keys.append(instance_secret_key(tmp_path))

    threads = [threading.Thread(target=first_start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(keys) == 8
    assert set(keys) == {(tmp_path / "secret_key").read_text()}
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("RETURNS_BUSINESS_HOURS", "18:00-10:00", "RETURNS_BUSINESS_HOURS"),
        ("RETURNS_CLOSED_DAYS", "12/32", "RETURNS_CLOSED_DAYS"),
        ("RETURNS_SLA_FIRST_RESPONSE_BUSINESS_DAYS", "0", "SLA_FIRST_RESPONSE"),
        ("RETURNS_SLA_RESOLUTION_BUSINESS_DAYS", "three", "SLA_RESOLUTION"),
        ("RETURNS_CASE_PRIORITIES", "{", "RETURNS_CASE_PRIORITIES must be JSON"),
        ("RETURNS_CASE_PRIORITIES", '{"critical": []}', "'critical' is not one of"),
        ("RETURNS_CASE_PRIORITIES", '{"urgent": ["colour:red"]}', "signal:value"),
        ("RETURNS_CASE_PRIORITIES", '{"urgent": ["reason:WRONG ITEM"]}', "letters, digits and _"),
        ("RETURNS_SURVEY_SCALE", "stars", "RETURNS_SURVEY_SCALE"),
    ],
)
def test_triage_settings_are_checked(variable: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_environ({variable: value})


def test_triage_settings_defaults() -> None:
    settings = Settings.from_environ({})
    assert settings.sla_first_response_business_days == 1
    assert settings.sla_resolution_business_days == 3
    assert settings.business_hours == "10:00-18:00"
    assert settings.closed_days == "12/29-1/3"
