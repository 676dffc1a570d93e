"""The data of every staff button: one base, so the staff router admits every staff button.

A staff button's data subclasses StaffCallback with a prefix of its own
(`class ImportAction(StaffCallback, prefix="imp")`), beside the handlers that answer it. The
staff router's root filter, staff_buttons, admits the prefix of every subclass, so a new staff
button reaches its handler instead of falling through to the candidates' routers. Broadcast
buttons keep their "bc" prefix, so buttons already sent (a progress message's stop button) go
on working.
"""

from __future__ import annotations

from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery

# Prefix to the staff button data class that owns it.
_STAFF_TYPES: dict[str, type[StaffCallback]] = {}


class StaffCallback(CallbackData, prefix="staff"):
    """Base of every staff button's data; each subclass names its own prefix."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        taken = _STAFF_TYPES.get(cls.__prefix__)
        if taken is not None and taken.__qualname__ != cls.__qualname__:
            raise ValueError(
                f"staff button prefix {cls.__prefix__!r} is taken by {taken.__qualname__}"
            )
        _STAFF_TYPES[cls.__prefix__] = cls


def staff_prefixes() -> frozenset[str]:
    """Return the prefixes of every staff button data class defined so far."""
    return frozenset(_STAFF_TYPES)


async def staff_buttons(query: CallbackQuery) -> bool:
    """Root filter: only the staff tools' own buttons enter the staff routers."""
    if query.data is None:
        return False
    return any(
        query.data.split(kind.__separator__, 1)[0] == prefix
        for prefix, kind in _STAFF_TYPES.items()
    )
