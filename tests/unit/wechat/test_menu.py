"""The custom menu: Telegram's menu commands as CLICK buttons within WeChat's limits."""

from __future__ import annotations

import pytest

from bot.channels.wechat.menu import (
    MAX_ENTRIES,
    MAX_ENTRY_TITLE,
    MAX_GROUP_TITLE,
    MAX_GROUPS,
    MENU_GROUPS,
    MenuTooLarge,
    build_menu,
)
from bot.texts import LOCALES, Locale, Texts
from handlers.menu import MENU_COMMANDS

TEXTS = Texts()


@pytest.mark.parametrize("locale", LOCALES)
def test_menu_keeps_wechat_limits(locale: Locale) -> None:
    buttons = build_menu(TEXTS, locale)["button"]
    assert 1 <= len(buttons) <= MAX_GROUPS
    for group in buttons:
        assert 0 < len(group["name"].encode()) <= MAX_GROUP_TITLE
        assert 1 <= len(group["sub_button"]) <= MAX_ENTRIES
        for entry in group["sub_button"]:
            assert entry["type"] == "click"
            assert 0 < len(entry["name"].encode()) <= MAX_ENTRY_TITLE


def test_menu_offers_each_telegram_menu_command_once_keyed_by_name() -> None:
    keys = [e["key"] for g in build_menu(TEXTS, "zh")["button"] for e in g["sub_button"]]
    assert sorted(keys) == sorted(MENU_COMMANDS)


def test_menu_titles_are_the_chinese_labels() -> None:
    [progress, reminders, _settings] = build_menu(TEXTS, "zh")["button"]
    assert progress["name"] == "我的进度"
    assert progress["sub_button"][0] == {"type": "click", "name": "我的待办", "key": "todo"}
    assert [e["name"] for e in reminders["sub_button"]] == ["暂停提醒", "恢复提醒"]


def test_menu_past_wechat_limits_is_refused() -> None:
    with pytest.raises(MenuTooLarge, match="top-level"):
        build_menu(TEXTS, "zh", (*MENU_GROUPS, ("wechat_menu_settings", ("help",))))
    with pytest.raises(MenuTooLarge, match="entries"):
        build_menu(TEXTS, "zh", (("wechat_menu_progress", MENU_COMMANDS[:6]),))
    texts = Texts()
    texts.labels("zh")["wechat_menu_progress"] = "我的报考进度"  # 18 bytes: over 16
    with pytest.raises(MenuTooLarge, match="bytes"):
        build_menu(texts, "zh")
