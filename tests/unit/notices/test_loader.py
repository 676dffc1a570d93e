"""Loader: the bundled data loads; each kind of broken file fails with a precise message."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from notices import KnowledgeBase, KnowledgeBaseError, load_knowledge_base


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_load_knowledge_base_bundled_data_is_complete(kb: KnowledgeBase) -> None:
    assert kb.year == 2024
    assert len(kb.regions) == 32
    assert len({r.code for r in kb.regions}) == 32
    assert kb.regions[0].code == "beijing"
    assert kb.regions[-1].code == "xinjiang_bingtuan"
    assert len(kb.entries) >= 40


def squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


# Page furniture of the source web page, not part of the notice's content.
NOT_NOTICE = ("来源:", "责任编辑", "下载医学APP", "听医学好课", "下载金题库APP", "刷好题",
              "关注官方公众号", "资讯、福利", "|", "时间", "途径", "流程", "注意事项")


def test_load_knowledge_base_every_notice_clause_is_cited(kb: KnowledgeBase) -> None:
    cited = squash("".join(p for e in kb.entries for p in e.source))
    cited += squash("".join(p for r in kb.cycle.steps for p in r.source))
    uncovered = []
    for line in kb.notice_text.splitlines():
        line = line.strip()
        if not line or line.startswith(NOT_NOTICE):
            continue
        for clause in re.split(r"[,;:。]", squash(line)):
            if len(clause) >= 4 and clause not in cited:
                uncovered.append(clause)
    assert not uncovered


def test_load_knowledge_base_sources_are_whole_passages(kb: KnowledgeBase) -> None:
    # A flow list splits at an ASCII comma ("source: [甲,乙]" is two passages): a passage cut
    # there shows as two fragments, and two entries quoting one sentence share no passage.
    notice = squash(kb.notice_text)
    for entry in kb.entries:
        for first, second in zip(entry.source, entry.source[1:], strict=False):
            assert squash(f"{first},{second}") not in notice, (entry.id, first)


def test_load_knowledge_base_yaml_syntax_error_names_file_and_line(data_copy: Path) -> None:
    edit(data_copy / "2024.yaml", "year: 2024", "year: [2024")
    with pytest.raises(KnowledgeBaseError, match=r"^2024\.yaml: YAML syntax error at line"):
        load_knowledge_base(data_copy)


def test_load_knowledge_base_missing_field_names_entry(data_copy: Path) -> None:
    edit(data_copy / "2024.yaml", "    topic_zh: 打印准考证\n", "")
    with pytest.raises(
        KnowledgeBaseError, match=r"2024\.yaml: entries\[\d+\] \(id=ticket\): field 'topic_zh'"
    ):
        load_knowledge_base(data_copy)


def test_load_knowledge_base_empty_source_says_must_not_be_empty(data_copy: Path) -> None:
    edit(
        data_copy / "2024.yaml",
        '    source: ["考生缴费成功后,可于4月1-21日登录考生管理平台下载打印准考证,'
        '作为参加考试的凭证。"]\n    keywords: [准考证,',
        "    source: []\n    keywords: [准考证,",
    )
    with pytest.raises(
        KnowledgeBaseError,
        match=r"entries\[\d+\] \(id=ticket\): field 'source': must not be empty",
    ):
        load_knowledge_base(data_copy)


def test_load_knowledge_base_wrong_type_names_field(data_copy: Path) -> None:
    edit(data_copy / "2024.yaml", "    region_dependent: true\n", "    region_dependent: maybe\n")
    with pytest.raises(KnowledgeBaseError, match=r"field 'region_dependent'"):
        load_knowledge_base(data_copy)


def test_load_knowledge_base_bad_date_names_window(data_copy: Path) -> None:
    edit(data_copy / "2024.yaml", "start: 2024-01-29", "start: 2024-02-30")
    with pytest.raises(KnowledgeBaseError, match=r"steps\[5\] \(step=pay\): field 'window.start'"):
        load_knowledge_base(data_copy)


def test_load_knowledge_base_end_before_start_is_rejected(data_copy: Path) -> None:
    edit(data_copy / "2024.yaml", "end: 2024-02-08", "end: 2024-01-08")
    with pytest.raises(KnowledgeBaseError, match=r"step=pay\): field 'window': end 2024-01-08"):
        load_knowledge_base(data_copy)


def test_load_knowledge_base_unknown_region_is_rejected(data_copy: Path) -> None:
    edit(data_copy / "2024.yaml", "regions: [tianjin, shanghai,", "regions: [tianjing, shanghai,")
    with pytest.raises(KnowledgeBaseError, match=r"unknown region 'tianjing'"):
        load_knowledge_base(data_copy)


def test_load_knowledge_base_unknown_step_is_rejected(data_copy: Path) -> None:
    edit(data_copy / "2024.yaml", "    steps: [ticket, exam]\n", "    steps: [tickets, exam]\n")
    with pytest.raises(KnowledgeBaseError, match=r"\(id=ticket\): field 'steps\[0\]'"):
        load_knowledge_base(data_copy)


def test_load_knowledge_base_duplicate_id_is_rejected(data_copy: Path) -> None:
    edit(data_copy / "2024.yaml", "  - id: computer_exam\n", "  - id: ticket\n")
    with pytest.raises(KnowledgeBaseError, match=r"duplicate id 'ticket'"):
        load_knowledge_base(data_copy)


def test_load_knowledge_base_key_given_twice_is_rejected(data_copy: Path) -> None:
    # YAML keeps the last of two equal keys: the first one's synonyms would vanish unseen.
    edit(data_copy / "lexicon.yaml", "synonyms:\n", "synonyms:\n  缴费: [交款]\n")
    with pytest.raises(KnowledgeBaseError, match=r"^lexicon\.yaml: .*'缴费' is given twice"):
        load_knowledge_base(data_copy)


def test_load_knowledge_base_source_not_in_notice_is_rejected(data_copy: Path) -> None:
    edit(data_copy / "2024.yaml", 'source: ["考试试题均为客观题', 'source: ["考试试题均为主观题')
    with pytest.raises(KnowledgeBaseError, match=r"\(id=no_rescore\): field 'source\[0\]'"):
        load_knowledge_base(data_copy)


def test_load_knowledge_base_rule_before_a_step_needs_its_note_and_source(
    data_copy: Path
) -> None:
    passage = ("天津、上海、新疆兵团考区采用线上确认方式,"
               "考生须在提交报名信息前,按照考区要求上传相关报名材料。")
    edit(data_copy / "2024.yaml", f"        before_source:\n          - {passage}\n", "")
    with pytest.raises(KnowledgeBaseError, match=r"before.*needs before_note_zh and before_s"):
        load_knowledge_base(data_copy)


def test_load_knowledge_base_empty_directory_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="no cycle file"):
        load_knowledge_base(tmp_path)


def test_load_knowledge_base_non_utf8_file_is_rejected(data_copy: Path) -> None:
    path = data_copy / "lexicon.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    with pytest.raises(KnowledgeBaseError, match=r"^lexicon\.yaml: not UTF-8"):
        load_knowledge_base(data_copy)


def test_load_knowledge_base_missing_regions_file_is_rejected(data_copy: Path) -> None:
    (data_copy / "regions.yaml").unlink()
    with pytest.raises(KnowledgeBaseError, match=r"regions\.yaml: cannot read"):
        load_knowledge_base(data_copy)


def test_load_knowledge_base_picks_newest_year(data_copy: Path) -> None:
    text = (data_copy / "2024.yaml").read_text(encoding="utf-8")
    (data_copy / "2025.yaml").write_text(text.replace("year: 2024", "year: 2025"), "utf-8")
    assert load_knowledge_base(data_copy).year == 2025


def test_load_knowledge_base_failure_leaves_old_kb_untouched(
    kb: KnowledgeBase, data_copy: Path
) -> None:
    before = kb.plan("beijing", None)
    edit(data_copy / "2024.yaml", "end: 2024-02-08", "end: 2024-01-08")
    with pytest.raises(KnowledgeBaseError):
        load_knowledge_base(data_copy)
    assert kb.plan("beijing", None) == before
