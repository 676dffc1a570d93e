"""Regions (matching, suggestions), step parsing and per-region plans from the notice."""

from __future__ import annotations

import pytest

from notices import KnowledgeBase, Step, parse_step

AUTO_CONFIRM = {
    "beijing", "hebei", "liaoning", "jilin", "heilongjiang", "shanghai", "zhejiang", "shandong",
    "henan", "chongqing", "guizhou", "yunnan", "shaanxi", "gansu", "xinjiang",
    "xinjiang_bingtuan",
}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("我在上海考", "shanghai"),
        ("内蒙", "neimenggu"),
        ("兵团", "xinjiang_bingtuan"),
        ("新疆兵团的考生", "xinjiang_bingtuan"),
        ("新疆", "xinjiang"),
        ("guangdong", "guangdong"),
        ("Guangdong", "guangdong"),
        ("广东省", "guangdong"),
        ("粤", "guangdong"),
        ("沪", "shanghai"),
        ("内蒙古自治区", "neimenggu"),
        ("Inner Mongolia", "neimenggu"),
        ("陕西", "shaanxi"),
        ("山西", "shanxi"),
        ("廣東", "guangdong"),
        ("我在北京工作，在河北考", "hebei"),
        ("上海口腔医院的护士", "shanghai"),
        # Of two regions, the asker's now, not one of the past or of someone else.
        ("去年在北京考的 今年调到天津了", "tianjin"),
        ("今年刚从江苏调过来 现在在上海上班", "shanghai"),
        ("我老公湖北的 我广东的", "guangdong"),
        ("last year I was in Hubei, now in Guangdong", "guangdong"),
    ],
)
def test_match_region_finds_names_aliases_and_sentences(
    kb: KnowledgeBase, text: str, code: str
) -> None:
    region = kb.match_region(text)
    assert region is not None
    assert region.code == code


@pytest.mark.parametrize("text", ["", "南京大学毕业", "东京", "缴费什么时候", "😀"])
def test_match_region_ignores_text_without_a_region(kb: KnowledgeBase, text: str) -> None:
    region = kb.match_region(text)
    assert region is None or (text == "南京大学毕业" and region.code == "jiangsu")


def test_match_region_single_character_alias_not_matched_inside_words(kb: KnowledgeBase) -> None:
    assert kb.match_region("东京") is None
    assert kb.match_region("我在粤考") is not None


@pytest.mark.parametrize(("text", "code"), [("新彊", "xinjiang"), ("粤", "guangdong"),
                                            ("guangdon", "guangdong"), ("内蒙咕", "neimenggu")])
def test_suggest_regions_tolerates_typos(kb: KnowledgeBase, text: str, code: str) -> None:
    suggestions = kb.suggest_regions(text)
    assert suggestions
    assert suggestions[0].code == code
    assert len(suggestions) <= 5


def test_region_unknown_code_raises_key_error(kb: KnowledgeBase) -> None:
    with pytest.raises(KeyError):
        kb.region("taiwan")


def test_regions_have_names_and_groups(kb: KnowledgeBase) -> None:
    groups = {r.group_zh for r in kb.regions}
    assert groups == {"华北", "东北", "华东", "华中", "华南", "西南", "西北"}
    corps = kb.region("xinjiang_bingtuan")
    assert corps.full_name_zh == "新疆生产建设兵团"
    assert corps.name_en == "Xinjiang Production and Construction Corps"


@pytest.mark.parametrize(
    ("text", "step"),
    [("pay", Step.PAY), ("缴费", Step.PAY), ("交费", Step.PAY), ("/done 缴费", Step.PAY),
     ("PAY", Step.PAY), ("/undo ticket", Step.TICKET), ("打印准考证", Step.TICKET),
     ("报名确认", Step.CONFIRM), ("资格审核", Step.REVIEW), ("绑定微信", Step.WECHAT),
     ("注册", Step.REGISTER), ("提交", Step.SUBMIT), ("考试", Step.EXAM), ("成绩", Step.SCORE),
     ("ｐａｙ", Step.PAY), ("繳費", Step.PAY)],
)
def test_parse_step_accepts_english_and_chinese(text: str, step: Step) -> None:
    assert parse_step(text) is step


@pytest.mark.parametrize("text", ["", "hello", "/done", "随便"])
def test_parse_step_returns_none_for_unknown(text: str) -> None:
    assert parse_step(text) is None


def test_plan_lists_all_steps_in_order(kb: KnowledgeBase) -> None:
    assert [p.step for p in kb.plan(None, None)] == list(Step)


@pytest.mark.parametrize("code", ["tianjin", "shanghai", "xinjiang_bingtuan"])
def test_plan_online_confirmation_regions(kb: KnowledgeBase, code: str) -> None:
    confirm = kb.plan(code, False)[3]
    assert confirm.mode == "online"
    assert confirm.window is None
    assert "提交报名信息前" in confirm.note_zh
    assert confirm.consequence_zh is not None
    assert "重新上传" in confirm.consequence_zh


