"""The buttons flows share: callback data and keyboards more than one flow uses, and the
answer to a stale or forged tap. A button only one flow uses stays in its module."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from aiogram import F
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from magic_filter import MagicFilter

from bot.texts import LOCALES
from handlers.reply import Reply
from handlers.step_views import RegionGroup, StepView
from notices import Region, Step

# Where a region picker was opened from decides what follows the pick.
FLOWS = frozenset({"ob", "set", "todo", "dl", "cal"})
REGIONS_PER_ROW = 3
GROUPS_PER_ROW = 3
STEP_BUTTONS = 3
ALL_GROUPS = -1


class OnboardStates(StatesGroup):
    # The welcome asked for the region: a text naming one sets it ("我在山西太原").
    region = State()


class OnboardAction(CallbackData, prefix="ob"):
    op: str  # lang | keep
    value: str = ""


class RegionGroupAction(CallbackData, prefix="rgp"):
    group: int  # ALL_GROUPS: back to the list of groups
    flow: str


class RegionAction(CallbackData, prefix="rg"):
    code: str
    flow: str


class ReturningAction(CallbackData, prefix="ret"):
    value: str  # yes | no | ask
    flow: str


class StepAction(CallbackData, prefix="st"):
    op: str  # done | undo
    step: str


class MenuAction(CallbackData, prefix="mn"):
    view: str


def prefixes(*actions: type[CallbackData]) -> MagicFilter:
    """Match any callback whose data starts with one of these prefixes, well-formed or not."""
    names = frozenset(str(a.__prefix__) for a in actions)
    return F.data.func(lambda data: isinstance(data, str) and data.split(":", 1)[0] in names)


async def answer_stale(query: CallbackQuery, reply: Reply) -> None:
    """Tell the candidate the button no longer applies; change nothing."""
    await query.answer(reply.label("journey_stale"), show_alert=False)


def message_of(query: CallbackQuery) -> Message | None:
    """Return the button's message when the bot can still reply to it."""
    return query.message if isinstance(query.message, Message) else None


async def answer_chunks(
    target: Message, chunks: Iterable[str], markup: InlineKeyboardMarkup | None = None
) -> None:
    """Send a long text in pieces, the buttons under the last one."""
    pieces = list(chunks)
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        await target.answer(piece, reply_markup=markup if last else None)


async def edit(
    target: Message, text: str | None, markup: InlineKeyboardMarkup | None
) -> None:
    """Edit the button's message in place (only its buttons when `text` is None)."""
    try:
        if text is None:
            await target.edit_reply_markup(reply_markup=markup)
        else:
            await target.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as exc:
        # A second tap on the same button: Telegram refuses an edit that changes nothing.
        if "not modified" not in exc.message:
            raise


def parse_step_value(value: str) -> Step | None:
    try:
        return Step(value)
    except ValueError:
        return None


# -- keyboards ---------------------------------------------------------------------------------


def language_row(builder: InlineKeyboardBuilder, reply: Reply) -> None:
    for code in LOCALES:
        mark = "✓ " if code == reply.locale else ""
        builder.button(
            text=mark + reply.label(f"lang_{code}"),
            callback_data=OnboardAction(op="lang", value=code),
        )


def group_buttons(
    builder: InlineKeyboardBuilder, groups: Sequence[RegionGroup], flow: str
) -> None:
    for group in groups:
        builder.button(
            text=group.name, callback_data=RegionGroupAction(group=group.index, flow=flow)
        )


def groups_keyboard(groups: Sequence[RegionGroup], flow: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    group_buttons(builder, groups, flow)
    builder.adjust(GROUPS_PER_ROW)
    return builder.as_markup()


def onboarding_keyboard(
    reply: Reply, groups: Sequence[RegionGroup], current: Region | None
) -> InlineKeyboardMarkup:
    """Language first, then keep the known region, then the region groups."""
    builder = InlineKeyboardBuilder()
    language_row(builder, reply)
    rows = [len(LOCALES)]
    if current is not None:
        name = current.name(reply.locale)
        label = reply.label("journey_keep_region").format(region=name)
        builder.button(text=label, callback_data=OnboardAction(op="keep"))
        rows.append(1)
    group_buttons(builder, groups, "ob")
    full, rest = divmod(len(groups), GROUPS_PER_ROW)
    builder.adjust(*rows, *([GROUPS_PER_ROW] * full), *([rest] if rest else []))
    return builder.as_markup()


def regions_keyboard(
    reply: Reply, regions: Sequence[Region], flow: str, *, back: bool
) -> InlineKeyboardMarkup:
    """The regions of one group (or the suggestions for a typo), three to a row."""
    builder = InlineKeyboardBuilder()
    for region in regions:
        action = RegionAction(code=region.code, flow=flow)
        builder.button(text=region.name(reply.locale), callback_data=action)
    builder.adjust(REGIONS_PER_ROW)
    key = "journey_back" if back else "journey_all_regions"
    back_to = RegionGroupAction(group=ALL_GROUPS, flow=flow).pack()
    builder.row(InlineKeyboardButton(text=reply.label(key), callback_data=back_to))
    return builder.as_markup()


def returning_keyboard(reply: Reply, flow: str, current: bool | None) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for value, key in ((True, "journey_yes"), (False, "journey_no")):
        mark = "✓ " if current is value else ""
        builder.button(
            text=mark + reply.label(key),
            callback_data=ReturningAction(value="yes" if value else "no", flow=flow),
        )
    return builder.as_markup()


def menu_keyboard(reply: Reply, *views: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for view in views:
        label = reply.label(f"journey_menu_{view}")
        builder.button(text=label, callback_data=MenuAction(view=view))
    return builder.as_markup()


def todo_keyboard(reply: Reply, views: Sequence[StepView]) -> InlineKeyboardMarkup:
    """Mark the next steps done, undo the last one done, and the other views."""
    builder = InlineKeyboardBuilder()
    remaining = [v for v in views if v.state != "done"][:STEP_BUTTONS]
    done = [v for v in views if v.state == "done"]
    for view in remaining:
        label = reply.label("journey_mark_done").format(step=view.name)
        builder.button(text=label, callback_data=StepAction(op="done", step=view.step.value))
    if done:
        label = reply.label("journey_undo").format(step=done[-1].name)
        builder.button(text=label, callback_data=StepAction(op="undo", step=done[-1].step.value))
    builder.adjust(1)
    menu = menu_keyboard(reply, "deadlines", "calendar")
    builder.row(*menu.inline_keyboard[0])
    return builder.as_markup()


def profile_keyboard(reply: Reply) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=reply.label("journey_change_region"),
        callback_data=RegionGroupAction(group=ALL_GROUPS, flow="set"),
    )
    builder.button(
        text=reply.label("journey_change_returning"),
        callback_data=ReturningAction(value="ask", flow="set"),
    )
    builder.button(
        text=reply.label("journey_menu_todo"), callback_data=MenuAction(view="todo")
    )
    builder.adjust(2, 1)
    return builder.as_markup()
