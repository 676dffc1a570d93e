"""What is kept of a question for staff carries no password, ID number or e-mail address."""

from __future__ import annotations

import pytest

from bot.db.repo import redact


@pytest.mark.parametrize(
    ("question", "gone", "kept"),
    [
        ("你能帮我登录我的账号吗 密码123456", "123456", "密码"),
        ("我的密码是abc12345 登不上", "abc12345", "登不上"),
        ("password: Hunter2!x can't log in", "Hunter2!x", "can't log in"),
        ("身份证号 110101199003071234 填错了", "110101199003071234", "填错了"),
        ("my mail is zhang.san@example.com", "zhang.san@example.com", "my mail"),
    ],
)
def test_redact_removes_secrets_and_identifiers(question: str, gone: str, kept: str) -> None:
    text = redact(question)
    assert gone not in text and kept in text


def test_redact_keeps_words_after_the_word_password() -> None:
    assert redact("密码忘了怎么办") == "密码忘了怎么办"


def test_redact_keeps_plain_words_after_password() -> None:
    assert redact("my password is wrong") == "my password is wrong"
    assert "Hunter2" not in redact("my password is Hunter2!x")
