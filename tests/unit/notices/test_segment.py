"""The segmenter cuts text into the very words jieba cuts it into."""

from __future__ import annotations

import random

from jieba import finalseg

from benchmarks.qa_eval import SETS_DIR
from notices.loader import DATA_DIR
from notices.segment import Segmenter, _Hmm
from notices.text import normalise, tokenizer


def _texts() -> list[str]:
    paths = [SETS_DIR / "questions_public3.yaml", SETS_DIR / "questions_blind5.yaml",
             DATA_DIR / "2024.yaml"]
    lines = [line for path in paths for line in path.read_text(encoding="utf-8").splitlines()]
    texts = [*lines, *(normalise(line) for line in lines)]
    rng = random.Random(7)
    for _ in range(1000):
        text = rng.choice(texts)
        start = rng.randrange(len(text) + 1)
        texts.append(text[start : start + rng.randrange(1, 40)])
    return texts


def test_segmenter_cuts_as_jieba_cuts() -> None:
    jieba_tokenizer = tokenizer()
    segmenter = Segmenter(jieba_tokenizer)
    texts = _texts()
    assert [segmenter.lcut(t) for t in texts] == [jieba_tokenizer.lcut(t) for t in texts]


def test_segmenter_hmm_finds_jieba_s_words_for_unknown_characters() -> None:
    hmm = _Hmm(finalseg)
    rng = random.Random(3)
    known = sorted(finalseg.emit_P["S"])[:2000]
    texts = ["".join(rng.choice(known) for _ in range(rng.randrange(1, 20))) for _ in range(2000)]
    # Characters the model never saw: equal probabilities, decided by jieba's tie-breaks.
    texts += ["".join(chr(rng.randrange(0x9F00, 0x9FD5)) for _ in range(rng.randrange(1, 9)))
              for _ in range(300)]
    texts += ["nursing", "A1b2", "3.5%", "ab-cd", "x", "证书abc", "ab证书"]
    for text in texts:
        words: list[str] = []
        hmm.cut(text, words)
        assert words == list(finalseg.cut(text)), text
