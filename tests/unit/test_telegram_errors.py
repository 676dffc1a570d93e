"""The one classifier of Bot API refusals, for both Telegram deliveries."""

from __future__ import annotations

import pytest
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import SendMessage

from bot.channels.telegram_delivery import classify, classify_error
from scheduler.delivery import Outcome

METHOD = SendMessage(chat_id=1, text="提醒")


def test_classify_flood_control_is_retry_after_with_telegrams_wait() -> None:
    result = classify(429, "Too Many Requests: retry after 7", retry_after=7)
    assert (result.outcome, result.retry_after) == (Outcome.RETRY_AFTER, 7.0)
    assert classify(429, "Too Many Requests").retry_after == 1.0  # no wait given: a second


def test_classify_forbidden_is_blocked() -> None:
    result = classify(403, "Forbidden: bot was blocked by the user")
    assert result.outcome is Outcome.BLOCKED and result.outcome.unreachable


@pytest.mark.parametrize(
    ("code", "description"),
    [
        (400, "Bad Request: chat not found"),
        (400, "Bad Request: PEER_ID_INVALID"),
        (404, "Not Found: user not found"),
        (400, "Bad Request: user is deactivated"),
    ],
)
def test_classify_a_gone_chat_is_chat_not_found(code: int, description: str) -> None:
    assert classify(code, description).outcome is Outcome.CHAT_NOT_FOUND


@pytest.mark.parametrize(
    ("code", "description"),
    [(400, "Bad Request: can't parse entities"), (409, "Conflict"), (None, "odd")],
)
def test_classify_any_other_refusal_is_a_bad_request(code: int | None, description: str) -> None:
    result = classify(code, description)
    assert result.outcome is Outcome.BAD_REQUEST and not result.outcome.transient
    assert result.detail == description


@pytest.mark.parametrize("code", [500, 502, 504])
def test_classify_5xx_is_a_server_error_to_retry(code: int) -> None:
    result = classify(code, "Internal Server Error")
    assert result.outcome is Outcome.SERVER_ERROR and result.outcome.transient


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (TelegramRetryAfter(METHOD, "Too Many Requests", 3), Outcome.RETRY_AFTER),
        (TelegramForbiddenError(METHOD, "Forbidden: bot was blocked by the user"),
         Outcome.BLOCKED),
        (TelegramBadRequest(METHOD, "Bad Request: chat not found"), Outcome.CHAT_NOT_FOUND),
        (TelegramNotFound(METHOD, "Not Found: user not found"), Outcome.CHAT_NOT_FOUND),
        (TelegramBadRequest(METHOD, "Bad Request: message is too long"), Outcome.BAD_REQUEST),
        (TelegramConflictError(METHOD, "Conflict"), Outcome.BAD_REQUEST),
        (TelegramServerError(METHOD, "Bad Gateway"), Outcome.SERVER_ERROR),
        (TelegramNetworkError(METHOD, "Request timeout error"), Outcome.NETWORK),
    ],
)
def test_classify_error_agrees_with_the_answer_it_was_raised_for(
    error: TelegramAPIError, outcome: Outcome
) -> None:
    result = classify_error(error)
    assert result.outcome is outcome
    assert result.detail == error.message
    if outcome is Outcome.RETRY_AFTER:
        assert result.retry_after == 3.0
