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

from bot.staff.broadcasts import (
    AUDIENCE_ALL,
    BroadcastRepo,
    BroadcastRequest,
    NoRecipients,
    launch,
    may_stop,
    render_for,
)
from bot.staff.roles import AuditRepo, StaffRole
from bot.staff.sandbox import MAX_SOURCE, TemplateRefused
from bot.staff.schedule import parse_send_time, time_example
from bot.texts import LOCALES, Locale
from handlers.reply import Reply
from handlers.staff.broadcast_progress import (
    BroadcastAction,
    Edit,
    apply_edit,
    progress_text,
    send_progress,
)
from handlers.staff.common import StaffContext, StaffFilter, ordered_codes, region_names
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


def _audience_label(reply: Reply, audience: str) -> str:
    if audience == AUDIENCE_ALL:
        return reply.label("staff_aud_all")
    plan = {str(p.step): p for p in reply.kb.plan(None, None)}[audience]
    return reply.label("staff_aud_open").format(step=plan.name(reply.locale))


async def cmd_broadcast(
    message: Message, command: CommandObject, state: FSMContext, bot: Bot,
    session: AsyncSession, staff: StaffRole, reply: Reply, now: datetime,
) -> None:
    """Start the broadcast flow: first the region, from one's own regions only."""
    if (command.args or "").strip().split()[:1] == ["cancel"]:
        await cancel_broadcast(StaffContext(bot, session, staff, reply, now), message, state)
        return
    await state.clear()
    await state.set_state(BroadcastStates.region)
    codes = ordered_codes(reply.kb, staff.regions)
    names = region_names(reply.kb, codes, reply.locale)
    buttons = [(name, BroadcastAction(action="region", value=code))
               for code, name in zip(codes, names, strict=True)]
    if len(codes) > 1:
        label = reply.label("staff_all_my_regions")
        buttons.insert(0, (label, BroadcastAction(action="region", value=ALL_MINE)))
    buttons.append((reply.label("staff_drop"), BroadcastAction(action="drop")))
    await message.answer(reply.render("staff/broadcast_regions"),
                         reply_markup=_keyboard(buttons, width=3))


async def on_region(
    query: CallbackQuery, callback_data: BroadcastAction, state: FSMContext, staff: StaffRole,
    reply: Reply,
) -> None:
    """Take the region (one's own only), then ask for the audience."""
    value = callback_data.value
    regions = sorted(staff.regions) if value == ALL_MINE else [value]
    if await state.get_state() != BroadcastStates.region or not staff.may_act_for(regions):
        await query.answer(reply.render("staff/forbidden"), show_alert=True)
        return
    await state.update_data(regions=ordered_codes(reply.kb, regions))
    await state.set_state(BroadcastStates.audience)
    await query.answer()
    buttons = [(_audience_label(reply, a), BroadcastAction(action="aud", value=a))
               for a in AUDIENCES]
    names = region_names(reply.kb, regions, reply.locale)
    if query.message is not None:
        await query.message.answer(reply.render("staff/broadcast_audience", regions=names),
                                   reply_markup=_keyboard(buttons, width=3))


async def on_audience(
    query: CallbackQuery, callback_data: BroadcastAction, state: FSMContext, staff: StaffRole,
    reply: Reply,
) -> None:
    """Take the audience, then ask for the message."""
    regions = (await state.get_data()).get("regions", [])
    if (await state.get_state() != BroadcastStates.audience or callback_data.value not in AUDIENCES
            or not staff.may_act_for(regions)):
        await query.answer(reply.render("staff/forbidden"), show_alert=True)
        return
    await state.update_data(audience=callback_data.value)
    await state.set_state(BroadcastStates.message)
    await query.answer()
    if query.message is not None:
        await query.message.answer(reply.render("staff/broadcast_message", max_source=MAX_SOURCE))