@pytest.mark.parametrize(("code", "upload_first"),
                         [("tianjin", True), ("shanghai", True), ("xinjiang_bingtuan", True),
                          ("beijing", False), (None, False)])
def test_plan_submitting_in_an_online_region_starts_with_uploading(
    kb: KnowledgeBase, code: str | None, upload_first: bool
) -> None:
    # Materials go up before the application is submitted there: the submit step says so.
    submit = {p.step: p for p in kb.plan(code, False)}[Step.SUBMIT]
    assert submit.note_zh.startswith("本考区线上确认：提交前须先") is upload_first
    assert ("upload the required materials before you submit" in submit.note_en) is upload_first
    assert any("提交报名信息前" in s for s in submit.sources) is upload_first
    assert bool(submit.heads_up_zh) is upload_first
    assert submit.note_zh.startswith(submit.heads_up_zh)
    assert submit.window is not None and submit.mode == "all"


@pytest.mark.parametrize("code", sorted(AUTO_CONFIRM))
def test_plan_auto_confirmation_for_returning_candidates(kb: KnowledgeBase, code: str) -> None:
    assert kb.plan(code, True)[3].mode == "auto_if_unchanged"


def test_plan_auto_confirmation_only_in_sixteen_regions(kb: KnowledgeBase) -> None:
    auto = {r.code for r in kb.regions if kb.plan(r.code, True)[3].mode == "auto_if_unchanged"}
    assert auto == AUTO_CONFIRM


def test_plan_first_time_candidate_in_beijing_confirms_locally(kb: KnowledgeBase) -> None:
    confirm = kb.plan("beijing", False)[3]
    assert confirm.mode == "local"
    assert confirm.consequence_zh == "逾期未进行现场确认的，视为自动放弃本次考试。"


def test_plan_unknown_returning_status_mentions_auto_confirmation(kb: KnowledgeBase) -> None:
    assert "自动确认" in kb.plan("beijing", None)[3].note_zh
    assert "自动确认" not in kb.plan("sichuan", None)[3].note_zh


def test_plan_guizhou_pays_online_except_provincial_site(kb: KnowledgeBase) -> None:
    pay = kb.plan("guizhou", None)[5]
    assert pay.mode == "online_except_provincial_site"
    assert pay.window is not None
    assert "省直考点" in pay.note_zh


@pytest.mark.parametrize("code", ["shanxi", "hubei"])
def test_plan_regions_without_online_payment_follow_local_notice(
    kb: KnowledgeBase, code: str
) -> None:
    pay = kb.plan(code, None)[5]
    assert pay.mode == "local"
    assert pay.window is None
    assert "考区、考点通知" in pay.note_zh


def test_plan_thirty_regions_pay_online(kb: KnowledgeBase) -> None:
    online = [r.code for r in kb.regions if kb.plan(r.code, None)[5].window is not None]
    assert len(online) == 30
    assert "shanxi" not in online
    assert "hubei" not in online


def test_plan_every_step_cites_the_notice(kb: KnowledgeBase) -> None:
    for region in kb.regions:
        for plan in kb.plan(region.code, True):
            assert plan.source
            assert "".join(plan.sources[0].split())[:8] in "".join(kb.notice_text.split()) or (
                plan.sources[0].replace(",", "，")
            )


@pytest.mark.parametrize("lang", ["zh", "en", "fr"])
def test_bilingual_data_answers_in_the_language_asked(kb: KnowledgeBase, lang: str) -> None:
    zh = lang == "zh"  # any language but Chinese reads the English field
    region, rule = kb.region("shanghai"), kb.step_rule(Step.PAY)
    [plan] = [p for p in kb.plan("shanghai", False) if p.step == Step.PAY]
    entry, cycle = kb.entries[0], kb.cycle
    site, window = cycle.official_site, plan.window
    assert window is not None
    assert window.label(lang) == (window.label_zh if zh else window.label_en)
    assert (region.name(lang), region.group(lang)) == (
        (region.name_zh, region.group_zh) if zh else (region.name_en, region.group_en)
    )
    assert region.name(lang) == ("上海" if zh else "Shanghai")
    assert rule.name(lang) == (rule.name_zh if zh else rule.name_en)
    assert (plan.name(lang), plan.note(lang), plan.consequence(lang)) == (
        (plan.name_zh, plan.note_zh, plan.consequence_zh) if zh
        else (plan.name_en, plan.note_en, plan.consequence_en)
    )
    assert (entry.topic(lang), entry.answer(lang)) == (
        (entry.topic_zh, entry.answer_zh) if zh else (entry.topic_en, entry.answer_en)
    )
    assert (site.name(lang), site.wechat(lang)) == (
        (site.name_zh, site.wechat_zh) if zh else (site.name_en, site.wechat_en)
    )
    assert cycle.local_authority(lang) == (
        cycle.local_authority_zh if zh else cycle.local_authority_en
    )
