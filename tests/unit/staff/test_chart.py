"""The /stats chart draws Chinese with the font shipped in the package, on any machine."""

from __future__ import annotations

import io

import numpy as np
from fontTools.ttLib import TTFont
from matplotlib.font_manager import findfont
from matplotlib.image import imread

from bot.staff.chart import FONT_PATH, bar_chart, chart_font, chart_size
from scripts.build_chart_font import chart_characters

TITLE_ZH = "上海：各步骤完成人数（共 6 名考生）"
STEPS_ZH = ["注册", "绑定微信", "提交报名信息", "报名确认", "资格审核", "缴费", "打印准考证",
            "考试", "查成绩"]


def pixels(png: bytes) -> np.ndarray:
    return imread(io.BytesIO(png), format="png")


def chart(title: str = TITLE_ZH, labels: list[str] = STEPS_ZH) -> bytes:
    return bar_chart(title, [(label, 6 - i % 7) for i, label in enumerate(labels)], 6)


def test_chart_font_has_a_glyph_for_every_character_the_chart_can_show() -> None:
    cmap = TTFont(FONT_PATH).getBestCmap()
    wanted = chart_characters()
    assert {"上", "海", "缴", "费", "兵", "团", "：", "（", "%", "0", "A"} <= wanted
    assert sorted(c for c in wanted if ord(c) not in cmap) == []


def test_chart_font_is_the_shipped_subset() -> None:
    assert findfont(chart_font(10)) == str(FONT_PATH)
    assert TTFont(FONT_PATH)["name"].getDebugName(1) == "Noto Sans CJK SC"
    assert FONT_PATH.stat().st_size < 200_000  # a subset, not a whole CJK font


def test_bar_chart_is_a_png_of_the_expected_size() -> None:
    png = chart()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = chart_size(len(STEPS_ZH))
    assert pixels(png).shape[:2] == (height, width)


def test_bar_chart_draws_chinese_labels_as_distinct_glyphs() -> None:
    blank = pixels(chart(labels=[""] * len(STEPS_ZH)))
    drawn = pixels(chart())
    assert not np.array_equal(blank, drawn)
    # Missing glyphs would all be the same box: two different words must differ.
    other = pixels(chart(labels=[STEPS_ZH[1], *STEPS_ZH[1:]]))
    assert not np.array_equal(drawn, other)
    assert not np.array_equal(pixels(chart(title="")), pixels(chart(title="江苏")))
