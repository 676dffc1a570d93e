"""Turn the knowledge base's structured facts into template context, per locale."""

from __future__ import annotations

from typing import Any

from bot.texts import Locale
from notices import Answer, Entry, StepPlan, TodoItem, WindowStatus
from notices.models import OfficialSite


def plan_context(plan: StepPlan, status: WindowStatus | None, locale: Locale) -> dict[str, Any]:
    """Describe one step for a candidate: its window, where today falls, what if missed."""
    window = plan.window
    return {
        "step": plan.step.value,
        "regional": plan.mode != "all",
        "name": plan.name(locale),
        "note": plan.note(locale),
        "heads_up": plan.heads_up(locale),
        "consequence": plan.consequence(locale) or "",
        "window": None
        if window is None
        else {
            "label": window.label(locale),
            "start": window.start,
            "end": window.end,
            "days": list(window.days),
        },
        "status": None
        if status is None
        else {
            "state": status.state,
            "days_left": status.days_left,
            "days_until_open": status.days_until_open,
            "is_first_day": status.is_first_day,
            "is_last_day": status.is_last_day,
            "today": status.today,
            "next_day": status.next_day,
        },
        "link": plan.link,
    }


def todo_context(item: TodoItem, locale: Locale) -> dict[str, Any]:
    """Describe one to-do item: the step plan plus whether it is ready or past."""
    return {**plan_context(item.plan, item.status, locale), "ready": item.ready, "past": item.past}


def site_context(site: OfficialSite, locale: Locale) -> dict[str, str]:
    return {
        "name": site.name(locale),
        "url": site.url,
        "wechat": site.wechat(locale),
    }


def entry_context(entry: Entry, locale: Locale) -> dict[str, Any]:
    """Describe a knowledge entry: its answer, topic and the notice passages it rests on."""
    return {
        "id": entry.id,
        "topic": entry.topic(locale),
        "text": entry.answer(locale),
        "section": entry.section,
        "sources": list(entry.source),
        "links": list(entry.links),
        "on_change": entry.on_change,
    }


def answer_context(
    answer: Answer, locale: Locale, local_authority: str, year: int
) -> dict[str, Any]:
    """Build everything an answer template may show: the direct answer first, then its basis."""
    region = answer.region
    name = None if region is None else region.name(locale)
    focus = shared = verdict = None
    asked = answer.reading.asked_as if answer.reading else "when"
    if answer.focus is not None:
        focus = {
            **plan_context(answer.focus.plan, answer.focus.status, locale),
            "aspect": asked,
            "timed": answer.focus.timed,
            "after_entry": answer.focus.after_entry,
        }
    if answer.shared is not None:
        part = answer.shared
        shared = {
            **plan_context(part.plan, part.status, locale),
            "aspect": asked,
            "label": part.listed.label(locale) if part.listed else "",
            "local": [r.name(locale) for r in part.local],
            "partial": [
                r.name(locale) + ("" if locale == "zh" else " ") + rule.exception(locale)
                for r, rule in part.partial
            ],
        }
    if answer.verdict is not None:
        v = answer.verdict
        verdict = {
            **plan_context(v.plan, v.status, locale),
            "region": v.region.name(locale),
            "label": v.rule.label(locale),
            "included": v.included,
            "exception": v.own.exception(locale) if v.own else "",
            "changed": v.changed,
            "counter": v.counter,
            "excepted": v.own.exception_cues[0] if v.excepted and v.own else "",
        }
    statuses = [s for s in (focus, shared, verdict) if s is not None]
    ended = answer.cycle_over and any(
        s["status"] is not None and s["status"]["state"] == "closed" for s in statuses
    )
    return {
        "kind": answer.kind.value,
        "entry": entry_context(answer.entry, locale) if answer.entry else None,
        "also": entry_context(answer.also, locale) if answer.also else None,
        "suggestions": [entry_context(e, locale) for e in answer.suggestions],
        "region": name,
        "region_from": answer.region_from,
        "focus": focus,
        "shared": shared,
        "verdict": verdict,
        "next_steps": [todo_context(item, locale) for item in answer.next_steps],
        "progress": answer.entry is not None and answer.entry.next_steps,
        "listed": None
        if answer.listed is None
        else {
            "label": answer.listed.rule.label(locale),
            "regions": [r.name(locale) for r in answer.listed.regions],
            "asked_in": [
                r.name(locale) + ("" if own is None else (
                    f"（{own.exception(locale)}）" if locale == "zh"
                    else f" ({own.exception(locale)})"))
                for r, on, own in answer.listed.asked if on],
            "asked_out": [r.name(locale) for r, on, _ in answer.listed.asked if not on],
        },
        "progress_unknown": answer.progress_unknown,
        # The steps still to do first, each with its window where the notice dates it and
        # whether that window has closed.
        "missing": [todo_context(item, locale) for item in answer.missing],
        "offer_regions": answer.offer_regions,
        "greeting": answer.greeting,
        "thanks": answer.thanks,
        "ended": ended,
        "year": year,
        "today": answer.today,
        "site": site_context(answer.site, locale),
        "local_authority": local_authority,
    }

