"""Staff tools: roles, broadcasts, region data, knowledge gaps, statistics.

Every handler here carries StaffFilter as its last filter: for anyone who is not staff the
update falls through to the fallback router, so the commands look like unknown commands.
"""

from __future__ import annotations

from aiogram import Router

from handlers.staff import broadcast, data, progress, reports, roles


def create_router(job: progress.ProgressJob | None = None) -> Router:
    """Return the staff router; it starts the broadcast progress job with the dispatcher."""
    router = Router(name="staff")
    router.include_routers(
        roles.create_router(), broadcast.create_router(), data.create_router(),
        reports.create_router(),
    )
    job = job or progress.ProgressJob()
    router.startup.register(job.start)
    router.shutdown.register(job.stop)
    return router
