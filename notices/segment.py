"""Cut text into words as jieba does, in about half its time."""

from __future__ import annotations

from math import log
from typing import Any


class Segmenter:
    """Cut text with a jieba tokenizer: the words of `tokenizer.lcut(text)`, faster.

    jieba's accurate mode with HMM, step for step (jieba 0.42, pinned): the same blocks, the
    same best route through the same dictionary with the same floating-point sums, and the
    same HMM for runs of unknown characters. Only the route is found in one pass, without
    the intermediate graph and generators (cutting is most of a long question's time).
    """

    def __init__(self, tokenizer: Any) -> None:
        import jieba
        from jieba import finalseg

        tokenizer.check_initialized()
        self._tk = tokenizer
        self._han = jieba.re_han_default
        self._skip = jieba.re_skip_default
        self._hmm = finalseg.cut

    def lcut(self, text: str) -> list[str]:
        """Return the words of the text, as jieba's `lcut` returns them."""
        words: list[str] = []
        for block in self._han.split(text):
            if not block:
                continue
            if self._han.match(block):
                self._cut_block(block, words)
            else:
                for piece in self._skip.split(block):
                    if self._skip.match(piece):
                        words.append(piece)
                    else:
                        words.extend(piece)
        return words

    def _cut_block(self, block: str, words: list[str]) -> None:
        """Append the words of one block of Chinese, Latin letters and digits."""
        freq = self._tk.FREQ
        route = self._route(block, freq)
        buf = ""
        at, n = 0, len(block)
        while at < n:
            end = route[at] + 1
            if end - at == 1:
                buf += block[at]
            else:
                if buf:
                    self._flush(buf, freq, words)
                    buf = ""
                words.append(block[at:end])
            at = end
        if buf:
            self._flush(buf, freq, words)

    def _flush(self, buf: str, freq: dict[str, int], words: list[str]) -> None:
        """Append a run of single characters: one word, the HMM's words, or each character."""
        if len(buf) == 1:
            words.append(buf)
        elif not freq.get(buf):
            words.extend(self._hmm(buf))
        else:
            words.extend(buf)

    def _route(self, block: str, freq: dict[str, int]) -> list[int]:
        """Return, per position, where the most probable word starting there ends."""
        n = len(block)
        logtotal = log(self._tk.total)
        score = [0.0] * (n + 1)
        ends = list(range(n))
        for start in range(n - 1, -1, -1):
            first = count = freq.get(block[start])
            best: float | None = None
            end = start
            # The dictionary holds every prefix of its words (with count 0). Ends rise, so
            # ">=" keeps the later of equal scores, as jieba's max over (score, end) does.
            while count is not None:
                if count:
                    candidate = log(count) - logtotal + score[end + 1]
                    if best is None or candidate >= best:
                        best, ends[start] = candidate, end
                end += 1
                if end == n:
                    break
                count = freq.get(block[start : end + 1])
            if best is None:
                best = log(first or 1) - logtotal + score[start + 1]
            score[start] = best
        return ends
