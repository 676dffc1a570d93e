"""Telegram HTML and buttons as WeChat text."""

from __future__ import annotations

from bot.channels.wechat.text import (
    MESSAGE_BYTES,
    Choice,
    first_link,
    split_bytes,
    to_plain_text,
    to_wechat_text,
)


def test_tags_dropped_entities_unescaped() -> None:
    assert to_wechat_text("<b>缴费</b> &lt;1月29日&gt; &amp; <code>/todo</code>") == (
        "缴费 <1月29日> & /todo"
    )


def test_links_kept_as_wechat_links() -> None:
    text = 'see <a href="https://www.21wecan.com/?a=1&amp;b=2"><b>中国卫生人才网</b></a>'
    assert to_wechat_text(text) == (
        'see <a href="https://www.21wecan.com/?a=1&amp;b=2">中国卫生人才网</a>'
    )


def test_a_link_label_cannot_smuggle_markup() -> None:
    text = '<a href="https://x.test/">&lt;a href="evil"&gt;</a>'
    assert to_wechat_text(text) == '<a href="https://x.test/">&lt;a href="evil"&gt;</a>'


def test_quote_lines_marked() -> None:
    assert to_wechat_text("原文：<blockquote>第一行\n第二行</blockquote>") == (
        "原文：｜第一行\n｜第二行"
    )


def test_callback_buttons_numbered_links_kept() -> None:
    choices = [
        Choice("北京", data="region:beijing"),
        Choice("官网", url="https://www.21wecan.com/"),
        Choice("上海", data="region:shanghai"),
    ]
    assert to_wechat_text("选择考区：", choices) == (
        '选择考区：\n1. 北京\n<a href="https://www.21wecan.com/">官网</a>\n2. 上海'
    )


def test_blank_runs_collapse_and_empty_stays_empty() -> None:
    assert to_wechat_text("a\n\n\n\nb") == "a\n\nb"
    assert to_wechat_text("") == ""


def test_split_bytes_short_text_is_one_piece() -> None:
    assert split_bytes("  一段话\n第二行 ") == ["一段话\n第二行"]
    assert split_bytes(" \n ") == []


def test_split_bytes_prefers_paragraphs_then_lines_then_characters() -> None:
    assert split_bytes("aa\n\nbb\ncc", 5) == ["aa", "bb\ncc"]
    assert split_bytes("aa\nbb\ncc", 5) == ["aa\nbb", "cc"]
    assert split_bytes("中文中文中文", 7) == ["中文", "中文", "中文"]  # 3 bytes a character


def test_split_bytes_keeps_every_character_within_the_limit() -> None:
    text = "\n\n".join(f"第{i}段\n" + "考" * (i * 50) for i in range(1, 30))
    pieces = split_bytes(text)
    assert all(len(piece.encode()) <= MESSAGE_BYTES for piece in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")

def test_plain_text_keeps_link_labels_only() -> None:
    text = '<b>缴费</b> 见<a href="https://www.21wecan.com/">官网</a> &amp; <i>注意</i>\n\n\n\n完'
    assert to_plain_text(text) == "缴费 见官网 & 注意\n\n完"


def test_first_link_is_unescaped_or_none() -> None:
    assert first_link('a <a href="https://x.test/?a=1&amp;b=2">x</a> <a href="https://y">y</a>') \
        == "https://x.test/?a=1&b=2"
    assert first_link("<b>no link</b>") is None
