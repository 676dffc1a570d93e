"""/broadcast: a guided flow (regions, audience, message, preview, send or schedule) and stop.

Every step re-checks the sender's role and regions: callback data and FSM data are never
trusted on their own.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock, now_from
from bot.knowledge import Knowledge
from bot.staff.broadcasts import (
    AUDIENCE_ALL,
    BroadcastRepo,
    NoRecipients,
    launch,
    may_stop,
    render_for,
)
from bot.staff.roles import AuditRepo, StaffRole
from bot.staff.sandbox import MAX_SOURCE, TemplateRefused
from bot.staff.schedule import parse_send_time, time_example
from bot.texts import LOCALES, Locale, Texts
from handlers.staff.common import StaffFilter, ordered_codes, region_names
from handlers.staff.progress import (
    BroadcastAction,
    Edit,
    apply_edit,
    progress_text,
    send_progress,
)
from notices import STEP_ORDER

ALL_MINE = "*"
AUDIENCES = (AUDIENCE_ALL, *(str(s) for s in STEP_ORDER))


class BroadcastStates(StatesGroup):
    region = State()
    audience = State()
    message = State()
    confirm = State()
    when = State()


def _keyboard(buttons: list[tuple[str, BroadcastAction]], width: int = 2) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for text, data in buttons:
        builder.button(text=text, callback_data=data)
    builder.adjust(width)
    return builder.as_markup()


def _audience_label(texts: Texts, locale: Locale, knowledge: Knowledge, audience: str) -> str:
    if audience == AUDIENCE_ALL:
        return texts.label(locale, "staff_aud_all")
    plan = {str(p.step): p for p in knowledge.kb.plan(None, None)}[audience]
    return texts.label(locale, "staff_aud_open").format(step=plan.name(locale))


async def cmd_broadcast(
    message: Message, command: CommandObject, state: FSMContext, bot: Bot,
    session: AsyncSession, staff: StaffRole, knowledge: Knowledge, texts: Texts,
    locale: Locale, clock: Clock | None = None,
) -> None:
    """Start the broadcast flow: first the region, from one's own regions only."""
    if (command.args or "").strip().split()[:1] == ["cancel"]:
        await cancel_broadcast(message, state, bot=bot, session=session, staff=staff,
                               knowledge=knowledge, texts=texts, locale=locale,
                               now=now_from(clock))
        return
    await state.clear()
    await state.set_state(BroadcastStates.region)
    codes = ordered_codes(knowledge.kb, staff.regions)
    names = region_names(knowledge.kb, codes, locale)
    buttons = [(name, BroadcastAction(action="region", value=code))
               for code, name in zip(codes, names, strict=True)]
    if len(codes) > 1:
        label = texts.label(locale, "staff_all_my_regions")
        buttons.insert(0, (label, BroadcastAction(action="region", value=ALL_MINE)))
    buttons.append((texts.label(locale, "staff_drop"), BroadcastAction(action="drop")))
    await message.answer(texts.render("staff/broadcast_regions", locale),
                         reply_markup=_keyboard(buttons, width=3))


async def on_region(
    query: CallbackQuery, callback_data: BroadcastAction, state: FSMContext, staff: StaffRole,
    knowledge: Knowledge, texts: Texts, locale: Locale,
) -> None:
    """Take the region (one's own only), then ask for the audience."""
    value = callback_data.value
    regions = sorted(staff.regions) if value == ALL_MINE else [value]
    if await state.get_state() != BroadcastStates.region or not staff.may_act_for(regions):
        await query.answer(texts.render("staff/forbidden", locale), show_alert=True)
        return
    await state.update_data(regions=ordered_codes(knowledge.kb, regions))
    await state.set_state(BroadcastStates.audience)
    await query.answer()
    buttons = [(_audience_label(texts, locale, knowledge, a),
                BroadcastAction(action="aud", value=a)) for a in AUDIENCES]
    names = region_names(knowledge.kb, regions, locale)
    if query.message is not None:
        await query.message.answer(texts.render("staff/broadcast_audience", locale, regions=names),
                                   reply_markup=_keyboard(buttons, width=3))


async def on_audience(
    query: CallbackQuery, callback_data: BroadcastAction, state: FSMContext, staff: StaffRole,
    texts: Texts, locale: Locale,
) -> None:
    """Take the audience, then ask for the message."""
    regions = (await state.get_data()).get("regions", [])
    if (await state.get_state() != BroadcastStates.audience or callback_data.value not in AUDIENCES
            or not staff.may_act_for(regions)):
        await query.answer(texts.render("staff/forbidden", locale), show_alert=True)
        return
    await state.update_data(audience=callback_data.value)
    await state.set_state(BroadcastStates.message)
    await query.answer()
    if query.message is not None:
        await query.message.answer(
            texts.render("staff/broadcast_message", locale, max_source=MAX_SOURCE)
        )


