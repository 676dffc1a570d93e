"""The reminder engine: rules, the planner, the composer and the rate-limited sender, ticked by
APScheduler. It keeps the outbox through the core's repository (bot.db.outbox) and sends
through the delivery its channel hands it (scheduler.delivery.Delivery)."""
