"""Staff tools: roles, broadcasts, region data, knowledge gaps, statistics.

Every handler here carries StaffFilter as its last filter: for anyone who is not staff the
update falls through to the fallback router, so the commands look like unknown commands.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, Filter
from aiogram.types import Message

from handlers.staff import broadcast, broadcast_progress, data, reports, roles
from handlers.staff.callbacks import staff_buttons

STAFF_STATES = frozenset(
    broadcast.BroadcastStates.__all_states_names__ + data.ImportStates.__all_states_names__
)


def command_names(router: Router) -> frozenset[str]:
    """Return the names of the commands a router and its sub-routers handle."""
    names: set[str] = set()
    for each in router.chain_tail:
        for handler in each.message.handlers:
            for command in handler.flags.get("commands", []):
                names.update(name for name in command.commands if isinstance(name, str))
    return frozenset(names)


class StaffMessages(Filter):
    """Root filter: only staff commands and messages in a staff flow enter the staff routers.

    Most updates are candidates' questions and commands; they skip every staff handler's
    filters at once.
    """

    def __init__(self, commands: frozenset[str]) -> None:
        self.commands = commands

    async def __call__(self, message: Message, raw_state: str | None = None) -> bool:
        if raw_state in STAFF_STATES:
            return True
        text = message.text or message.caption  # /import can come as a file's caption
        if text is None or not text.startswith("/"):
            return False
        # aiogram's own parsing, as the handlers' Command filters do it.
        return Command.extract_command(text).command.lower() in self.commands


def create_router() -> Router:
    """Return the staff router; it adds the broadcast progress job when the dispatcher starts."""
    router = Router(name="staff")
    router.include_routers(
        roles.create_router(), broadcast.create_router(), data.create_router(),
        reports.create_router(),
    )
    router.message.filter(StaffMessages(command_names(router)))
    router.callback_query.filter(staff_buttons)
    router.startup.register(broadcast_progress.start_progress_job)
    return router