async def process_message(
    message: Message, state: FSMContext, session: AsyncSession, staff: StaffRole,
    knowledge: Knowledge, texts: Texts, locale: Locale, clock: Clock | None = None,
) -> None:
    """Check and preview the message for a sample recipient, with the audience count."""
    data = await state.get_data()
    regions, audience, source = data.get("regions", []), data.get("audience", ""), message.text
    if not staff.may_act_for(regions) or source is None:
        await message.answer(texts.render("staff/forbidden", locale))
        return
    repo = BroadcastRepo(session)
    sample = (await repo.recipients(regions, audience))[:1]
    region, sample_locale = (
        (sample[0].region, sample[0].locale) if sample else (regions[0], locale)
    )
    try:
        preview = await render_for(source, kb=knowledge.kb, region=region, locale=sample_locale,
                                   now=now_from(clock), unknown=texts.label(sample_locale,
                                                                            "staff_unknown_date"))
    except TemplateRefused as exc:
        await message.answer(texts.render("staff/template_refused", locale, code=exc.code,
                                          detail=exc.detail, line=exc.line))
        return
    draft = uuid.uuid4().hex
    await state.update_data(template=source, draft=draft)
    await state.set_state(BroadcastStates.confirm)
    name = region_names(knowledge.kb, [region], locale)[0]
    head = texts.render("staff/broadcast_preview_head", locale, region=name,
                        sample_locale=sample_locale)
    await message.answer(f"{head}\n\n{preview}")
    await message.answer(texts.render(
        "staff/broadcast_preview", locale, regions=region_names(knowledge.kb, regions, locale),
        audience=_audience_label(texts, locale, knowledge, audience),
        count=await repo.count(regions, audience),
    ), reply_markup=_keyboard([
        (texts.label(locale, "staff_send_now"), BroadcastAction(action="send", value=draft)),
        (texts.label(locale, "staff_send_later"), BroadcastAction(action="later", value=draft)),
        (texts.label(locale, "staff_drop"), BroadcastAction(action="drop")),
    ], width=3))


async def _is_draft(state: FSMContext, data: dict[str, Any], action: BroadcastAction) -> bool:
    return await state.get_state() == BroadcastStates.confirm and data.get("draft") == action.value


async def on_send(
    query: CallbackQuery, callback_data: BroadcastAction, state: FSMContext, bot: Bot,
    session: AsyncSession, staff: StaffRole, knowledge: Knowledge, texts: Texts,
    locale: Locale, clock: Clock | None = None,
) -> None:
    """Send the confirmed draft now."""
    data = await state.get_data()
    if not await _is_draft(state, data, callback_data):
        await query.answer(texts.render("staff/broadcast_stale", locale), show_alert=True)
        return
    await query.answer()
    await start(query.from_user.id, data, bot=bot, state=state, session=session, staff=staff,
                knowledge=knowledge, texts=texts, locale=locale, now=now_from(clock), send_at=None)


async def on_later(
    query: CallbackQuery, callback_data: BroadcastAction, state: FSMContext,
    texts: Texts, locale: Locale, clock: Clock | None = None,
) -> None:
    """Ask when to send the confirmed draft."""
    data = await state.get_data()
    if not await _is_draft(state, data, callback_data):
        await query.answer(texts.render("staff/broadcast_stale", locale), show_alert=True)
        return
    await state.set_state(BroadcastStates.when)
    await query.answer()
    if query.message is not None:
        example = time_example(now_from(clock))
        await query.message.answer(texts.render("staff/broadcast_when", locale, example=example))


async def process_when(
    message: Message, state: FSMContext, bot: Bot, session: AsyncSession, staff: StaffRole,
    knowledge: Knowledge, texts: Texts, locale: Locale, clock: Clock | None = None,
) -> None:
    """Schedule the draft for the time given (Beijing time)."""
    assert message.from_user is not None
    now = now_from(clock)
    send_at = parse_send_time(message.text or "", now=now)
    if send_at is None:
        example = time_example(now)
        await message.answer(texts.render("staff/broadcast_time_bad", locale, example=example))
        return
    await start(message.from_user.id, await state.get_data(), bot=bot, state=state,
                session=session, staff=staff, knowledge=knowledge, texts=texts, locale=locale,
                now=now, send_at=send_at)


async def start(
    chat_id: int, data: dict[str, Any], *, bot: Bot, state: FSMContext,
    session: AsyncSession, staff: StaffRole, knowledge: Knowledge, texts: Texts, locale: Locale,
    now: datetime, send_at: datetime | None,
) -> None:
    """Create the broadcast and its progress message; the job edits it from then on."""
    regions = [str(r) for r in data.get("regions", [])]
    if not staff.may_act_for(regions):
        await state.clear()
        await bot.send_message(chat_id, texts.render("staff/forbidden", locale))
        return
    try:
        broadcast = await launch(
            session, kb=knowledge.kb, draft_key=str(data["draft"]), staff_id=staff.user_id,
            regions=regions, audience=str(data["audience"]), template=str(data["template"]),
            send_at=send_at or now, chat_id=chat_id, locale=locale, now=now,
            unknown={lc: texts.label(lc, "staff_unknown_date") for lc in LOCALES},
        )
    except TemplateRefused as exc:
        await bot.send_message(chat_id, texts.render(
            "staff/template_refused", locale, code=exc.code, detail=exc.detail, line=exc.line))
        return
    except NoRecipients:
        await state.clear()
        await bot.send_message(chat_id, texts.render("staff/broadcast_empty", locale))
        return
    # The draft is kept until here: a failure before this point loses nothing.
    await state.clear()
    if broadcast is None:
        await bot.send_message(chat_id, texts.render("staff/broadcast_stale", locale))
        return
    await send_progress(bot, session, broadcast, texts=texts, knowledge=knowledge, now=now)


