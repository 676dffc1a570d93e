"""WeChat delivery for the outbox sender: the one place where WeChat send errors are caught
and classified.

A WeChat user's internal id is negative; `recipient(user_id)` (injected) gives their openid
and when they last wrote to the account. Within `customer_service_window_hours` of that, the
message goes as a customer-service text (Telegram HTML converted: links kept, buttons as
numbered lines or links, bot/channels/wechat/text.py). Outside it, or when WeChat refuses the
customer-service message (45015 out of the window, 45047 its per-window message count spent,
45002 too long), a template message (WECHAT_REMINDER_TEMPLATE_ID) carries a summary and a
link; see `template_fields` for how the summary is read from the text.

What each refusal means for the sender (scheduler/delivery.py Outcome):

- unknown recipient → CHAT_NOT_FOUND; 43004 (unfollowed) → BLOCKED; 40003 (no such openid)
  → CHAT_NOT_FOUND: the candidate cannot be reached any more;
- 45009 (the account's daily quota of that API is spent) → RETRY_AFTER until the quota comes
  back at the next midnight, Beijing time: the sender pauses every send for that long;
- 5xx, -1 (system busy), timeouts, network errors, no access token, a fresh token refused
  again → transient;
- outside the window with no template configured → BAD_REQUEST: nothing this channel can
  do reaches that user until they write again, so the row is dead-lettered (not retried,
  and the candidate is not marked blocked: they may come back);
- anything else (a malformed message, a wrong template) → BAD_REQUEST.

40001/42001 never reach here: WeChatAPI refreshes the token and retries once.

Pacing: every WeChat call takes a slot of the delivery's own limiter at WECHAT_SEND_RATE (in
Redis when given, for every process), on top of the sender's limiter (see `wechat_limiter`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from redis.asyncio import Redis

from bot.channels.wechat.api import (
    WeChatAPI,
    WeChatAPIError,
    WeChatError,
    WeChatHTTPError,
    WeChatNetworkError,
    WeChatTimeout,
)
from bot.channels.wechat.settings import WeChatSettings
from bot.channels.wechat.text import Choice, first_link, to_plain_text, to_wechat_text
from bot.channels.wechat.token import STALE_TOKEN_CODES, AccessTokenError
from bot.clock import Clock, utc_clock
from bot.reminders import next_morning
from scheduler.delivery import DeliveryResult, Outcome, Outgoing
from scheduler.limiter import MemoryRateLimiter, RateLimiter, RedisRateLimiter

logger = logging.getLogger(__name__)

# The customer-service message was refused, but a template message may still reach the user.
CS_REFUSED = frozenset({45015, 45047, 45002})
UNFOLLOWED = 43004
NO_SUCH_USER = 40003
QUOTA_SPENT = 45009
SYSTEM_BUSY = -1
# After 45009 every send pauses this long (the issue: the whole sender pauses), and then only
# WeChat's messages wait for midnight, when the daily quotas come back: Telegram's, sharing
# the sender in a process serving both, go on.
SENDER_QUOTA_PAUSE = 60.0
# A template keyword of the "thing" kind holds 20 characters; the rest field more.
KEYWORD_LIMIT = 20
REST_LIMIT = 200
_DATE = re.compile(r"(?:\d{4}年)?\d{1,2}月\d{1,2}日|\d{1,2} [A-Z][a-z]{2}(?: \d{4})?")


@dataclass(frozen=True, slots=True)
class Recipient:
    """Whom a WeChat user id stands for: the openid, and when they last wrote to the
    account (None: unknown, taken as outside the customer-service window)."""

    openid: str
    last_seen: datetime | None = None


RecipientLookup = Callable[[int], Awaitable[Recipient | None]]
# Told the callback choices a customer-service message numbered, so that a reply "2" can be
# read as the second button (the reply bridge keeps them).
ChoicesShown = Callable[[int, Sequence[Choice]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class TemplateFields:
    """What a template message says, read from an Outgoing's text and buttons."""

    title: str
    step: str
    deadline: str
    rest: str
    url: str | None

    def data(self, keys: tuple[str, str, str, str]) -> dict[str, str]:
        """Return the template's data under `keys` (title, step, deadline, rest)."""
        values = (self.title, self.step, self.deadline, self.rest)
        return {key: value for key, value in zip(keys, values, strict=True) if key and value}


