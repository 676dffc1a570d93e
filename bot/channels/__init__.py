"""The channels: each turns its own messages into updates for the one dispatcher and sends
what the handlers answer back its own way (Telegram, the terminal chat)."""
