"""The core and, on top of it, the wiring.

Core: settings, clock, texts, the database (bot.db), step recording (bot.step_records),
reminder button data and snooze (bot.reminders), staff roles, broadcasts and region data
(bot.staff).
Wiring: the entry point (bot.__main__, bot.app), the dispatcher factory (bot.dispatcher) and
the channels (bot.channels). The import-linter contracts in pyproject.toml keep the core from
importing the wiring, the chat layer (handlers) or the reminder engine (scheduler).
"""