async def process_message(
    message: Message, state: FSMContext, session: AsyncSession, staff: StaffRole,
    reply: Reply, now: datetime,
) -> None:
    """Check and preview the message for a sample recipient, with the audience count."""
    data = await state.get_data()
    regions, audience, source = data.get("regions", []), data.get("audience", ""), message.text
    if not staff.may_act_for(regions) or source is None:
        await message.answer(reply.render("staff/forbidden"))
        return
    repo, kb = BroadcastRepo(session), reply.kb
    sample = (await repo.recipients(regions, audience))[:1]
    region, sample_locale = (
        (sample[0].region, sample[0].locale) if sample else (regions[0], reply.locale)
    )
    try:
        preview = await render_for(source, kb=kb, region=region, locale=sample_locale, now=now,
                                   unknown=reply.to(sample_locale).label("staff_unknown_date"))
    except TemplateRefused as exc:
        await message.answer(reply.render("staff/template_refused", code=exc.code,
                                          detail=exc.detail, line=exc.line))
        return
    draft = uuid.uuid4().hex
    await state.update_data(template=source, draft=draft)
    await state.set_state(BroadcastStates.confirm)
    name = region_names(kb, [region], reply.locale)[0]
    head = reply.render("staff/broadcast_preview_head", region=name, sample_locale=sample_locale)
    await message.answer(f"{head}\n\n{preview}")
    await message.answer(reply.render(
        "staff/broadcast_preview", regions=region_names(kb, regions, reply.locale),
        audience=_audience_label(reply, audience), count=await repo.count(regions, audience),
    ), reply_markup=_keyboard([
        (reply.label("staff_send_now"), BroadcastAction(action="send", value=draft)),
        (reply.label("staff_send_later"), BroadcastAction(action="later", value=draft)),
        (reply.label("staff_drop"), BroadcastAction(action="drop")),
    ], width=3))


async def _is_draft(state: FSMContext, data: dict[str, Any], action: BroadcastAction) -> bool:
    return await state.get_state() == BroadcastStates.confirm and data.get("draft") == action.value


async def on_send(
    query: CallbackQuery, callback_data: BroadcastAction, state: FSMContext, bot: Bot,
    session: AsyncSession, staff: StaffRole, reply: Reply, now: datetime,
) -> None:
    """Send the confirmed draft now."""
    data = await state.get_data()
    if not await _is_draft(state, data, callback_data):
        await query.answer(reply.render("staff/broadcast_stale"), show_alert=True)
        return
    await query.answer()
    await start(StaffContext(bot, session, staff, reply, now), data, state=state,
                chat_id=query.from_user.id, send_at=None)


async def on_later(
    query: CallbackQuery, callback_data: BroadcastAction, state: FSMContext, reply: Reply,
    now: datetime,
) -> None:
    """Ask when to send the confirmed draft."""
    data = await state.get_data()
    if not await _is_draft(state, data, callback_data):
        await query.answer(reply.render("staff/broadcast_stale"), show_alert=True)
        return
    await state.set_state(BroadcastStates.when)
    await query.answer()
    if query.message is not None:
        example = time_example(now)
        await query.message.answer(reply.render("staff/broadcast_when", example=example))


async def process_when(
    message: Message, state: FSMContext, bot: Bot, session: AsyncSession, staff: StaffRole,
    reply: Reply, now: datetime,
) -> None:
    """Schedule the draft for the time given (Beijing time)."""
    assert message.from_user is not None
    send_at = parse_send_time(message.text or "", now=now)
    if send_at is None:
        example = time_example(now)
        await message.answer(reply.render("staff/broadcast_time_bad", example=example))
        return
    await start(StaffContext(bot, session, staff, reply, now), await state.get_data(),
                state=state, chat_id=message.from_user.id, send_at=send_at)


def draft_request(
    data: dict[str, Any], *, staff_id: int, chat_id: int, locale: Locale, send_at: datetime
) -> BroadcastRequest:
    """Return the broadcast a confirmed draft (the flow's FSM data) asks for."""
    return BroadcastRequest(
        draft_key=str(data["draft"]), staff_id=staff_id, regions=draft_regions(data),
        audience=str(data["audience"]), template=str(data["template"]), send_at=send_at,
        chat_id=chat_id, locale=locale,
    )


def draft_regions(data: dict[str, Any]) -> list[str]:
    return [str(r) for r in data.get("regions", [])]


