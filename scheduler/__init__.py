"""Reminders: rules, the planner (APScheduler ticks), the outbox and the rate-limited sender."""
