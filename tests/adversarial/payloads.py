"""Hostile inputs, one list per surface: staff templates, CSV imports, chat text, webhook bodies.

Each test that tries them is marked `adversarial("<group>")`; the run ends with a count of the
cases tried per group (see tests/conftest.py)."""

from __future__ import annotations

# Templates that built gigabytes, froze the loop or leaked internals before issue 14, and
# their relatives. None may render anything but plain text.
TEMPLATE_BOMBS = [
    "{{ '%999999999d' % 1 }}",
    "{{ '%2999999999d' % 1 }}",
    "{{ '%.999999999f' % 1 }}",
    "{{ '%s' % region }}",
    "{{ [[[[0]*100]*100]*100]*100 }}",
    "{{ [[('x'*3500)]*3500]*3500 }}",
    "{{ ['x'*3000] * 2 }}",
    "{{ ('ab' * 1000) + ('ab' * 1000) }}",
    "{{ [1,2,3] * 2000 }}",
    "{{ 3000 * 'xy' }}",
    "{{ (10**64) * (10**64) * (10**64) * (10**64) * (10**64) * (10**64) * (10**64) * (10**64) }}",
    "{{ 10**10**10 }}",
    "{% for i in range(1000) %}{% for j in range(1000) %}{{ i }}{% endfor %}{% endfor %}",
    "{{ range(1000)|join(',') * 10 }}",
]
TEMPLATE_LEAKS = [
    "{{ region.upper }}",
    "{{ deadline }}",
    "{{ range }}",
    "{{ days_left }}",
    "{{ [region] }}",
    "{{ (1, 2) }}",
    "{{ region.encode }}",
    "{{ range(3) }}",
    "{{ region.__class__ }}",
    "{{ deadline.__globals__ }}",
    "{{ region|attr('upper') }}",
    "{{ lipsum }}",
    "{{ self }}",
    "{{ config }}",
]

# CSV imports: header row included; each must give a line-precise refusal or a clean import.
CSV_BAD = [
    "region,step,start,end,note,link\n上海,pay,2024-01-29,2024-02-08,a\x00b,\n",
    "region,step,start,end,note,link\n上海,pay,2024-01-29,2024-02-08,\x1b[31mred,\n",
    "region,step,start,end,note,link\n上海,pay,2024-01-29,2024-02-08,ok,javascript:alert(1)\n",
    "region,step,start,end,note,link\n上海,pay,2024-02-08,2024-01-29,reversed,\n",
    "region,step,start,end,note,link\n上海,pay,9999-99-99,2024-01-29,,\n",
    "region,step,start,end,note,link\n火星,pay,2024-01-29,2024-02-08,,\n",
    "region,step,start,end,note,link\n上海,fly,2024-01-29,2024-02-08,,\n",
    "region,step\n上海,pay\n",
    "=cmd|' /C calc'!A0,pay,2024-01-29,2024-02-08,,\n",
    "region,step,start,end,note,link\n上海,pay,2024-01-29,2024-02-08," + "长" * 5000 + ",\n",
]

# Chat text a candidate may type.
CHAT_TEXT = [
    "缴费\x00什么时候截止",
    "\x00",
    "\x07\x08\x1b[2J",
    "\u202e截止时间\u202c",
    "<b>bold</b><script>alert(1)</script>",
    "{{ 7*7 }}",
    "'; DROP TABLE candidates; --",
    "/done pay\x00",
    "/region 上海\x00",
    "缴费" * 2000,
    "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
    "𝓟𝓪𝔂 deadline?",
]

# Webhook bodies posted with the right secret.
WEBHOOK_BODIES: list[bytes] = [
    b"{not json",
    b"[1,2,3]",
    b"null",
    b'"update"',
    b"42",
    b"\xff\xfe\x00garbage",
    b'{"update_id": "x"}',
    b'{"update_id": 1, "message": "hello"}',
    b'{"update_id": 1, "message": {"message_id": 1}}',
    b"{}",
    b"",
    b'{"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": "a"}}}',
]
