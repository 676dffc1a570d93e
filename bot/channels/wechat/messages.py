"""What a WeChat push says, as a typed value the rest of the channel can rely on.

wechatpy parses the XML (`parse_message`); this module turns its untyped objects into a
`WeChatMessage`, checks signatures in constant time, and renders passive replies.

Every push becomes a message, so the handler decides what the user reads: `text`,
`subscribe` (a follow, QR-scene follows included: the scene is the `event_key`),
`unsubscribe` and `click` (a menu button's key) are the kinds the assistant understands;
anything else (image, voice, video, location, link, other events) is `unsupported`, its raw
type in `msg_type`, so the handler can answer "please write your question as text".
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, replace
from typing import Any, Literal
from xml.parsers.expat import ExpatError

import xmltodict
from wechatpy import parse_message
from wechatpy.replies import TextReply

MessageKind = Literal["text", "subscribe", "unsubscribe", "click", "unsupported"]

# WeChat never sends a DTD; refusing one up front keeps entity tricks (billion laughs,
# external entities) away from the XML parser.
_FORBIDDEN = (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype", b"<!entity")
# OpenIDs and original ids (gh_...) are short base64url-like strings; anything else would
# end up inside the reply's XML.
_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")


class MalformedPush(ValueError):
    """The body is not a WeChat push: not XML, a DTD, or required fields missing."""


@dataclass(frozen=True)
class WeChatMessage:
    """One push from a user to the account."""

    kind: MessageKind
    openid: str  # FromUserName: the user, per account
    account: str  # ToUserName: the account's original id (gh_...)
    created: int  # CreateTime, Unix seconds
    msg_type: str  # MsgType, and for events "event:<event>", lower case
    text: str = ""  # the text of a `text` message
    event_key: str = ""  # a `click`'s key, a `subscribe`'s QR scene
    msg_id: int | None = None  # MsgId (messages only; events have none)

    @property
    def dedupe_key(self) -> str:
        """What identifies a push across WeChat's retries: MsgId for messages,
        FromUserName and CreateTime for events (WeChat's own advice)."""
        if self.msg_id:
            return f"msg:{self.msg_id}"
        return f"event:{self.openid}:{self.created}:{self.msg_type}"


def signature(*parts: str) -> str:
    """WeChat's signature: SHA-1 of the parts sorted and joined."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def signature_ok(given: str | None, *parts: str) -> bool:
    """Compare a pushed signature with the expected one in constant time."""
    if not given:
        return False
    return hmac.compare_digest(given.encode(), signature(*parts).encode())


def forbid_dtd(body: bytes) -> None:
    """Refuse a body with a DTD before any XML parser sees it."""
    if any(marker in body for marker in _FORBIDDEN):
        raise MalformedPush("a DTD in the body")


def parse_encrypted(body: bytes) -> str:
    """Return the `Encrypt` field of a safe-mode push."""
    forbid_dtd(body)
    try:
        encrypt = xmltodict.parse(body)["xml"]["Encrypt"]
    except (ExpatError, ValueError, KeyError, TypeError):
        raise MalformedPush("no Encrypt field") from None
    if not isinstance(encrypt, str) or not encrypt:
        raise MalformedPush("no Encrypt field")
    return encrypt


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def parse(xml: bytes | str) -> tuple[WeChatMessage, Any]:
    """Parse a push's XML; return the typed message and wechatpy's own (for the reply)."""
    raw = xml.encode() if isinstance(xml, str) else xml
    forbid_dtd(raw)
    try:
        parsed = parse_message(raw.decode("utf-8"))
        data: dict[str, Any] = parsed._data
    except (ExpatError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise MalformedPush(type(exc).__name__) from None
    if parsed is None or not isinstance(data, dict):
        raise MalformedPush("empty")
    openid, account = _text(data.get("FromUserName")), _text(data.get("ToUserName"))
    msg_type = _text(data.get("MsgType")).lower()
    try:
        created = int(_text(data.get("CreateTime")))
        msg_id = int(_text(data["MsgId"])) if "MsgId" in data else None
    except ValueError:
        raise MalformedPush("CreateTime or MsgId is no number") from None
    if not msg_type:
        raise MalformedPush("MsgType missing")
    if not _ID.fullmatch(openid) or not _ID.fullmatch(account):
        raise MalformedPush("FromUserName or ToUserName missing or not an id")
    event = _text(data.get("Event")).lower() if msg_type == "event" else ""
    full_type = f"event:{event}" if event else msg_type
    message = WeChatMessage(
        kind="unsupported", openid=openid, account=account, created=created,
        msg_type=full_type, msg_id=msg_id,
    )
    if msg_type == "text":
        return replace(message, kind="text", text=_text(data.get("Content"))), parsed
    if event in ("subscribe", "subscribe_scan"):
        # wechatpy renames a QR-scene follow to subscribe_scan and strips "qrscene_"
        key = _text(data.get("EventKey"))
        followed = replace(message, kind="subscribe", msg_type="event:subscribe", event_key=key)
        return followed, parsed
    if event == "unsubscribe":
        return replace(message, kind="unsubscribe"), parsed
    if event == "click":
        return replace(message, kind="click", event_key=_text(data.get("EventKey"))), parsed
    return message, parsed


def render_reply(text: str, original: Any, created: int) -> str:
    """The passive text reply to `original` (wechatpy's parsed message), as XML.

    wechatpy puts the text in a CDATA section as it is; a `]]>` in it (a user's words
    quoted back, say) would close the section and let the rest be read as XML, so it is
    split across two sections."""
    safe = text.replace("]]>", "]]]]><![CDATA[>")
    return str(TextReply(message=original, content=safe, time=created).render())