async def start(
    ctx: StaffContext, data: dict[str, Any], *, state: FSMContext, chat_id: int,
    send_at: datetime | None,
) -> None:
    """Create the broadcast and its progress message; the job edits it from then on."""
    bot, reply = ctx.bot, ctx.reply
    if not ctx.staff.may_act_for(draft_regions(data)):
        await state.clear()
        await bot.send_message(chat_id, reply.render("staff/forbidden"))
        return
    try:
        request = draft_request(data, staff_id=ctx.staff.user_id, chat_id=chat_id,
                                locale=reply.locale, send_at=send_at or ctx.now)
        broadcast = await launch(
            ctx.session, request, kb=reply.kb, now=ctx.now,
            unknown={lc: reply.to(lc).label("staff_unknown_date") for lc in LOCALES},
        )
    except TemplateRefused as exc:
        await bot.send_message(chat_id, reply.render(
            "staff/template_refused", code=exc.code, detail=exc.detail, line=exc.line))
        return
    except NoRecipients:
        await state.clear()
        await bot.send_message(chat_id, reply.render("staff/broadcast_empty"))
        return
    # The draft is kept until here: a failure before this point loses nothing.
    await state.clear()
    if broadcast is None:
        await bot.send_message(chat_id, reply.render("staff/broadcast_stale"))
        return
    await send_progress(bot, ctx.session, broadcast, texts=reply.texts,
                        knowledge=reply.knowledge, now=ctx.now)


async def on_drop(query: CallbackQuery, state: FSMContext, reply: Reply) -> None:
    """Give up the draft: nothing is sent."""
    await state.clear()
    await query.answer()
    if query.message is not None:
        await query.message.answer(reply.render("staff/broadcast_dropped"))


async def on_stop(
    query: CallbackQuery, callback_data: BroadcastAction, bot: Bot, session: AsyncSession,
    staff: StaffRole, reply: Reply, now: datetime,
) -> None:
    """Stop a broadcast under way from its progress message."""
    repo = BroadcastRepo(session)
    broadcast = await repo.get(int(callback_data.value)) if callback_data.value.isdigit() else None
    if broadcast is None or not may_stop(broadcast, staff):
        await query.answer(reply.render("staff/forbidden"), show_alert=True)
        return
    await query.answer()
    await stop_one(StaffContext(bot, session, staff, reply, now), broadcast.id,
                   chat_id=query.from_user.id)


async def cancel_broadcast(ctx: StaffContext, message: Message, state: FSMContext) -> None:
    """`/broadcast cancel`: drop a draft in progress, else stop one's broadcasts under way."""
    if await state.get_state() is not None:
        await state.clear()
        await message.answer(ctx.reply.render("staff/broadcast_dropped"))
        return
    active = [b for b in await BroadcastRepo(ctx.session).active() if may_stop(b, ctx.staff)]
    if not active:
        await message.answer(ctx.reply.render("staff/broadcast_none"))
        return
    for broadcast in active:
        await stop_one(ctx, broadcast.id, chat_id=message.chat.id)


async def stop_one(ctx: StaffContext, broadcast_id: int, *, chat_id: int) -> None:
    """Cancel a broadcast's copies not yet sent, close its progress message, audit it."""
    bot, reply, now = ctx.bot, ctx.reply, ctx.now
    repo = BroadcastRepo(ctx.session)
    broadcast = await repo.get(broadcast_id)
    if broadcast is None or broadcast.state not in ("scheduled", "sending"):
        await bot.send_message(chat_id, reply.render("staff/broadcast_none"))
        return
    cancelled = await repo.cancel(broadcast, now=now)
    await AuditRepo(ctx.session).record(ctx.staff.user_id, "broadcast_stop", now=now,
                                        regions=broadcast.regions, recipients=cancelled,
                                        detail=f"broadcast {broadcast.id}")
    text = progress_text(broadcast, await repo.progress(broadcast), texts=reply.texts,
                         knowledge=reply.knowledge, now=now)
    broadcast.progress_text = text
    if broadcast.progress_message_id is not None:
        await apply_edit(bot, Edit(broadcast.chat_id, broadcast.progress_message_id, text, None))
    await bot.send_message(chat_id, reply.render(
        "staff/broadcast_stopped", id=broadcast.id, cancelled=cancelled))


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
