"""WeChat settings, read from the environment or `.env` (the `WECHAT_*` names of DESIGN.md).

`WECHAT_TOKEN` signs every push, so anyone holding it can forge one: it is a secret like the
app secret and the AES key, and all three are `SecretStr` (never in a repr or a log line;
`secret_values()` hands them to the log redaction filter, bot/logs.py).
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_API_URL = "https://api.weixin.qq.com"
_OPENID = re.compile(r"[A-Za-z0-9_-]{1,128}")
_FIELD_KEY = re.compile(r"[A-Za-z0-9_]{0,32}")


class WeChatSettings(BaseSettings):
    """The WeChat service account's credentials, endpoint path and pacing."""

    model_config = SettingsConfigDict(
        env_prefix="WECHAT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    token: SecretStr | None = None
    app_id: str | None = None
    app_secret: SecretStr | None = None
    # The EncodingAESKey (43 characters): set, pushes and replies are encrypted (safe mode).
    aes_key: SecretStr | None = None
    api_url: str = DEFAULT_API_URL
    path: str = "/wechat"
    reminder_template_id: str | None = None
    # The template's field keys for, in order: the title, the step, its deadline and the rest
    # (an empty key leaves that part out). The defaults fit a classic "first, keyword1,
    # keyword2, remark" template; a template from the newer library names its own
    # (e.g. ",thing1,time2,thing3"). The link a template message opens: the message's own
    # first link, else this.
    reminder_template_fields: str = "first,keyword1,keyword2,remark"
    reminder_url: str | None = None
    # Administrators who use WeChat, by openid (comma-separated), beside ADMIN_IDS' Telegram
    # ids; staff members are named `wechat:<openid>` in /staff.
    admin_openids: Annotated[frozenset[str], NoDecode] = frozenset()

    # The push endpoint. WeChat waits 5 s for an answer and then pushes the same message
    # again (three tries in all), so a push older than the replay window is refused and one
    # seen within the dedupe TTL is handled once. Pushes are a few hundred bytes.
    replay_window: float = Field(default=300.0, gt=0)
    dedupe_ttl: float = Field(default=300.0, gt=0)
    max_body: int = Field(default=64 * 1024, ge=1024)
    # What the handlers send within this many seconds of a push is its passive reply (WeChat
    # waits 5 s); whatever comes later goes out as customer-service messages.
    reply_window: float = Field(default=4.5, gt=0, lt=5)

    # Sending, per WeChat's published limits: customer-service messages only within 48 hours
    # of the user's last message to the account (45015 after that), a daily call quota per
    # API (45009 once spent: 500,000 customer-service calls, 100,000 template messages for an
    # ordinary account), and no documented per-second cap, so a cautious global pace.
    send_rate: float = Field(default=20.0, gt=0, le=1000)
    customer_service_window_hours: float = Field(default=48.0, gt=0, le=48)
    custom_daily_quota: int = Field(default=500_000, ge=1)
    template_daily_quota: int = Field(default=100_000, ge=1)
    # An access token is refreshed this long before WeChat says it expires (7200 s).
    token_refresh_margin: float = Field(default=300.0, ge=0)
    request_timeout: float = Field(default=10.0, gt=0)

    @field_validator(
        "token", "app_id", "app_secret", "aes_key", "reminder_template_id", "reminder_url",
        mode="before",
    )
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @field_validator("admin_openids", mode="before")
    @classmethod
    def _parse_admin_openids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = {p.strip() for p in value.replace(";", ",").split(",") if p.strip()}
            if not all(_OPENID.fullmatch(p) for p in parts):
                raise ValueError("WECHAT_ADMIN_OPENIDS must be comma-separated openids")
            return frozenset(parts)
        return value

    @field_validator("api_url", "reminder_url")
    @classmethod
    def _check_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            name = f"WECHAT_{str(info.field_name).upper()}"
            raise ValueError(f"{name} must be an absolute http:// or https:// URL")
        return value.rstrip("/") if info.field_name == "api_url" else value

    @field_validator("reminder_template_fields")
    @classmethod
    def _check_template_fields(cls, value: str) -> str:
        keys = [key.strip() for key in value.split(",")]
        if len(keys) != 4 or not all(_FIELD_KEY.fullmatch(key) for key in keys):
            raise ValueError(
                "WECHAT_REMINDER_TEMPLATE_FIELDS must be four comma-separated template keys "
                "(title, step, deadline, rest; empty to leave one out)"
            )
        return ",".join(keys)

    @field_validator("path")
    @classmethod
    def _check_path(cls, value: str) -> str:
        if not value.startswith("/") or any(c in value for c in "?# "):
            raise ValueError("WECHAT_PATH must be a URL path such as /wechat")
        return value

    @field_validator("aes_key")
    @classmethod
    def _check_aes_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        key = value.get_secret_value()
        try:
            decoded = base64.b64decode(key + "=", validate=True)
        except (binascii.Error, ValueError):
            decoded = b""
        if len(key) != 43 or len(decoded) != 32:
            raise ValueError(
                "WECHAT_AES_KEY must be the 43-character EncodingAESKey from the WeChat "
                "admin console"
            )
        return value

    @model_validator(mode="after")
    def _check_complete(self) -> WeChatSettings:
        if self.aes_key is not None and (self.token is None or self.app_id is None):
            raise ValueError("WECHAT_AES_KEY (safe mode) needs WECHAT_TOKEN and WECHAT_APP_ID")
        if (self.app_id is None) != (self.app_secret is None):
            raise ValueError("WECHAT_APP_ID and WECHAT_APP_SECRET go together")
        return self

    @property
    def enabled(self) -> bool:
        """Whether the channel is configured (DESIGN.md: WECHAT_APP_ID turns it on)."""
        return self.app_id is not None

    @property
    def template_keys(self) -> tuple[str, str, str, str]:
        """The template's keys for the title, the step, the deadline and the rest."""
        title, step, deadline, rest = self.reminder_template_fields.split(",")
        return title, step, deadline, rest

    @property
    def safe_mode(self) -> bool:
        return self.aes_key is not None

    def secret_values(self) -> list[str]:
        """The secrets to keep out of every log line (for `bot.logs.configure_logging`)."""
        return [s.get_secret_value() for s in (self.token, self.app_secret, self.aes_key) if s]