def template_fields(message: Outgoing, *, default_url: str | None = None) -> TemplateFields:
    """Read a template message's parts from a message meant for a chat.

    A reminder carries its summary (the step, its deadline, its link), which is used as it
    is; for other messages (a broadcast) the parts are read from the text.

    The first line is the title ("⏰ 报考提醒"), the next the step (a digest's first step
    name, a broadcast's first line), the line after it its deadline (the date it names when
    it names one: "还剩 3 天截止（2月8日）…" gives "2月8日"), the rest the remainder. The link
    is the first link button, else the text's first link, else `default_url`. Keywords are
    cut to 20 characters, the rest to 200, each cut marked with "…".
    """
    lines = [line.strip() for line in to_plain_text(message.text).splitlines() if line.strip()]
    lines += [""] * (3 - len(lines))
    title, step, deadline_line = lines[:3]
    date = _DATE.search(deadline_line)
    url = next((b.url for row in message.buttons for b in row if b.url), None)
    deadline = date.group(0) if date else deadline_line
    rest = lines[3:]
    summary = message.summary
    if summary is not None:  # a reminder says what it is about: no reading needed
        step, deadline, url = summary.step, summary.deadline, summary.url or url
        rest = lines[1:]
    return TemplateFields(
        title=_cut(title, KEYWORD_LIMIT),
        step=_cut(step, KEYWORD_LIMIT),
        deadline=_cut(deadline, KEYWORD_LIMIT),
        rest=_cut(" ".join(rest), REST_LIMIT),
        url=url or first_link(message.text) or default_url,
    )


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def choices_of(message: Outgoing) -> list[Choice]:
    """The message's buttons, row by row, as WeChat text choices."""
    return [Choice(b.text, data=b.data, url=b.url) for row in message.buttons for b in row]


def wechat_limiter(
    settings: WeChatSettings, *, redis: Redis | None = None, prefix: str = "exam-bot"
) -> RateLimiter:
    """The pace of WeChat sends (WECHAT_SEND_RATE): shared through Redis when given. No
    per-user spacing here: the sender's limiter spaces each chat already."""
    if redis is not None:
        return RedisRateLimiter(
            redis, settings.send_rate, per_chat_interval=0.0, prefix=f"{prefix}:wechat-send"
        )
    return MemoryRateLimiter(settings.send_rate, per_chat_interval=0.0)


