"""Every staff button's data is built on StaffCallback, and the staff router admits them all."""

from __future__ import annotations

import pytest
from aiogram import Bot, Dispatcher, Router
from aiogram.filters.callback_data import CallbackData, CallbackQueryFilter
from aiogram.types import CallbackQuery

from handlers import staff
from handlers.staff.broadcast_progress import BroadcastAction
from handlers.staff.callbacks import StaffCallback, staff_buttons, staff_prefixes
from tests.conftest import TOKEN
from tests.factories import make_callback, make_update
from tests.fakes.faulty_session import FaultySession


class ProbeAction(StaffCallback, prefix="probe"):
    """A second kind of staff button, as a new staff tool would add."""

    item: int


class OutsiderAction(CallbackData, prefix="outsider"):
    """A button data class not built on the staff base."""

    item: int


def routed_to(router: Router) -> list[str]:
    """Add handlers for both probes below the staff router; return where presses went."""
    seen: list[str] = []
    probes = Router(name="probes")

    @probes.callback_query(ProbeAction.filter())
    async def on_probe(query: CallbackQuery, callback_data: ProbeAction) -> None:
        seen.append(f"staff {callback_data.item}")

    @probes.callback_query(OutsiderAction.filter())
    async def on_outsider(query: CallbackQuery, callback_data: OutsiderAction) -> None:
        seen.append(f"outsider {callback_data.item}")

    router.include_router(probes)
    return seen


async def test_staff_callbacks_a_second_staff_button_type_is_routed() -> None:
    dp, staff_router = Dispatcher(), staff.create_router()
    seen = routed_to(staff_router)
    dp.include_router(staff_router)
    bot = Bot(TOKEN, session=FaultySession())
    try:
        for data in (ProbeAction(item=7).pack(), OutsiderAction(item=8).pack()):
            await dp.feed_update(bot, make_update(make_callback(data)))
    finally:
        await bot.session.close()

    assert seen == ["staff 7"]  # the outsider never got past the staff router's filter


@pytest.mark.parametrize(
    ("data", "enters"),
    [
        (BroadcastAction(action="stop", value="1").pack(), True),
        ("bc:aud:all", True),  # a button already sent in a staff chat
        (ProbeAction(item=1).pack(), True),
        ("probe", True),
        ("prober:1", False),
        ("lang:en", False),
        (OutsiderAction(item=1).pack(), False),
    ],
)
async def test_staff_callbacks_filter_admits_every_staff_prefix(data: str, enters: bool) -> None:
    assert await staff_buttons(make_callback(data)) is enters


def test_staff_callbacks_every_staff_handler_answers_staff_button_data() -> None:
    kinds = {
        each.callback.callback_data
        for router in staff.create_router().chain_tail
        for handler in router.callback_query.handlers
        for each in handler.filters or []
        if isinstance(each.callback, CallbackQueryFilter)
    }
    assert BroadcastAction in kinds
    assert all(issubclass(kind, StaffCallback) for kind in kinds)
    assert {kind.__prefix__ for kind in kinds} <= staff_prefixes()


def test_staff_callbacks_a_prefix_belongs_to_one_staff_button_type() -> None:
    with pytest.raises(ValueError, match="taken by BroadcastAction"):

        class Impostor(StaffCallback, prefix="bc"):
            action: str
