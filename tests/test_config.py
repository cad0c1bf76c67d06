"""Settings come from the environment and fail loudly on nonsense; production refuses to start without a real
secret. Start-up is tested as gunicorn does it (`import wsgi`) in a fresh process with only the variables given."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from config import config_for
from config.env import ConfigError, env_bool, env_int, env_str
from config.settings import DEV_SECRET

ROOT = Path(__file__).resolve().parent.parent
GOOD_SECRET = "f" * 64


def start(tmp_path, **env) -> subprocess.CompletedProcess:
    """Start the app (`import wsgi`) with exactly these settings and report what it runs with."""
    script = ("import wsgi; c = wsgi.app.config; "
              "print(c['ENV_NAME'], c['SESSION_COOKIE_SECURE'], c['SESSION_COOKIE_HTTPONLY'], "
              "c['SESSION_COOKIE_SAMESITE'], int(c['PERMANENT_SESSION_LIFETIME'].total_seconds()))")
    base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "APHUB_INSTANCE_PATH": str(tmp_path)}
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, env={**base, **env},
                          capture_output=True, text=True, timeout=120)


def production(tmp_path, **overrides) -> dict:
    env = {"APHUB_ENV": "production", "SECRET_KEY": GOOD_SECRET,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}", "REDIS_URL": "redis://127.0.0.1:6399/0"}
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def refused(result: subprocess.CompletedProcess, *words: str) -> bool:
    last_line = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
    return result.returncode != 0 and "ConfigError" in last_line and all(w in last_line for w in words)


def test_production_starts_with_real_settings_and_secure_cookies(tmp_path):
    result = start(tmp_path, **production(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["production", "True", "True", "Lax", "1800"]


@pytest.mark.parametrize("secret, reason", [
    (None, "SECRET_KEY is not set"),
    ("", "SECRET_KEY is not set"),
    (DEV_SECRET, "SECRET_KEY is the development default"),
    ("only-31-characters-long-secret!", "SECRET_KEY is shorter than 32 characters"),
])
def test_production_refuses_a_missing_default_or_short_secret_and_says_why(tmp_path, secret, reason):
    result = start(tmp_path, **production(tmp_path, SECRET_KEY=secret))
    assert refused(result, reason, "production refuses to start"), result.stderr


@pytest.mark.parametrize("missing", ["DATABASE_URL", "REDIS_URL"])
def test_production_needs_its_database_and_redis_named(tmp_path, missing):
    result = start(tmp_path, **production(tmp_path, **{missing: None}))
    assert refused(result, missing, "required in production"), result.stderr


def test_development_starts_on_embedded_defaults(tmp_path):
    result = start(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["development", "False"]


@pytest.mark.parametrize("env, words", [
    ({"APHUB_ENV": "prod"}, ["APHUB_ENV", "'prod'", "production"]),
    ({"SESSION_IDLE_MINUTES": "thirty"}, ["SESSION_IDLE_MINUTES", "whole number", "'thirty'"]),
    ({"SMTP_PORT": "25.5"}, ["SMTP_PORT", "whole number"]),
    ({"HSTS_SECONDS": "-1"}, ["HSTS_SECONDS", "at least 0"]),
    ({"SESSION_COOKIE_SECURE": "maybe"}, ["SESSION_COOKIE_SECURE", "'maybe'"]),
    ({"SMTP_STARTTLS": "2"}, ["SMTP_STARTTLS", "'2'"]),
])
def test_nonsense_in_the_environment_stops_the_start_naming_the_variable(tmp_path, env, words):
    result = start(tmp_path, **production(tmp_path, **env))
    assert refused(result, *words), result.stderr


def test_an_explicit_setting_wins_over_the_default(tmp_path):
    result = start(tmp_path, **production(tmp_path, SESSION_IDLE_MINUTES="10", SESSION_COOKIE_SECURE="off"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["production", "False", "True", "Lax", "600"]


# --- the helpers, in this process ----------------------------------------------------------------------------


def test_env_helpers_read_values_and_defaults(monkeypatch):
    monkeypatch.setenv("APHUB_TEST_INT", "42")
    monkeypatch.setenv("APHUB_TEST_BOOL", "Yes")
    monkeypatch.setenv("APHUB_TEST_EMPTY", "")
    assert env_int("APHUB_TEST_INT", 1) == 42
    assert env_bool("APHUB_TEST_BOOL", False) is True
    assert env_str("APHUB_TEST_EMPTY", "fallback") == "fallback"
    assert env_int("APHUB_TEST_UNSET", 7) == 7
    assert env_bool("APHUB_TEST_UNSET", True) is True


@pytest.mark.parametrize("helper, raw, message", [
    (lambda: env_int("APHUB_TEST_VAR", 1), "ten", "APHUB_TEST_VAR must be a whole number, got 'ten'"),
    (lambda: env_int("APHUB_TEST_VAR", 1, minimum=1), "-3", "APHUB_TEST_VAR must be at least 1, got -3"),
    (lambda: env_bool("APHUB_TEST_VAR", False), "nope", "APHUB_TEST_VAR must be one of"),
])
def test_env_helpers_refuse_nonsense_naming_the_variable(monkeypatch, helper, raw, message):
    monkeypatch.setenv("APHUB_TEST_VAR", raw)
    with pytest.raises(ConfigError) as refused_:
        helper()
    assert message in str(refused_.value)


def test_an_unknown_environment_name_is_refused(monkeypatch):
    monkeypatch.setenv("APHUB_ENV", "staging")
    with pytest.raises(ConfigError, match="APHUB_ENV must be one of"):
        config_for(None)
