"""A bar chart as a PNG, drawn with the standard library alone (zlib + a 5x7 pixel font).

The project has no imaging dependency; progress by step is a handful of bars and labels, which
does not justify one.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

_FONT_ROWS = 7
_FONT_COLS = 5
# Each glyph: 7 rows of 5 pixels, "1" = ink.
_GLYPHS: dict[str, str] = {
    "A": "01110100011000111111100011000110001", "B": "11110100011000111110100011000111110",
    "C": "01110100011000010000100001000101110", "D": "11110100011000110001100011000111110",
    "E": "11111100001000011110100001000011111", "F": "11111100001000011110100001000010000",
    "G": "01110100011000010111100011000101111", "H": "10001100011000111111100011000110001",
    "I": "01110001000010000100001000010001110", "J": "00111000100001000010000101001001100",
    "K": "10001100101010011000101001001010001", "L": "10000100001000010000100001000011111",
    "M": "10001110111010110101100011000110001", "N": "10001100011100110101100111000110001",
    "O": "01110100011000110001100011000101110", "P": "11110100011000111110100001000010000",
    "Q": "01110100011000110001101011001001101", "R": "11110100011000111110101001001010001",
    "S": "01111100001000001110000010000111110", "T": "11111001000010000100001000010000100",
    "U": "10001100011000110001100011000101110", "V": "10001100011000110001100010101000100",
    "W": "10001100011000110101101011010101010", "X": "10001100010101000100010101000110001",
    "Y": "10001100011000101010001000010000100", "Z": "11111000010001000100010001000011111",
    "0": "01110100011001110101110011000101110", "1": "00100011000010000100001000010001110",
    "2": "01110100010000100010001000100011111", "3": "11111000100010000010000011000101110",
    "4": "00010001100101010010111110001000010", "5": "11111100001111000001000011000101110",
    "6": "00110010001000011110100011000101110", "7": "11111000010001000100010000100001000",
    "8": "01110100011000101110100011000101110", "9": "01110100011000101111000010001001100",
    "%": "11000110010001000100010001001100011", "/": "00000000010001000100010001000000000",
    "-": "00000000000000011111000000000000000", "(": "00010001000100001000010000010000010",
    ")": "01000001000001000010000100010001000", ":": "00000011000110000000011000110000000",
    ".": "00000000000000000000000000110001100", "_": "00000000000000000000000000000011111",
    "=": "00000000001111100000111110000000000", " ": "0" * 35,
}

Color = tuple[int, int, int]
WHITE: Color = (255, 255, 255)
INK: Color = (40, 40, 40)
BAR: Color = (46, 125, 196)
TRACK: Color = (225, 231, 238)


class Canvas:
    """An RGB pixel buffer with the few drawing operations a bar chart needs."""

    def __init__(self, width: int, height: int, background: Color = WHITE) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(background) * (width * height))

    def rect(self, x: int, y: int, w: int, h: int, color: Color) -> None:
        x0, y0 = max(x, 0), max(y, 0)
        x1, y1 = min(x + w, self.width), min(y + h, self.height)
        if x1 <= x0 or y1 <= y0:
            return
        row = bytes(color) * (x1 - x0)
        for yy in range(y0, y1):
            start = (yy * self.width + x0) * 3
            self.pixels[start : start + len(row)] = row

    def text(self, x: int, y: int, text: str, color: Color = INK, scale: int = 2) -> int:
        """Draw text (unknown characters as '?'-less blanks); return the x after it."""
        for char in text.upper():
            glyph = _GLYPHS.get(char, _GLYPHS[" "])
            for index, bit in enumerate(glyph):
                if bit == "1":
                    row, col = divmod(index, _FONT_COLS)
                    self.rect(x + col * scale, y + row * scale, scale, scale, color)
            x += (_FONT_COLS + 1) * scale
        return x

    def png(self) -> bytes:
        """Encode the canvas as a PNG (8-bit RGB, no filtering)."""
        stride = self.width * 3
        raw = b"".join(
            b"\x00" + bytes(self.pixels[y * stride : (y + 1) * stride]) for y in range(self.height)
        )
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return b"".join(
            (b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", header),
             _chunk(b"IDAT", zlib.compress(raw, 6)), _chunk(b"IEND", b""))
        )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def bar_chart(title: str, bars: Sequence[tuple[str, int]], total: int) -> bytes:
    """Draw one horizontal bar per (label, count) as a share of `total`; return PNG bytes."""
    width, row, left, right = 720, 34, 150, 170
    canvas = Canvas(width, 60 + row * len(bars) + 20)
    canvas.text(16, 18, title[:50])
    track = width - left - right
    for index, (label, count) in enumerate(bars):
        y = 60 + index * row
        canvas.text(16, y + 6, label[:11])
        canvas.rect(left, y + 2, track, row - 10, TRACK)
        share = count / total if total else 0.0
        canvas.rect(left, y + 2, round(track * share), row - 10, BAR)
        canvas.text(left + track + 10, y + 6, f"{round(share * 100)}% ({count})")
    return canvas.png()
