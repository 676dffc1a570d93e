"""Prometheus metrics of the whole assistant, served at GET /metrics."""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

REGISTRY = CollectorRegistry(auto_describe=True)

OUTBOX_DEPTH = Gauge(
    "outbox_depth", "Outbox rows by state, as of the last count", ["state"], registry=REGISTRY
)
MESSAGES_SENT = Counter(
    "outbox_messages_sent_total", "Messages delivered, by kind", ["kind"], registry=REGISTRY
)
MESSAGES_FAILED = Counter(
    "outbox_messages_failed_total",
    "Messages given up (dead-lettered or undeliverable), by reason",
    ["reason"],
    registry=REGISTRY,
)
SEND_ATTEMPTS = Counter(
    "outbox_send_attempts_total", "Delivery attempts, by outcome", ["outcome"], registry=REGISTRY
)
REMINDERS_PLANNED = Counter(
    "reminders_planned_total", "Outbox rows the planner inserted", registry=REGISTRY
)
REMINDERS_DROPPED = Counter(
    "reminders_dropped_total",
    "Reminders not sent because their moment passed or they no longer apply, by reason",
    ["reason"],
    registry=REGISTRY,
)
OUTBOX_PURGED = Counter(
    "outbox_purged_total",
    "Finished reminder rows deleted once OUTBOX_RETENTION_DAYS had passed",
    registry=REGISTRY,
)
PLANNER_SECONDS = Histogram(
    "planner_run_seconds",
    "Wall time of one planner run",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
    registry=REGISTRY,
)
ANSWERS = Counter(
    "answers_total", "Questions answered, by confidence kind", ["kind"], registry=REGISTRY
)

UPDATES_THROTTLED = Counter(
    "updates_throttled_total",
    "Updates dropped because their sender already had too many waiting",
    registry=REGISTRY,
)

WEBHOOK_REJECTED = Counter(
    "webhook_rejected_total",
    "Webhook bodies refused because they are no Telegram update, by reason",
    ["reason"],
    registry=REGISTRY,
)

POSSIBLE_DUPLICATES = Counter(
    "outbox_possible_duplicates_total",
    "Messages sent again after an earlier try may have been delivered (a sender died between "
    "the channel's answer and its record, or the request timed out), by kind",
    ["kind"],
    registry=REGISTRY,
)


def render_metrics() -> tuple[bytes, str]:
    """Return the metrics in Prometheus text format and their content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
