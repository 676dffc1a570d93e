"""The /stats chart: one bar per step, drawn by matplotlib on its Agg canvas (no display).

Region and step names are Chinese for Chinese-speaking staff, so every text is drawn with the
CJK font shipped beside this module (fonts/: a subset of Noto Sans CJK SC, SIL OFL 1.1; its
README says how it was made): a fresh machine needs no system font and no download.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.font_manager import FontProperties

FONT_PATH = Path(__file__).parent / "fonts" / "NotoSansSC-chart.otf"
WIDTH, ROW, TOP, BOTTOM, LEFT, RIGHT = 800, 34, 60, 20, 220, 110  # pixels
DPI = 100
INK, BAR, TRACK = "#282828", "#2e7dc4", "#e1e7ee"


def chart_font(size: float) -> FontProperties:
    """Return the shipped CJK font at `size` points (never a system font found by name)."""
    from matplotlib.font_manager import FontProperties

    return FontProperties(fname=FONT_PATH, size=size)


def chart_size(bars: int) -> tuple[int, int]:
    """Return the chart's (width, height) in pixels for a number of bars."""
    return WIDTH, TOP + ROW * bars + BOTTOM


def bar_chart(title: str, bars: Sequence[tuple[str, int]], total: int) -> bytes:
    """Draw one horizontal bar per (label, count) as a share of `total`; return PNG bytes."""
    # matplotlib takes a good share of a process's start-up time and memory; only /stats
    # draws, so only a process that draws a chart loads it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    width, height = chart_size(len(bars))
    figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    figure.subplots_adjust(
        left=LEFT / width, right=1 - RIGHT / width, top=1 - TOP / height, bottom=BOTTOM / height
    )
    figure.text(16 / width, 1 - 18 / height, title, fontproperties=chart_font(13), color=INK,
                va="top")
    axes = figure.add_subplot()
    rows = range(len(bars))
    shares = [count / total if total else 0.0 for _, count in bars]
    axes.barh(rows, [1.0] * len(bars), height=0.7, color=TRACK)
    axes.barh(rows, shares, height=0.7, color=BAR)
    for row, share, (_, count) in zip(rows, shares, bars, strict=True):
        axes.text(1.02, row, f"{round(share * 100)}% ({count})", va="center",
                  fontproperties=chart_font(10), color=INK)
    axes.set_yticks(list(rows), [label for label, _ in bars], fontproperties=chart_font(10),
                    color=INK)
    axes.set_xlim(0, 1)
    axes.set_ylim(len(bars) - 0.5, -0.5)  # the first step on top
    axes.tick_params(left=False, bottom=False, labelbottom=False)
    for spine in axes.spines.values():
        spine.set_visible(False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
