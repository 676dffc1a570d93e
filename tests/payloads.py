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

# Broken notice data files, each a change to one file of a copy of notices/data:
# (case, file, what to find (b"" appends, None replaces the whole file), what to put there
# (None deletes the file), what the one-line error must say). `/reload` must refuse each with
# that line and keep the running base.
LAUGHS = "".join(  # billion laughs: nine lists of nine of the last, eight times over
    f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
).encode()
NOTICE_FILES_BAD: list[tuple[str, str, bytes | None, bytes | None, str]] = [
    ("invalid YAML", "2024.yaml", b"  - step: register\n", b"  - step: [register\n",
     "YAML syntax error at line"),
    ("YAML tab indent", "regions.yaml", b"  - code: beijing\n", b"\t- code: beijing\n",
     "YAML syntax error at line"),
    ("NUL byte", "lexicon.yaml", b"\nsynonyms:", b"\nsyno\x00nyms:",
     "YAML syntax error at line 4"),
    ("year not a number", "2024.yaml", b"year: 2024\n", b"year: twenty\n", "field 'year'"),
    ("date not a date", "2024.yaml", b"start: 2023-12-01\n      end: 2023-12-13",
     b"start: 12\xe6\x9c\x881\xe6\x97\xa5\n      end: 2023-12-13", "window.start"),
    ("list for a text", "2024.yaml", "topic_zh: 考试日期".encode(),
     "topic_zh: [考试, 日期]".encode(), "topic_zh"),
    ("unknown field", "2024.yaml", b"year: 2024\n", b"year: 2024\nyaer: 2024\n", "yaer"),
    ("unknown step", "2024.yaml", b"    steps: [exam]\n", b"    steps: [fly]\n", "got 'fly'"),
    ("unknown region", "2024.yaml", b"regions: [guizhou]", b"regions: [mars]", "mars"),
    ("source not in the notice", "2024.yaml",
     'source: ["2024年度卫生专业技术资格考试定于4月13、14、20、21日举行'.encode(),
     'source: ["考试一律取消,无需参加'.encode(), "source"),
    ("end before start", "2024.yaml", b"start: 2023-12-01\n      end: 2023-12-13",
     b"start: 2023-12-13\n      end: 2023-12-01", "before start"),
    ("duplicate id", "2024.yaml", b"  - id: key_dates\n", b"  - id: exam_dates\n",
     "duplicate id 'exam_dates'"),
    ("duplicate step", "2024.yaml", b"  - step: wechat\n", b"  - step: register\n",
     "duplicate step"),
    ("duplicate region alias", "regions.yaml", "aliases: [沪".encode(),
     "aliases: [京".encode(), "'京' also names 'beijing'"),
    ("non-UTF-8 YAML", "2024.yaml", "考试日期".encode(), "考试日期".encode("gb18030"),
     "not UTF-8"),
    ("non-UTF-8 notice text", "2024_notice.txt", "考生须知".encode(),
     "考生须知".encode("gb18030"), "not UTF-8"),
    ("huge file", "lexicon.yaml", b"", b"# padding\n" * 600_000, "too large"),
    ("empty file", "regions.yaml", None, b"", "expected a mapping"),
    ("top level a list", "lexicon.yaml", None, b"- synonyms\n- english\n",
     "expected a mapping"),
    ("notice text empty", "2024_notice.txt", None, b"\xef\xbb\xbf",
     "source"),
    ("alias bomb", "lexicon.yaml", b"\nsynonyms:", b"\na: &a [lol]\n" + LAUGHS + b"synonyms:",
     "lexicon.yaml: field 'a'"),
    ("missing regions file", "regions.yaml", b"", None, "regions.yaml: cannot read"),
    ("missing lexicon file", "lexicon.yaml", b"", None, "lexicon.yaml: cannot read"),
    ("missing notice text", "2024_notice.txt", b"", None, "2024_notice.txt: cannot read"),
    ("missing cycle file", "2024.yaml", b"", None, "no cycle file"),
]
