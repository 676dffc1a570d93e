"""Rebuild bot/staff/fonts/NotoSansSC-chart.otf, the font of the staff /stats chart.

The chart labels regions and steps in Chinese, so it needs a CJK font on every machine, and a
whole CJK font is 16-85 MB. This script cuts Noto Sans CJK SC (SIL Open Font License 1.1) down
to the characters the chart can show, with fontTools' subsetter:

    apt-get install fonts-noto-cjk    # or: apt-get download fonts-noto-cjk && dpkg-deb -x ...
    .venv/bin/python scripts/build_chart_font.py \
        /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

Run it again when a notice data file or a chart label brings a character the font lacks
(tests/unit/staff/test_chart.py fails then, naming it) and commit the new .otf.
"""

from __future__ import annotations

import argparse
import string
from pathlib import Path

import yaml
from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parent.parent
FONT = ROOT / "bot" / "staff" / "fonts" / "NotoSansSC-chart.otf"
FAMILY = "Noto Sans CJK SC"
# The labels the chart draws besides region and step names (bot/locales/*/staff.yaml).
CHART_LABELS = ("staff_all", "staff_chart_title")


def chart_characters(root: Path = ROOT) -> set[str]:
    """Return every character the chart can draw: names from the data, labels, ASCII."""
    texts: list[str] = [string.printable.strip() + " "]
    for path in sorted((root / "notices" / "data").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for region in data.get("regions", ()):
            texts += [region["name_zh"], region["full_name_zh"], region["name_en"]]
        for step in data.get("steps", ()):
            texts += [step["name_zh"], step["name_en"]]
    for path in sorted((root / "bot" / "locales").glob("*/staff.yaml")):
        labels = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts += [labels[key] for key in CHART_LABELS]
    return {char for text in texts for char in text if char.isprintable()}


def _source_face(path: Path) -> TTFont:
    if path.suffix.lower() != ".ttc":
        return TTFont(path)
    for face in TTCollection(path).fonts:
        if face["name"].getDebugName(1) == FAMILY:
            return face
    raise SystemExit(f"{path}: no face named {FAMILY!r}")


def build(source: Path, target: Path = FONT) -> None:
    font = _source_face(source)
    options = subset.Options()
    options.hinting = False  # the chart is drawn at one size by FreeType's autohinter
    options.desubroutinize = True  # smaller once compressed, and simpler
    options.name_languages = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(chart_characters())))
    subsetter.subset(font)
    font.save(target)
    print(f"{target}: {target.stat().st_size / 1024:.1f} KB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="NotoSansCJK-Regular.ttc or NotoSansSC-*.otf")
    build(parser.parse_args().source)


if __name__ == "__main__":
    main()
