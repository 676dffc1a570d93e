"""Turn claimed outbox rows into messages: one digest per candidate, in their language."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.db.outbox import ClaimedMessage
from bot.reminders import action_data
from bot.texts import Locale, Texts, format_date, resolve_locale, split_message
from notices import KnowledgeBase, Step, StepPlan, local_date
from scheduler.delivery import Button, Outgoing, Summary

# A digest's text in chunks, the buttons under its last chunk, and its summary.
_Rendered = tuple[tuple[str, ...], tuple[tuple[Button, ...], ...], Summary | None]


@dataclass(frozen=True, slots=True)
class Recipient:
    """What composing needs to know about a candidate (no personal data)."""

    user_id: int
    language: str | None
    region: str | None
    returning: bool | None


class Composer:
    """Render reminder digests and broadcast copies as Outgoing messages."""

    def __init__(
        self, texts: Texts, kb: Callable[[], KnowledgeBase], *, cache_size: int = 1024
    ) -> None:
        self.texts = texts
        self.kb = kb
        # A wave sends the same digest to everyone of a region, stage and language: render
        # each once. Keyed by what the text depends on; emptied when the base is replaced.
        self.cache_size = cache_size
        self._cache: dict[tuple[Any, ...], _Rendered] = {}
        self._cache_kb: KnowledgeBase | None = None

    def compose(
        self, recipient: Recipient, rows: Sequence[ClaimedMessage], now: datetime
    ) -> list[Outgoing]:
        """Return the message(s) for one candidate's rows of one kind (split when long)."""
        if rows[0].kind != "reminder":
            payload = rows[0].payload or {}
            return [
                Outgoing(recipient.user_id, chunk)
                for chunk in split_message(str(payload.get("text", "")))
            ]
        return self._digest(recipient, rows, now)

    def _digest(
        self, recipient: Recipient, rows: Sequence[ClaimedMessage], now: datetime
    ) -> list[Outgoing]:
        kb = self.kb()
        if kb is not self._cache_kb:
            self._cache.clear()
            self._cache_kb = kb
        locale: Locale = resolve_locale(recipient.language, None)
        key = (
            locale, recipient.region, recipient.returning, local_date(now),
            tuple((row.step, row.occasion, row.event_date) for row in rows),
        )
        rendered = self._cache.get(key)
        if rendered is None:
            rendered = self._render(kb, recipient, rows, locale, now)
            if len(self._cache) >= self.cache_size:
                del self._cache[next(iter(self._cache))]  # the oldest
            self._cache[key] = rendered
        chunks, buttons, summary = rendered
        last = len(chunks) - 1
        return [
            Outgoing(recipient.user_id, chunk, buttons if i == last else (),
                     summary if i == last else None)
            for i, chunk in enumerate(chunks)
        ]

    def _render(
        self,
        kb: KnowledgeBase,
        recipient: Recipient,
        rows: Sequence[ClaimedMessage],
        locale: Locale,
        now: datetime,
    ) -> _Rendered:
        try:
            plans = {p.step.value: p for p in kb.plan(recipient.region, recipient.returning)}
        except KeyError:
            plans = {p.step.value: p for p in kb.plan(None, recipient.returning)}
        items = [self._item(plans, row, locale, now) for row in rows]
        site = kb.cycle.official_site
        text = self.texts.render(
            "reminders/digest", locale, items=items, site_url=site.url,
            site_name=site.name(locale),
        )
        steps = list(dict.fromkeys(row.step for row in rows if row.step))
        buttons: list[tuple[Button, ...]] = []
        for step in steps:
            name = _short_name(plans.get(step), step, locale)
            buttons.append(
                (
                    Button(self.texts.label(locale, "rem_done").format(step=name),
                           data=action_data("done", step)),
                    Button(self.texts.label(locale, "rem_snooze"),
                           data=action_data("snooze", step)),
                )
            )
        buttons.append((Button(self.texts.label(locale, "rem_site"), url=site.url),))
        first = items[0] if items else None
        summary = None
        if first is not None:
            end = first["end"]
            deadline = first["window_label"] or (format_date(end, locale) if end else "")
            summary = Summary(first["name"], deadline, first["link"] or site.url)
        return tuple(split_message(text)), tuple(buttons), summary

    def _item(
        self, plans: dict[str, StepPlan], row: ClaimedMessage, locale: Locale, now: datetime
    ) -> dict[str, Any]:
        plan = plans.get(row.step or "")
        window = plan.window if plan else None
        today = local_date(now)
        return {
            "name": _short_name(plan, row.step or "", locale),
            # Without a window (or a date for "eve") only the plain wording fits.
            "occasion": row.occasion if window and row.event_date else "other",
            "event_date": row.event_date,
            "window_label": window.label(locale) if window else "",
            "end": window.end if window else row.event_date,
            "days_left": (window.end - today).days if window else None,
            "consequence": plan.consequence(locale) if plan else None,
            "link": plan.link if plan else None,
        }


def _short_name(plan: StepPlan | None, step: str, locale: Locale) -> str:
    if plan is None:
        return Step(step).value if step in Step.__members__.values() else step
    return plan.name(locale)
