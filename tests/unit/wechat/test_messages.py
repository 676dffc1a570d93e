"""Pushes as typed messages: signatures, each kind, the dedupe key, malformed bodies."""

from __future__ import annotations

import hashlib

import pytest

from bot.channels.wechat.messages import (
    MalformedPush,
    parse,
    parse_encrypted,
    render_reply,
    signature,
    signature_ok,
)
from tests.fakes.wechat_api import ACCOUNT, PushClient

T = 1_706_500_000
push = PushClient()


def test_signature_is_sha1_of_the_sorted_parts() -> None:
    # WeChat's documented example: sort token, timestamp, nonce, join, SHA-1
    expected = hashlib.sha1(b"".join(sorted([b"tok", b"1409735669", b"nonce1"]))).hexdigest()
    assert signature("tok", "1409735669", "nonce1") == expected
    assert signature_ok(expected, "nonce1", "tok", "1409735669")
    assert not signature_ok(expected.upper(), "tok", "1409735669", "nonce1")
    assert not signature_ok("", "tok", "1409735669", "nonce1")
    assert not signature_ok(None, "tok", "1409735669", "nonce1")


def test_parse_text_message() -> None:
    message, original = parse(push.text("o-user", "缴费什么时候？", T, msg_id=42))
    assert (message.kind, message.openid, message.account) == ("text", "o-user", ACCOUNT)
    assert (message.text, message.created, message.msg_id) == ("缴费什么时候？", T, 42)
    assert message.msg_type == "text" and message.dedupe_key == "msg:42"
    assert original.content == "缴费什么时候？"


@pytest.mark.parametrize(
    ("event", "key", "kind", "event_key"),
    [
        ("subscribe", None, "subscribe", ""),
        ("subscribe", "qrscene_beijing", "subscribe", "beijing"),
        ("unsubscribe", None, "unsubscribe", ""),
        ("CLICK", "TODO", "click", "TODO"),
        ("VIEW", "https://example.invalid", "unsupported", "https://example.invalid"),
    ],
)
def test_parse_events(event: str, key: str | None, kind: str, event_key: str) -> None:
    message, _ = parse(push.event("o-user", event, T, key))
    assert message.kind == kind
    if kind != "unsupported":
        assert message.event_key == event_key
    assert message.msg_id is None
    assert message.dedupe_key == f"event:o-user:{T}:{message.msg_type}"


def test_parse_unknown_message_types_as_unsupported() -> None:
    image, _ = parse(push.image("o-user", T))
    assert (image.kind, image.msg_type) == ("unsupported", "image")
    voice, _ = parse(push.xml("o-user", "voice", T, MediaId="m", Format="amr", MsgId=7))
    location, _ = parse(push.xml("o-user", "location", T, Location_X="39.9", MsgId=8))
    assert [voice.msg_type, location.msg_type] == ["voice", "location"]
    assert voice.kind == location.kind == "unsupported"


@pytest.mark.adversarial("webhook")
@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not xml at all",
        b'{"MsgType": "text"}',
        b"<xml><ToUserName>a</ToUserName>",  # cut short
        b"<root><MsgType>text</MsgType></root>",  # another root
        b"<xml><ToUserName>a</ToUserName><CreateTime>1</CreateTime></xml>",  # no MsgType
        push.xml("", "text", T, Content="x", MsgId=1).encode(),  # no sender
        push.xml("o", "text", T, Content="x", MsgId="abc").encode(),  # MsgId no number
        push.xml("o]]><x>", "text", T, Content="x", MsgId=1).encode(),  # an id with markup
        b"<xml><MsgType><a>1</a></MsgType></xml>",  # a nested MsgType
        b"\xff\xfe<xml/>",  # not UTF-8
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
        b"<xml><MsgType>&b;</MsgType></xml>",  # entity expansion
        b'<!DOCTYPE x SYSTEM "file:///etc/passwd"><xml/>',  # an external DTD
    ],
)
def test_parse_refuses_malformed_bodies(body: bytes) -> None:
    with pytest.raises(MalformedPush):
        parse(body)


@pytest.mark.adversarial("webhook")
@pytest.mark.parametrize(
    "body",
    [b"<xml><ToUserName>a</ToUserName></xml>", b"<xml><Encrypt></Encrypt></xml>", b"junk",
     b"<!DOCTYPE x><xml><Encrypt>abc</Encrypt></xml>"],
)
def test_parse_encrypted_refuses_envelopes_without_a_payload(body: bytes) -> None:
    with pytest.raises(MalformedPush):
        parse_encrypted(body)


def test_render_reply_answers_the_sender_from_the_account() -> None:
    _, original = parse(push.text("o-user", "hi", T))
    reply = push.read_reply(render_reply("你好 <b>&", original, T + 1))
    assert reply["ToUserName"] == "o-user" and reply["FromUserName"] == ACCOUNT
    assert reply["MsgType"] == "text" and reply["Content"] == "你好 <b>&"
    assert reply["CreateTime"] == str(T + 1)


@pytest.mark.adversarial("webhook")
def test_render_reply_keeps_cdata_terminators_in_the_text() -> None:
    _, original = parse(push.text("o-user", "hi", T))
    text = "]]></Content><MsgType>news</MsgType><Content><![CDATA[x"
    reply = push.read_reply(render_reply(text, original, T))
    assert reply["Content"] == text and reply["MsgType"] == "text"
