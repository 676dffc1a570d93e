"""The outbox repository: insert once, claim atomically with a lease, record what happened.

Repositories never commit: every method runs in the caller's transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Final, cast

from sqlalchemy import (
    ColumnElement,
    Date,
    ScalarSelect,
    Select,
    Table,
    and_,
    bindparam,
    case,
    delete,
    false,
    func,
    insert,
    literal_column,
    or_,
    select,
    true,
    update,
)
from sqlalchemy import (
    cast as sql_cast,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.orm.util import AliasedClass

from bot.db.models import Candidate, DeliveryAttempt, OutboxMessage
from notices import STEP_ORDER

logger = logging.getLogger(__name__)

PENDING: Final = "pending"
CLAIMED: Final = "claimed"
SENT: Final = "sent"
FAILED: Final = "failed"
CANCELLED: Final = "cancelled"
EXPIRED: Final = "expired"
STATES: Final = (PENDING, CLAIMED, SENT, FAILED, CANCELLED, EXPIRED)
OPEN_STATES: Final = (PENDING, CLAIMED)
FINISHED_STATES: Final = (SENT, FAILED, CANCELLED, EXPIRED)

REMINDER: Final = "reminder"
BROADCAST: Final = "broadcast"
KINDS: Final = (REMINDER, BROADCAST)

PRIORITY_URGENT: Final = 0
PRIORITY_REMINDER: Final = 10
PRIORITY_BROADCAST: Final = 20

_O = OutboxMessage
# Columns a sender needs to build and deliver a message.
_CLAIM_COLUMNS = (
    _O.id, _O.user_id, _O.kind, _O.step, _O.occasion, _O.event_date, _O.payload,
    _O.attempts, _O.due_at, _O.expires_at, _O.broadcast_id, _O.priority, _O.urgent,
    _O.possible_duplicate,
)


@dataclass(frozen=True, slots=True)
class NewMessage:
    """An outbox row to insert; (user_id, dedupe_key) makes it happen at most once."""

    user_id: int
    occasion: str
    dedupe_key: str
    due_at: datetime
    kind: str = REMINDER
    step: str | None = None
    priority: int = PRIORITY_REMINDER
    urgent: bool = False
    expires_at: datetime | None = None
    event_date: date | None = None
    payload: dict[str, Any] | None = None
    broadcast_id: int | None = None


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    """An outbox row claimed by one sender under a lease."""

    id: int
    user_id: int
    kind: str
    step: str | None
    occasion: str
    event_date: date | None
    payload: dict[str, Any] | None
    attempts: int
    due_at: datetime
    expires_at: datetime | None
    broadcast_id: int | None
    priority: int
    urgent: bool
    possible_duplicate: bool = False  # a sender died after it may have delivered this row


@dataclass(frozen=True, slots=True)
class Attempt:
    """One delivery try of one outbox row, for the attempts table."""

    outbox_id: int
    user_id: int
    attempt: int
    at: datetime
    outcome: str
    detail: str | None = None
    duration_ms: int = 0


@dataclass(slots=True)
class Depth:
    """Outbox rows per state."""

    by_state: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, state: str) -> int:
        return self.by_state.get(state, 0)


# The caller's unit of work: an ORM session, or a plain connection (the planner's waves).
Bind = AsyncSession | AsyncConnection

# The columns a planned row fills, in this order: the select given to add_planned matches it.
PLANNED_COLUMNS: Final = (
    "user_id", "kind", "priority", "urgent", "step", "occasion", "dedupe_key", "event_date",
    "state", "due_at", "expires_at", "attempts", "created_at", "updated_at",
)


def _dialect_name(bind: Bind) -> str:
    if isinstance(bind, AsyncConnection):
        return bind.dialect.name
    return bind.get_bind().dialect.name


def dialect_insert(bind: Bind) -> Any:
    """Return the dialect's insert() that knows ON CONFLICT DO NOTHING."""
    name = _dialect_name(bind)
    if name == "postgresql":
        return postgresql.insert
    if name == "sqlite":
        return sqlite.insert
    raise NotImplementedError(f"no ON CONFLICT insert for {name}")


def is_postgres(bind: Bind) -> bool:
    """Return True when the session or connection talks to PostgreSQL."""
    return _dialect_name(bind) == "postgresql"


