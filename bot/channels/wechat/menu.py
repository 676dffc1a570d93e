"""The account's custom menu (自定义菜单): Telegram's command menu (handlers/menu.py) as
WeChat buttons, set at start.

WeChat allows at most 3 top-level buttons of at most 5 sub-buttons each; a title holds 16
bytes, a sub-button's 60, a key 128. Each entry is a CLICK button whose key is the command's
name ("todo"), so a tap arrives as a `click` push that runs that command. Titles come from
bot/locales/<locale>/wechat.yaml; the account's audience reads Chinese, so the menu set at
start is the Chinese one.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.channels.wechat.api import WeChatAPI, WeChatError
from bot.channels.wechat.token import AccessTokenError
from bot.texts import Locale, Texts

logger = logging.getLogger(__name__)

MAX_GROUPS = 3
MAX_ENTRIES = 5
MAX_GROUP_TITLE = 16  # bytes
MAX_ENTRY_TITLE = 60  # bytes
MAX_KEY = 128  # bytes
# Each group's title label and its commands: every command of Telegram's menu
# (handlers.menu.MENU_COMMANDS), once.
MENU_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("wechat_menu_progress", ("todo", "deadlines", "calendar", "profile")),
    ("wechat_menu_reminders", ("stop", "resume")),
    ("wechat_menu_settings", ("start", "region", "lang", "help")),
)


class MenuTooLarge(ValueError):
    """The menu breaks one of WeChat's limits (WeChat would refuse it)."""


def build_menu(
    texts: Texts,
    locale: Locale,
    groups: tuple[tuple[str, tuple[str, ...]], ...] = MENU_GROUPS,
) -> dict[str, Any]:
    """Return the body of `/cgi-bin/menu/create`: one button per group, a CLICK sub-button
    per command keyed by its name; raise MenuTooLarge past WeChat's limits."""
    if len(groups) > MAX_GROUPS:
        raise MenuTooLarge(f"{len(groups)} top-level buttons; WeChat allows {MAX_GROUPS}")
    buttons: list[dict[str, Any]] = []
    for title_key, commands in groups:
        if not 1 <= len(commands) <= MAX_ENTRIES:
            raise MenuTooLarge(f"{title_key}: {len(commands)} entries; 1 to {MAX_ENTRIES} fit")
        entries = [
            {"type": "click", "name": _fit(texts.label(locale, f"wechat_menu_{name}"),
                                           MAX_ENTRY_TITLE),
             "key": _fit(name, MAX_KEY)}
            for name in commands
        ]
        title = _fit(texts.label(locale, title_key), MAX_GROUP_TITLE)
        buttons.append({"name": title, "sub_button": entries})
    return {"button": buttons}


def _fit(text: str, limit: int) -> str:
    if not text or len(text.encode()) > limit:
        raise MenuTooLarge(f"{text!r} is empty or longer than {limit} bytes")
    return text


async def create_menu(api: WeChatAPI, texts: Texts, locale: Locale = "zh") -> bool:
    """Set the account's menu; return False (logged) when WeChat refuses: the commands work
    typed all the same."""
    menu = build_menu(texts, locale)
    try:
        await api.create_menu(menu["button"])
    except (WeChatError, AccessTokenError) as exc:
        logger.warning("wechat: the menu was not set (%s)", exc)
        return False
    logger.info("wechat: menu set (%d groups)", len(menu["button"]))
    return True