async def on_drop(
    query: CallbackQuery, state: FSMContext, texts: Texts, locale: Locale
) -> None:
    """Give up the draft: nothing is sent."""
    await state.clear()
    await query.answer()
    if query.message is not None:
        await query.message.answer(texts.render("staff/broadcast_dropped", locale))


async def on_stop(
    query: CallbackQuery, callback_data: BroadcastAction, bot: Bot, session: AsyncSession,
    staff: StaffRole, knowledge: Knowledge, texts: Texts, locale: Locale,
    clock: Clock | None = None,
) -> None:
    """Stop a broadcast under way from its progress message."""
    repo = BroadcastRepo(session)
    broadcast = await repo.get(int(callback_data.value)) if callback_data.value.isdigit() else None
    if broadcast is None or not may_stop(broadcast, staff):
        await query.answer(texts.render("staff/forbidden", locale), show_alert=True)
        return
    await query.answer()
    await stop_one(broadcast.id, bot=bot, session=session, staff=staff, knowledge=knowledge,
                   texts=texts, locale=locale, now=now_from(clock), chat_id=query.from_user.id)


async def cancel_broadcast(
    message: Message, state: FSMContext, *, bot: Bot, session: AsyncSession, staff: StaffRole,
    knowledge: Knowledge, texts: Texts, locale: Locale, now: datetime,
) -> None:
    """`/broadcast cancel`: drop a draft in progress, else stop one's broadcasts under way."""
    if await state.get_state() is not None:
        await state.clear()
        await message.answer(texts.render("staff/broadcast_dropped", locale))
        return
    active = [b for b in await BroadcastRepo(session).active() if may_stop(b, staff)]
    if not active:
        await message.answer(texts.render("staff/broadcast_none", locale))
        return
    for broadcast in active:
        await stop_one(broadcast.id, bot=bot, session=session, staff=staff, knowledge=knowledge,
                       texts=texts, locale=locale, now=now, chat_id=message.chat.id)


async def stop_one(
    broadcast_id: int, *, bot: Bot, session: AsyncSession, staff: StaffRole,
    knowledge: Knowledge, texts: Texts, locale: Locale, now: datetime, chat_id: int,
) -> None:
    """Cancel a broadcast's copies not yet sent, close its progress message, audit it."""
    repo = BroadcastRepo(session)
    broadcast = await repo.get(broadcast_id)
    if broadcast is None or broadcast.state not in ("scheduled", "sending"):
        await bot.send_message(chat_id, texts.render("staff/broadcast_none", locale))
        return
    cancelled = await repo.cancel(broadcast, now=now)
    await AuditRepo(session).record(staff.user_id, "broadcast_stop", now=now,
                                    regions=broadcast.regions, recipients=cancelled,
                                    detail=f"broadcast {broadcast.id}")
    text = progress_text(broadcast, await repo.progress(broadcast), texts=texts,
                         knowledge=knowledge, now=now)
    broadcast.progress_text = text
    if broadcast.progress_message_id is not None:
        await apply_edit(bot, Edit(broadcast.chat_id, broadcast.progress_message_id, text, None))
    await bot.send_message(chat_id, texts.render(
        "staff/broadcast_stopped", locale, id=broadcast.id, cancelled=cancelled))


def create_router() -> Router:
    router = Router(name="staff_broadcast")
    staff = StaffFilter()
    router.message.register(cmd_broadcast, Command("broadcast"), staff)
    router.message.register(process_message, StateFilter(BroadcastStates.message), F.text,
                            ~F.text.startswith("/"), staff)
    router.message.register(process_when, StateFilter(BroadcastStates.when), F.text,
                            ~F.text.startswith("/"), staff)
    cb = router.callback_query
    cb.register(on_region, BroadcastAction.filter(F.action == "region"), staff)
    cb.register(on_audience, BroadcastAction.filter(F.action == "aud"), staff)
    cb.register(on_send, BroadcastAction.filter(F.action == "send"), staff)
    cb.register(on_later, BroadcastAction.filter(F.action == "later"), staff)
    cb.register(on_drop, BroadcastAction.filter(F.action == "drop"), staff)
    cb.register(on_stop, BroadcastAction.filter(F.action == "stop"), staff)
    return router