@dataclass(frozen=True, slots=True)
class Due:
    """Which rows a sender may claim now: pending, of one kind, due (only urgent ones in
    quiet hours)."""

    now: datetime
    kind: str
    urgent_only: bool = False

    def conditions(
        self, table: type[OutboxMessage] | AliasedClass[OutboxMessage]
    ) -> list[ColumnElement[bool]]:
        """Return the WHERE conditions on `table` (the outbox, or an alias of it)."""
        where = [table.state == PENDING, table.kind == self.kind, table.due_at <= self.now]
        if self.urgent_only:
            where.append(table.urgent.is_(True))
        return where


def claim_values(*, now: datetime, lease: timedelta, token: str) -> dict[str, Any]:
    """Return what a claim writes on its rows: claimed by `token` until the lease runs out."""
    return {"state": CLAIMED, "claim_token": token, "lease_until": now + lease, "updated_at": now}


def in_send_order(rows: Iterable[ClaimedMessage]) -> list[ClaimedMessage]:
    """Return claimed rows in the order they should go out: priority, then age, then id."""
    return sorted(rows, key=lambda m: (m.priority, m.due_at, m.id))


def _first_due(due: Due) -> Select[int, int]:
    """Select the due rows' ids and candidates, first to go out first."""
    stmt = select(_O.id, _O.user_id).where(*due.conditions(_O))
    return stmt.order_by(_O.priority, _O.due_at, _O.id)


def _due_of_first_users(due: Due, limit: int) -> ScalarSelect[int]:
    """Return a subquery of every due row of the candidates of the first `limit` due rows
    (SQLite: one statement, no locks; it has one writer at a time)."""
    users = _first_due(due).with_only_columns(_O.user_id).limit(limit).scalar_subquery()
    # Row ids through the (user_id, dedupe_key) index: not a scan of every pending row.
    inner = aliased(_O)
    ids = select(inner.id).where(inner.user_id.in_(users), *due.conditions(inner))
    return ids.scalar_subquery()


