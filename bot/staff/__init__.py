"""Staff tools' core: roles, audit, region data, sandboxed templates, broadcasts, reports.

Nothing here knows Telegram; handlers/staff/ is the chat layer over it.
"""
