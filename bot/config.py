"""Settings, read from the environment or `.env` (names fixed by DESIGN.md)."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from notices import SHANGHAI

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/bot.db"


class Settings(BaseSettings):
    """Every knob of the assistant; built once by the entry point and passed down."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    telegram_api_url: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    notices_dir: Path | None = None
    # Start the process's clock here (Asia/Shanghai when no zone is given); it runs forward.
    bot_clock: datetime | None = None

    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"
    webhook_port: int = Field(default=8080, ge=1, le=65535)

    log_level: str = "INFO"

    # Reminders (scheduler/): pacing, quiet hours, caps and ticks. Times are Asia/Shanghai.
    reminders: bool = True
    quiet_hours_start: time = time(22, 0)
    quiet_hours_end: time = time(8, 0)
    reminder_morning: time = time(9, 0)
    send_rate: float = Field(default=25.0, gt=0, le=1000)
    per_chat_interval: float = Field(default=1.0, ge=0)
    daily_reminder_cap: int = Field(default=3, ge=1)
    planner_interval: float = Field(default=300.0, gt=0)
    sender_interval: float = Field(default=2.0, gt=0)
    outbox_lease: float = Field(default=120.0, gt=0)
    send_timeout: float = Field(default=15.0, gt=0)
    send_max_attempts: int = Field(default=5, ge=1)
    sender_concurrency: int = Field(default=32, ge=1)
    # Finished reminders are deleted this long after their last change, once their moment
    # has passed (scheduler.service.ReminderService.purge).
    outbox_retention_days: int = Field(default=30, ge=1)
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    redis_prefix: str = "exam-bot"  # namespace of the shared rate-limit keys

    @field_validator("bot_token", "webhook_secret", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("telegram_api_url", "webhook_url", "redis_url", mode="before")
    @classmethod
    def _blank_str_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",")]
            try:
                return frozenset(int(p) for p in parts if p)
            except ValueError:
                raise ValueError("ADMIN_IDS must be comma-separated Telegram user ids") from None
        return value

    @field_validator("bot_clock", mode="before")
    @classmethod
    def _parse_bot_clock(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(
                    "BOT_CLOCK must be a date and time such as 2024-01-29T09:30"
                ) from None
        if isinstance(value, datetime) and value.tzinfo is None:
            return value.replace(tzinfo=SHANGHAI)
        return value

    @field_validator("webhook_url", "telegram_api_url")
    @classmethod
    def _check_http_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                name = str(info.field_name).upper()
                raise ValueError(f"{name} must be an absolute http:// or https:// URL")
        return value

    @field_validator("log_level")
    @classmethod
    def _check_log_level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return value.upper()

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        if value is not None:
            parts = urlsplit(value)
            if parts.scheme not in ("redis", "rediss", "unix") or not (parts.netloc or parts.path):
                raise ValueError("REDIS_URL must look like redis://host:6379/0")
        return value

    @property
    def webhook_path(self) -> str:
        """Return the path the webhook server listens on: the path of WEBHOOK_URL."""
        if self.webhook_url is None:
            return "/webhook"
        return urlsplit(self.webhook_url).path or "/"