class WeChatDelivery:
    """Deliver Outgoing messages to WeChat users, one attempt (and at most one template
    fallback) per call; never raises."""

    def __init__(
        self,
        api: WeChatAPI,
        recipient: RecipientLookup,
        *,
        limiter: RateLimiter | None = None,
        clock: Clock = utc_clock,
        choices_shown: ChoicesShown | None = None,
    ) -> None:
        self.api = api
        self.settings = api.settings
        self.recipient = recipient
        self.limiter = limiter or wechat_limiter(api.settings)
        self.clock = clock
        self.choices_shown = choices_shown
        self.window = timedelta(hours=self.settings.customer_service_window_hours)
        self._quota_back: datetime | None = None  # 45009 seen: no WeChat send until then

    async def close(self) -> None:
        """Close the API client and the limiter."""
        await self.api.close()
        await self.limiter.close()

    async def deliver(self, message: Outgoing) -> DeliveryResult:
        """Send once and classify the answer."""
        if message.chat_id >= 0:
            # A routing mistake, not a user who left: do not mark the candidate blocked.
            return DeliveryResult(Outcome.BAD_REQUEST, detail="not a WeChat user id")
        try:
            person = await self.recipient(message.chat_id)
        except Exception as exc:  # the lookup's database: try again later
            logger.exception("wechat: recipient lookup failed")
            detail = f"recipient lookup: {type(exc).__name__}"
            return DeliveryResult(Outcome.NETWORK, detail=detail)
        if person is None:
            return DeliveryResult(Outcome.CHAT_NOT_FOUND, detail="no WeChat user for this id")
        now = self.clock()
        if self._quota_back is not None and now < self._quota_back:
            # Not sent: the row comes back when the quota does (a try, not a failure).
            wait = (self._quota_back - now).total_seconds()
            return DeliveryResult(Outcome.SERVER_ERROR, wait, "WeChat's daily quota is spent")
        try:
            return await self._send(message, person)
        except Exception as exc:  # a bug: report it, never take the sender down
            logger.exception("wechat: delivery failed unexpectedly")
            return DeliveryResult(Outcome.BAD_REQUEST, detail=type(exc).__name__)

    async def _send(self, message: Outgoing, person: Recipient) -> DeliveryResult:
        if self._in_window(person):
            choices = choices_of(message)
            try:
                await self._paced(message.chat_id)
                await self.api.send_text(person.openid, to_wechat_text(message.text, choices))
            except WeChatAPIError as exc:
                if exc.errcode not in CS_REFUSED:
                    return self.classify(exc)
                logger.info("wechat: customer-service message refused (%d); sending a "
                            "template message", exc.errcode)
            except (WeChatError, AccessTokenError) as exc:
                return self.classify(exc)
            else:
                if self.choices_shown is not None and any(c.data for c in choices):
                    await self.choices_shown(message.chat_id, choices)
                return DeliveryResult(Outcome.OK)
        return await self._send_template(message, person)

    async def _send_template(self, message: Outgoing, person: Recipient) -> DeliveryResult:
        template_id = self.settings.reminder_template_id
        if template_id is None:
            return DeliveryResult(
                Outcome.BAD_REQUEST,
                detail="outside the customer-service window and no "
                       "WECHAT_REMINDER_TEMPLATE_ID: cannot reach the user until they write",
            )
        fields = template_fields(message, default_url=self.settings.reminder_url)
        try:
            await self._paced(message.chat_id)
            msgid = await self.api.send_template(
                person.openid, template_id, fields.data(self.settings.template_keys), fields.url
            )
        except (WeChatError, AccessTokenError) as exc:
            return self.classify(exc)
        return DeliveryResult(Outcome.OK, detail="template", message_id=msgid)

    def _in_window(self, person: Recipient) -> bool:
        if person.last_seen is None:
            return False
        return self.clock() - person.last_seen < self.window

    async def _paced(self, user_id: int) -> None:
        await self.limiter.acquire(user_id)
        await self.limiter.admit(user_id)

    def classify(self, exc: WeChatError | AccessTokenError) -> DeliveryResult:
        """Turn a failed WeChat call into a delivery outcome: the one place that decides
        what a refusal means for the sender."""
        if isinstance(exc, WeChatTimeout):
            return DeliveryResult(Outcome.TIMEOUT, detail=str(exc))
        if isinstance(exc, WeChatNetworkError):
            return DeliveryResult(Outcome.NETWORK, detail=str(exc))
        if isinstance(exc, AccessTokenError):
            return DeliveryResult(Outcome.SERVER_ERROR, detail=f"no access token: {exc}")
        if isinstance(exc, WeChatHTTPError):
            outcome = Outcome.SERVER_ERROR if exc.status >= 500 else Outcome.BAD_REQUEST
            return DeliveryResult(outcome, detail=str(exc))
        if not isinstance(exc, WeChatAPIError):
            return DeliveryResult(Outcome.BAD_REQUEST, detail=str(exc))
        code = exc.errcode
        if code == UNFOLLOWED:
            return DeliveryResult(Outcome.BLOCKED, detail=str(exc))
        if code == NO_SUCH_USER:
            return DeliveryResult(Outcome.CHAT_NOT_FOUND, detail=str(exc))
        if code == QUOTA_SPENT:
            now = self.clock()
            self._quota_back = next_morning(now, time(0, 0))
            return DeliveryResult(Outcome.RETRY_AFTER, SENDER_QUOTA_PAUSE, str(exc))
        if code == SYSTEM_BUSY or code in STALE_TOKEN_CODES:
            # A fresh token refused too: another process is refreshing; try again later.
            return DeliveryResult(Outcome.SERVER_ERROR, detail=str(exc))
        return DeliveryResult(Outcome.BAD_REQUEST, detail=str(exc))

