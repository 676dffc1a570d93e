"""Settings: names from DESIGN.md, `.env`, friendly parsing."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import DEFAULT_DATABASE_URL, Settings


def test_settings_defaults_without_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BOT_TOKEN", "DATABASE_URL", "ADMIN_IDS", "WEBHOOK_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)
    assert settings.bot_token is None
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.admin_ids == frozenset()


def test_settings_read_env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    env = tmp_path / ".env"
    env.write_text("BOT_TOKEN=1:abc\nADMIN_IDS=1, 2,3\nWEBHOOK_URL=https://x.org/tg/hook\n")
    settings = Settings(_env_file=env)
    assert settings.bot_token is not None
    assert settings.bot_token.get_secret_value() == "1:abc"
    assert "1:abc" not in repr(settings)
    assert settings.admin_ids == {1, 2, 3}
    assert settings.webhook_path == "/tg/hook"


def test_settings_blank_token_means_terminal_chat() -> None:
    assert Settings(_env_file=None, bot_token="  ").bot_token is None


def test_settings_reject_bad_admin_ids() -> None:
    with pytest.raises(ValidationError, match="ADMIN_IDS"):
        Settings(_env_file=None, admin_ids="1,bob")


def test_settings_reject_relative_webhook_url() -> None:
    with pytest.raises(ValidationError, match="WEBHOOK_URL"):
        Settings(_env_file=None, webhook_url="tg/hook")