class OutboxRepo:
    """Query and change outbox rows inside the caller's transaction."""

    def __init__(self, session: Bind) -> None:
        self.session = session

    # -- planning -------------------------------------------------------------------------

    async def add(self, messages: Sequence[NewMessage], *, now: datetime) -> int:
        """Insert rows, skipping any whose (user, dedupe key) exists; return how many went in."""
        if not messages:
            return 0
        values = [
            {
                "user_id": m.user_id, "kind": m.kind, "priority": m.priority,
                "urgent": m.urgent, "broadcast_id": m.broadcast_id, "step": m.step,
                "occasion": m.occasion, "dedupe_key": m.dedupe_key, "event_date": m.event_date,
                "payload": m.payload, "state": PENDING, "due_at": m.due_at,
                "expires_at": m.expires_at, "attempts": 0, "created_at": now, "updated_at": now,
            }
            for m in messages
        ]
        stmt = dialect_insert(self.session)(_O).on_conflict_do_nothing(
            index_elements=["user_id", "dedupe_key"]
        )
        total = 0
        for start in range(0, len(values), 500):
            result = await self.session.execute(stmt.values(values[start : start + 500]))
            total += max(_rowcount(result), 0)
        return total

    async def add_planned(self, source: Select[Any]) -> int:
        """Insert the rows a select of PLANNED_COLUMNS yields, skipping any whose (user,
        dedupe key) exists; return how many went in."""
        table = cast(Table, _O.__table__)
        stmt = dialect_insert(self.session)(table).from_select(
            [table.c[name] for name in PLANNED_COLUMNS], source
        )
        result = await self.session.execute(
            stmt.on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"])
        )
        return max(_rowcount(result), 0)

    async def cancel_pending(
        self, *, user_id: int, steps: Iterable[str] | None = None, kind: str | None = None
    ) -> int:
        """Cancel the candidate's rows not yet sent (for these steps / this kind only)."""
        stmt = update(_O).where(_O.user_id == user_id, _O.state.in_(OPEN_STATES))
        if steps is not None:
            stmt = stmt.where(_O.step.in_(list(steps)))
        if kind is not None:
            stmt = stmt.where(_O.kind == kind)
        result = await self.session.execute(
            stmt.values(state=CANCELLED, claim_token=None, lease_until=None),
            execution_options={"synchronize_session": False},
        )
        return _rowcount(result)

    async def cancel_for_done(self, *, user_id: int, steps: Iterable[str]) -> int:
        """Cancel pending reminders of steps just done and of every step before them."""
        order = [s.value for s in STEP_ORDER]
        indexes = [order.index(s) for s in steps if s in order]
        if not indexes:
            return 0
        return await self.cancel_pending(
            user_id=user_id, steps=order[: max(indexes) + 1], kind=REMINDER
        )

    async def mark_blocked(self, user_id: int) -> int:
        """Mark the candidate blocked and cancel everything still waiting for them."""
        await self.session.execute(
            update(Candidate).where(Candidate.user_id == user_id).values(blocked=True),
            execution_options={"synchronize_session": False},
        )
        return await self.cancel_pending(user_id=user_id)

    async def expire(self, *, now: datetime) -> int:
        """Move waiting rows whose moment has passed to `expired`; return how many."""
        result = await self.session.execute(
            update(_O)
            .where(_O.state == PENDING, _O.expires_at.is_not(None), _O.expires_at <= now)
            .values(state=EXPIRED, updated_at=now),
            execution_options={"synchronize_session": False},
        )
        return _rowcount(result)

    # -- sending --------------------------------------------------------------------------

    async def recover(self, *, now: datetime) -> int:
        """Put rows whose lease ran out (their sender died) back to pending; a row its sender
        had handed to the channel becomes a possible duplicate."""
        result = await self.session.execute(
            update(_O)
            .where(_O.state == CLAIMED, _O.lease_until < now)
            .values(
                state=PENDING, claim_token=None, lease_until=None, updated_at=now,
                possible_duplicate=case(
                    (_O.sending_at.is_not(None), true()), else_=_O.possible_duplicate
                ),
                sending_at=None,
            ),
            execution_options={"synchronize_session": False},
        )
        return _rowcount(result)

    async def mark_sending(
        self, claims: Sequence[tuple[str, Sequence[int]]], *, lease_until: datetime,
        now: datetime,
    ) -> set[int]:
        """Mark rows as handed to the channel and renew their lease, for each (claim token,
        row ids); return the ids whose claim still holds them (the others must not go)."""
        held = [(token, list(ids)) for token, ids in claims if ids]
        if not held:
            return set()
        result = await self.session.execute(
            update(_O)
            .where(
                _O.state == CLAIMED,
                or_(*(and_(_O.claim_token == token, _O.id.in_(ids)) for token, ids in held)),
            )
            .values(sending_at=now, lease_until=lease_until, updated_at=now)
            .returning(_O.id),
            execution_options={"synchronize_session": False},
        )
        return set(result.scalars().all())

    async def record_sent(self, sent: Sequence[tuple[int, str]], *, now: datetime) -> None:
        """Record rows as sent, each (row id, message key), whoever holds them now.

        Delivered is delivered: a row is recorded even if its lease ran out meanwhile and
        another claim holds it (that claim then fails to mark it sending, so never resends).
        """
        if not sent:
            return
        table = cast(Table, _O.__table__)
        await self.session.execute(
            update(table)
            .where(
                table.c.id == bindparam("b_id"),
                # No IN (...): an expanding parameter cannot be used with executemany.
                or_(table.c.state == PENDING, table.c.state == CLAIMED),
            )
            .values(
                state=SENT, sent_at=now, message_key=bindparam("b_key"), claim_token=None,
                lease_until=None, sending_at=None, attempts=table.c.attempts + 1,
                updated_at=now,
            ),
            [{"b_id": row_id, "b_key": key} for row_id, key in sent],
            execution_options={"synchronize_session": False},
        )

    async def claim(
        self,
        *,
        now: datetime,
        kind: str,
        limit: int,
        lease: timedelta,
        token: str,
        urgent_only: bool = False,
    ) -> list[ClaimedMessage]:
        """Claim due rows of up to `limit` rows' candidates, all of each one's due rows.

        PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent senders take disjoint rows.
        SQLite: one UPDATE ... WHERE state='pending' (SQLite has one writer at a time).
        """
        if limit <= 0:
            return []
        due = Due(now=now, kind=kind, urgent_only=urgent_only)
        if is_postgres(self.session):
            ids = await self._lock_due(due, limit)
            if not ids:
                return []
            chosen: ColumnElement[bool] = _O.id.in_(ids)
        else:
            chosen = _O.id.in_(_due_of_first_users(due, limit))
        result = await self.session.execute(
            update(_O).where(chosen, _O.state == PENDING)
            .values(**claim_values(now=now, lease=lease, token=token))
            .returning(*_CLAIM_COLUMNS),
            execution_options={"synchronize_session": False},
        )
        return in_send_order(ClaimedMessage(**row._asdict()) for row in result.all())

    async def _lock_due(self, due: Due, limit: int) -> list[int]:
        """Lock (SKIP LOCKED) the first `limit` due rows and their candidates' other due rows,
        so they go out as one digest; return their ids (PostgreSQL)."""
        first = (await self.session.execute(
            _first_due(due).limit(limit).with_for_update(skip_locked=True)
        )).all()
        if not first:
            return []
        users = sorted({row.user_id for row in first})
        more = select(_O.id).where(*due.conditions(_O), _O.user_id.in_(users))
        ids = {row.id for row in first}
        ids.update((await self.session.scalars(more.with_for_update(skip_locked=True))).all())
        return sorted(ids)

    async def renew(
        self, ids: Sequence[int], *, token: str, lease_until: datetime, now: datetime
    ) -> int:
        """Extend the lease of rows this claim still holds; return how many it holds."""
        if not ids:
            return 0
        result = await self.session.execute(
            update(_O)
            .where(_O.id.in_(list(ids)), _O.claim_token == token, _O.state == CLAIMED)
            .values(lease_until=lease_until, updated_at=now),
            execution_options={"synchronize_session": False},
        )
        return _rowcount(result)

    async def finish(
        self, ids: Sequence[int], *, token: str, state: str, now: datetime,
        message_key: str | None = None, error: str | None = None,
    ) -> int:
        """Close claimed rows (sent, failed, cancelled, expired) if this claim still holds them."""
        if not ids:
            return 0
        values: dict[str, Any] = {
            "state": state, "claim_token": None, "lease_until": None, "sending_at": None,
            "updated_at": now,
            "attempts": _O.attempts + (1 if state in (SENT, FAILED) else 0),
        }
        if state == SENT:
            values.update(sent_at=now, message_key=message_key)
        if error is not None:
            values["last_error"] = error[:200]
        result = await self.session.execute(
            update(_O).where(_O.id.in_(list(ids)), _O.claim_token == token).values(**values),
            execution_options={"synchronize_session": False},
        )
        done = _rowcount(result)
        if done != len(ids):
            logger.warning("claim %s lost %d of %d rows before finishing", token,
                           len(ids) - done, len(ids))
        return done

    async def retry_later(
        self, ids: Sequence[int], *, token: str, due_at: datetime, now: datetime, error: str,
        maybe_delivered: bool = False,
    ) -> int:
        """Give claimed rows back as pending, due again at `due_at`, counting the attempt;
        `maybe_delivered` (a timeout, say) makes the next send a possible duplicate."""
        return await self._give_back(
            ids, token, due_at=due_at, updated_at=now, attempts=_O.attempts + 1,
            last_error=error[:200],
            possible_duplicate=true() if maybe_delivered else _O.possible_duplicate,
        )

    async def defer(
        self, ids: Sequence[int], *, token: str, due_at: datetime, now: datetime
    ) -> int:
        """Give claimed rows back as pending until `due_at`, not counting an attempt."""
        return await self._give_back(ids, token, due_at=due_at, updated_at=now)

    async def _give_back(self, ids: Sequence[int], token: str, **values: Any) -> int:
        """Return rows this claim still holds to pending, with `values` set; return how many."""
        if not ids:
            return 0
        result = await self.session.execute(
            update(_O)
            .where(_O.id.in_(list(ids)), _O.claim_token == token)
            .values(state=PENDING, claim_token=None, lease_until=None, sending_at=None,
                    **values),
            execution_options={"synchronize_session": False},
        )
        return _rowcount(result)

    async def record_attempts(self, attempts: Sequence[Attempt]) -> None:
        """Append delivery attempts to the attempts table."""
        if not attempts:
            return
        # Core executemany: the ORM's bulk path costs milliseconds per batch for nothing.
        await self.session.execute(
            insert(cast(Table, DeliveryAttempt.__table__)),
            [
                {
                    "outbox_id": a.outbox_id, "user_id": a.user_id, "attempt": a.attempt,
                    "at": a.at, "outcome": a.outcome, "detail": a.detail,
                    "duration_ms": a.duration_ms,
                }
                for a in attempts
            ],
        )

    async def messages_sent_since(
        self, user_ids: Iterable[int], *, since: datetime, kind: str = REMINDER
    ) -> dict[int, int]:
        """Count distinct messages (a digest is one) sent to each candidate since `since`."""
        users = list(user_ids)
        if not users:
            return {}
        rows = await self.session.execute(
            select(_O.user_id, func.count(func.distinct(_O.message_key)))
            .where(
                _O.user_id.in_(users), _O.state == SENT, _O.kind == kind, _O.sent_at >= since
            )
            .group_by(_O.user_id)
        )
        return {int(row[0]): int(row[1]) for row in rows}

    # -- broadcasts -----------------------------------------------------------------------

    async def cancel_broadcast(self, broadcast_id: int, *, now: datetime) -> int:
        """Cancel a broadcast's copies not yet taken by a sender; return how many."""
        result = await self.session.execute(
            update(_O)
            .where(_O.broadcast_id == broadcast_id, _O.kind == BROADCAST, _O.state == PENDING)
            .values(state=CANCELLED, updated_at=now),
            execution_options={"synchronize_session": False},
        )
        return max(_rowcount(result), 0)

    async def broadcast_tally(self, broadcast_id: int) -> list[tuple[str, bool, int, int]]:
        """Count a broadcast's copies by (state, whether the candidate is blocked): each
        (state, blocked, copies, copies that are possible duplicates)."""
        is_blocked = func.coalesce(Candidate.blocked, false())
        rows = await self.session.execute(
            select(
                _O.state, is_blocked, func.count(),
                func.count().filter(_O.possible_duplicate.is_(True)),
            )
            .outerjoin(Candidate, Candidate.user_id == _O.user_id)
            .where(_O.broadcast_id == broadcast_id, _O.kind == BROADCAST)
            .group_by(_O.state, is_blocked)
        )
        return [
            (str(state), bool(blocked), int(count), int(suspect))
            for state, blocked, count, suspect in rows
        ]

    # -- observing ------------------------------------------------------------------------

    async def depth(self) -> Depth:
        """Count rows per state."""
        rows = await self.session.execute(select(_O.state, func.count()).group_by(_O.state))
        return Depth({str(row[0]): int(row[1]) for row in rows})

    async def finished_by_day(
        self, regions: Collection[str], *, since: datetime
    ) -> list[tuple[date, str, str, int]]:
        """Count rows sent or failed since `since` to candidates of these regions, per
        Shanghai day (of their last change), kind and state."""
        day = self._local_day(_O.updated_at)
        rows = await self.session.execute(
            select(day, _O.kind, _O.state, func.count())
            .where(_in_regions(regions), _O.updated_at >= since, _O.state.in_((SENT, FAILED)))
            .group_by(day, _O.kind, _O.state)
        )
        return [(_as_date(d), str(kind), str(state), int(n)) for d, kind, state, n in rows]

    async def open_by_kind(self, regions: Collection[str]) -> dict[str, int]:
        """Count rows still waiting (pending or claimed) for candidates of these regions."""
        rows = await self.session.execute(
            select(_O.kind, func.count())
            .where(_in_regions(regions), _O.state.in_(OPEN_STATES))
            .group_by(_O.kind)
        )
        return {str(kind): int(n) for kind, n in rows}

    def _local_day(self, column: Any) -> ColumnElement[date]:
        if is_postgres(self.session):
            return sql_cast(func.timezone("Asia/Shanghai", column), Date)
        return func.date(column, literal_column("'+8 hours'"))

    async def purge(self, *, before: datetime, now: datetime, limit: int = 5_000) -> int:
        """Delete up to `limit` finished reminders last touched before `before` whose moment
        has passed, with their attempts; return how many went.

        A reminder whose occasion is still current stays, however old: its (candidate,
        dedupe key) is what keeps the planner from planning it again. Broadcast copies stay
        too: they are their broadcast's delivery report."""
        doomed = (
            select(_O.id)
            .where(
                _O.kind == REMINDER,
                _O.state.in_(FINISHED_STATES),
                _O.updated_at < before,
                or_(_O.expires_at.is_(None), _O.expires_at <= now),
            )
            .limit(limit)
        )
        result = await self.session.execute(
            delete(_O).where(_O.id.in_(doomed.scalar_subquery())),
            execution_options={"synchronize_session": False},
        )
        return _rowcount(result)


def _rowcount(result: Any) -> int:
    count = getattr(result, "rowcount", -1)
    return int(count) if count is not None else -1


def _in_regions(regions: Collection[str]) -> ColumnElement[bool]:
    return _O.user_id.in_(select(Candidate.user_id).where(Candidate.region.in_(sorted(regions))))


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
