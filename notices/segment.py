"""Cut text into words as jieba does, faster."""

from __future__ import annotations

from math import inf, log
from typing import Any


class Segmenter:
    """Cut text with a jieba tokenizer: the words of `tokenizer.lcut(text)`, faster.

    jieba's accurate mode with HMM, step for step (jieba 0.42, pinned): the same blocks, the
    same best route through the same dictionary with the same floating-point sums, and the
    same HMM for runs of unknown characters. Only the route is found in one pass, without
    the intermediate graph and generators, and the HMM's best path by back-pointers instead
    of copied lists (cutting is most of a long question's time).
    """

    def __init__(self, tokenizer: Any) -> None:
        import jieba
        from jieba import finalseg

        tokenizer.check_initialized()
        self._tk = tokenizer
        self._han = jieba.re_han_default
        self._skip = jieba.re_skip_default
        self._hmm = _Hmm(finalseg)

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
        if freq.keys().isdisjoint(block):
            # No dictionary word starts anywhere ("nursing"): jieba's route keeps every
            # character alone, and the run of them is flushed whole.
            self._flush(block, freq, words)
            return
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
            self._hmm.cut(buf, words)
        else:
            words.extend(buf)

    def _route(self, block: str, freq: dict[str, int]) -> list[int]:
        """Return, per position, where the most probable word starting there ends."""
        n = len(block)
        logtotal = log(self._tk.total)
        count_of = freq.get
        score = [0.0] * (n + 1)
        ends = list(range(n))
        for start in range(n - 1, -1, -1):
            first = count = count_of(block[start])
            # Every candidate is finite: -inf means none was found.
            best = -inf
            end = start
            # The dictionary holds every prefix of its words (with count 0). Ends rise, so
            # ">=" keeps the later of equal scores, as jieba's max over (score, end) does.
            while count is not None:
                if count:
                    candidate = log(count) - logtotal + score[end + 1]
                    if candidate >= best:
                        best, ends[start] = candidate, end
                end += 1
                if end == n:
                    break
                count = count_of(block[start : end + 1])
            if best == -inf:
                best = log(first or 1) - logtotal + score[start + 1]
            score[start] = best
        return ends


# Where each state's predecessor stands in a back-pointer tuple (B, M, S, E).
_STATE_INDEX = {"B": 0, "M": 1, "S": 2, "E": 3}


class _Hmm:
    """jieba's HMM for runs of unknown characters (`finalseg.cut`), the same words faster.

    The Viterbi path over the states B, M, E, S with the same model, the same sums in the
    same order and the same tie-breaks as jieba's `max` over (probability, state) pairs.
    """

    def __init__(self, finalseg: Any) -> None:
        self._finalseg = finalseg
        self._han = finalseg.re_han
        self._skip = finalseg.re_skip
        self._start = finalseg.start_P
        low = finalseg.MIN_FLOAT
        # Per character, its emission in the states B, M, S, E (one lookup, not four).
        emit = finalseg.emit_P
        chars = set().union(*(emit[state] for state in "BMSE"))
        self._emit = {c: tuple(emit[state].get(c, low) for state in "BMSE") for c in chars}
        self._no_emit = (low, low, low, low)
        trans = finalseg.trans_P
        # Into B from E or S, into M from M or B, into S from S or E, into E from B or M.
        self._eb, self._sb = trans["E"].get("B", low), trans["S"].get("B", low)
        self._mm, self._bm = trans["M"].get("M", low), trans["B"].get("M", low)
        self._ss, self._es = trans["S"].get("S", low), trans["E"].get("S", low)
        self._be, self._me = trans["B"].get("E", low), trans["M"].get("E", low)

    def cut(self, text: str, words: list[str]) -> None:
        """Append the words of a run of characters, as `finalseg.cut` yields them."""
        if text.isascii() and text.isalnum():
            words.append(text)  # one run of Latin letters and digits: a word as it stands
            return
        force = self._finalseg.Force_Split_Words
        for block in self._han.split(text):
            if self._han.match(block):
                for word in self._words(block):
                    if word in force:
                        words.extend(word)
                    else:
                        words.append(word)
            else:
                words.extend(piece for piece in self._skip.split(block) if piece)

    def _words(self, text: str) -> list[str]:
        """Return the words of a run of Chinese characters, by their most probable states."""
        states = self._states(text)
        words: list[str] = []
        begin = after = 0
        for i, state in enumerate(states):
            if state == "B":
                begin = i
            elif state == "E":
                words.append(text[begin : i + 1])
                after = i + 1
            elif state == "S":
                words.append(text[i])
                after = i + 1
        if after < len(text):
            words.append(text[after:])
        return words

    def _states(self, text: str) -> list[str]:
        """Return the most probable state of each character (jieba's `viterbi`)."""
        start, emit, no_emit = self._start, self._emit, self._no_emit
        eb, sb, mm, bm = self._eb, self._sb, self._mm, self._bm
        ss, es, be, me = self._ss, self._es, self._be, self._me
        to_b, to_m, to_s, to_e = emit.get(text[0], no_emit)
        b, m = start["B"] + to_b, start["M"] + to_m
        e, s = start["E"] + to_e, start["S"] + to_s
        # Per character, the state before each state on its best path.
        back: list[tuple[str, str, str, str]] = []
        for char in text[1:]:
            to_b, to_m, to_s, to_e = emit.get(char, no_emit)
            # jieba's max over (probability, state): on equal probabilities the later letter
            # of the alphabet wins (E over B, M over B, S over E).
            from_e, from_s = e + eb + to_b, s + sb + to_b
            nb, pb = (from_e, "E") if from_e > from_s else (from_s, "S")
            from_m, from_b = m + mm + to_m, b + bm + to_m
            nm, pm = (from_m, "M") if from_m >= from_b else (from_b, "B")
            from_s, from_e = s + ss + to_s, e + es + to_s
            ns, ps = (from_s, "S") if from_s >= from_e else (from_e, "E")
            from_b, from_m = b + be + to_e, m + me + to_e
            ne, pe = (from_b, "B") if from_b > from_m else (from_m, "M")
            b, m, s, e = nb, nm, ns, ne
            back.append((pb, pm, ps, pe))
        state = "E" if e > s else "S"
        states = [state]
        for before in reversed(back):
            state = before[_STATE_INDEX[state]]
            states.append(state)
        states.reverse()
        return states
