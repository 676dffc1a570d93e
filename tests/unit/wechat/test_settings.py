"""WeChat settings: the WECHAT_* names of DESIGN.md, defaults, checks, secrets kept out of
reprs and logs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.channels.wechat.settings import DEFAULT_API_URL, WeChatSettings
from bot.logs import RedactSecrets
from tests.fakes.wechat_api import AES_KEY, APP_ID, APP_SECRET

NAMES = (
    "TOKEN", "APP_ID", "APP_SECRET", "AES_KEY", "API_URL", "PATH", "REMINDER_TEMPLATE_ID",
    "ADMIN_OPENIDS", "REMINDER_TEMPLATE_FIELDS", "REMINDER_URL",
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NAMES:
        monkeypatch.delenv(f"WECHAT_{name}", raising=False)


def test_wechat_settings_defaults_leave_the_channel_off() -> None:
    settings = WeChatSettings(_env_file=None)
    assert not settings.enabled and not settings.safe_mode
    assert settings.api_url == DEFAULT_API_URL == "https://api.weixin.qq.com"
    assert settings.path == "/wechat"
    assert settings.replay_window == 300 and settings.dedupe_ttl == 300
    assert settings.customer_service_window_hours == 48
    assert settings.reply_window == 4.5
    assert settings.secret_values() == []


@pytest.mark.parametrize("window", [0, 5, 30])
def test_wechat_reply_window_stays_inside_wechats_five_seconds(window: float) -> None:
    with pytest.raises(ValidationError):
        WeChatSettings(_env_file=None, reply_window=window)


def test_wechat_settings_read_the_design_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = tmp_path / ".env"
    env.write_text(
        f"WECHAT_TOKEN=push-token-123\nWECHAT_APP_ID={APP_ID}\nWECHAT_APP_SECRET={APP_SECRET}\n"
        f"WECHAT_AES_KEY={AES_KEY}\nWECHAT_API_URL=http://127.0.0.1:9/\n"
        "WECHAT_PATH=/wx/push\nWECHAT_REMINDER_TEMPLATE_ID=tpl-1\n"
    )
    monkeypatch.setenv("WECHAT_SEND_RATE", "5")
    monkeypatch.setenv("WECHAT_ADMIN_OPENIDS", "oAdmin_1, oAdmin-2;")
    settings = WeChatSettings(_env_file=env)
    assert settings.enabled and settings.safe_mode
    assert settings.token is not None and settings.token.get_secret_value() == "push-token-123"
    assert settings.app_id == APP_ID
    assert settings.api_url == "http://127.0.0.1:9"  # the trailing slash dropped
    assert settings.path == "/wx/push"
    assert settings.reminder_template_id == "tpl-1"
    assert settings.send_rate == 5
    assert settings.admin_openids == {"oAdmin_1", "oAdmin-2"}
    shown = repr(settings) + str(settings.model_dump())
    for secret in ("push-token-123", APP_SECRET, AES_KEY):
        assert secret not in shown
    assert set(settings.secret_values()) == {"push-token-123", APP_SECRET, AES_KEY}


def test_wechat_secrets_are_redacted_from_log_records() -> None:
    settings = WeChatSettings(
        _env_file=None, token="push-token-123", app_id=APP_ID, app_secret=APP_SECRET,
        aes_key=AES_KEY,
    )
    redactor = RedactSecrets(settings.secret_values())
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "GET /cgi-bin/token?secret=%s key %s token %s",
        (APP_SECRET, AES_KEY, "push-token-123"), None,
    )
    redactor.filter(record)
    for secret in settings.secret_values():
        assert secret not in record.getMessage()


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ({"aes_key": "short"}, "WECHAT_AES_KEY"),
        ({"aes_key": "!" * 43, "token": "t", "app_id": APP_ID, "app_secret": "s"},
         "WECHAT_AES_KEY"),
        ({"aes_key": AES_KEY}, "needs WECHAT_TOKEN and WECHAT_APP_ID"),
        ({"app_id": APP_ID}, "go together"),
        ({"api_url": "api.weixin.qq.com"}, "WECHAT_API_URL"),
        ({"path": "wechat"}, "WECHAT_PATH"),
        ({"reminder_url": "www.21wecan.com"}, "WECHAT_REMINDER_URL"),
        ({"reminder_template_fields": "first,keyword1,remark"}, "four comma-separated"),
        ({"reminder_template_fields": "a,b,c,d e"}, "four comma-separated"),
        ({"admin_openids": "oA,<b>"}, "WECHAT_ADMIN_OPENIDS"),
    ],
)
def test_wechat_settings_refuse_bad_values(values: dict[str, str], match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        WeChatSettings(_env_file=None, **values)


def test_wechat_blank_values_are_unset() -> None:
    settings = WeChatSettings(_env_file=None, token=" ", app_id="", aes_key="")
    assert settings.token is None and settings.app_id is None and settings.aes_key is None


def test_wechat_template_keys_default_to_a_classic_template_and_may_skip_parts() -> None:
    assert WeChatSettings(_env_file=None).template_keys == (
        "first", "keyword1", "keyword2", "remark"
    )
    settings = WeChatSettings(_env_file=None, reminder_template_fields=" , thing1,time2 ,thing3")
    assert settings.template_keys == ("", "thing1", "time2", "thing3")
    assert WeChatSettings(_env_file=None, reminder_url=" ").reminder_url is None
