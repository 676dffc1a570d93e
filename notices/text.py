"""Text normalisation and tokenisation for Chinese and English questions."""

from __future__ import annotations

import logging
import re
import tempfile
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from opencc import OpenCC

MAX_CHARS = 500

_T2S = OpenCC("t2s")
_TAGS = re.compile(r"<[^>]{0,200}>")
_SCRIPT = re.compile(r"<(script|style)\b[^>]{0,200}>.{0,2000}?</\1\s*>", re.IGNORECASE | re.DOTALL)
_MD = re.compile(r"[*_`~#>|\[\]()]+")
_URL = re.compile(r"https?://\S+|www\.\S+")
# A pasted progress list marks steps with ticks and circles ("注册✓ 绑定微信✓ 资格审核○"):
# read as the words they stand for, before the symbols go with the punctuation.
_TICK = re.compile(r"[✓✔√☑✅]")
_OPEN = re.compile(r"[○◯✗✘]")
# Keep CJK ideographs, Latin letters and digits; everything else (punctuation, emoji,
# symbols) becomes a space.
_NOT_WORD = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")
_REPEAT = re.compile(r"([^0-9])\1{2,}")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN = re.compile(r"[a-zA-Z]")
_LATIN_WORDS = re.compile(r"[a-zA-Z]+")
# (A pasted status is one run, its own punctuation inside it: "您已完成报名确认，请等待…".)
_CJK_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff][\u3400-\u4dbf\u4e00-\u9fff，、：；“”]*")
# A web address or a code with a dot or a slash in it ("www.21wecan-kaoshi.cn"): no words.
_ADDRESS = re.compile(r"[\w:/.-]*[./][\w/.-]+", re.ASCII)
_LATIN_EDGE = re.compile(r"[a-z0-9]")
# What must never be sent or kept: an ID-card number (or any long run of digits), an e-mail
# address, and a secret typed after its name ("密码123456", "password is Hunter2!"): a run
# with a digit in it, so the words after the name ("密码忘了", "password is wrong") stay.
PERSONAL = re.compile(r"\d[\d \-]{4,}\d[xX]?|\S+@\S+")
SECRET = re.compile(
    r"(密码|口令|验证码|password|passwd|pwd|pw|passcode)(\s*(?:是|为|:|：|=|is)?\s*)"
    r"(?=[!-~]*[0-9])[!-~]{4,}",
    re.IGNORECASE,
)
# An ID-card number in particular (18 characters, the last a digit or X).
_ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9xX](?![0-9a-zA-Z])")


def holds_secret(text: str) -> bool:
    """Return True when a message carries a password or an ID-card number."""
    return bool(SECRET.search(text) or _ID_NUMBER.search(text))
_LATIN_WORD = re.compile(r"[a-z]")


def has_cjk(text: str) -> bool:
    """Return True if the text holds a Chinese character."""
    return _CJK.search(text) is not None


def detect_lang(text: str) -> str | None:
    """Return "zh" or "en" for the language a question is written in, or None."""
    sample = text[:MAX_CHARS]
    cjk = len(_CJK.findall(sample))
    latin = len(_LATIN.findall(sample))
    if cjk == 0 and latin >= 2:
        return "en"
    # An English sentence naming a Chinese term ("am i eligible for 主管护师 with a bachelor"),
    # not a Chinese one quoting a few English words ("状态显示 waiting for review 啥意思").
    words = len(_LATIN_WORDS.findall(sample))
    if cjk > 0 and latin > 3 * cjk and words >= 3:
        return "en"
    # (Or an English sentence quoting one Chinese term, a status or a title: "status says
    # 自动确认失败, what now". Each run of Chinese is one term.)
    # (Most Chinese questions hold fewer than 4 English words: their addresses are not cut.)
    if cjk > 0 and words >= 4:
        spoken = len(_LATIN_WORDS.findall(_ADDRESS.sub(" ", sample)))
        if spoken >= 4 and spoken >= 4 * len(_CJK_RUNS.findall(sample)):
            return "en"
    if cjk > 0:
        return "zh"
    return None


def _t2s_keys() -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    """Return the converter's one-character keys, and its longer keys by first character."""
    # The dictionaries as the converter loaded them (opencc-python-reimplemented 0.1.x, pinned).
    keys = {k for group in _T2S._dict_chain_data for _, _, table in group for k in table}
    phrases: dict[str, list[str]] = {}
    for key in sorted(k for k in keys if len(k) > 1):
        phrases.setdefault(key[0], []).append(key)
    return frozenset(k for k in keys if len(k) == 1), {c: tuple(p) for c, p in phrases.items()}


_T2S_CHARS, _T2S_PHRASES = _t2s_keys()
_T2S_PHRASE_STARTS = frozenset(_T2S_PHRASES)


def _converts(text: str) -> bool:
    """Return True when a key of the t2s dictionaries occurs in the text."""
    # Set and substring tests: a character class of the ~4000 keys is slower than these.
    return not _T2S_CHARS.isdisjoint(text) or any(
        phrase in text
        for first in _T2S_PHRASE_STARTS.intersection(text)
        for phrase in _T2S_PHRASES[first]
    )


def to_simplified(text: str) -> str:
    """Return the text in simplified Chinese."""
    # The converter only replaces its keys: a text holding none comes out as it went in,
    # and most questions are simplified already (the pure-Python conversion is slow).
    return str(_T2S.convert(text)) if _converts(text) else text


def normalise(text: str, limit: int = MAX_CHARS) -> str:
    """Return a question folded for matching: NFKC, simplified, lowercase, no punctuation."""
    text = text[: limit * 4]
    # Tags and addresses need these characters; most questions have none.
    if "<" in text:
        text = _SCRIPT.sub(" ", text)
        text = _TAGS.sub(" ", text)
    if "://" in text or "www." in text:
        text = _URL.sub(" ", text)
    text = unicodedata.normalize("NFKC", text)
    text = _MD.sub(" ", text)
    text = _TICK.sub("完成 ", text)
    text = _OPEN.sub("未完成 ", text)
    text = to_simplified(text[:limit]).lower()
    text = _NOT_WORD.sub(" ", text)
    text = _REPEAT.sub(r"\1", text)
    return " ".join(text.split())


def alternation(choices: Iterable[tuple[str, str, str]]) -> str:
    """Return a pattern that matches, at each position, the first choice that matches there.

    A choice is (lookbehind, word, lookahead): the lookbehind of one character
    ("(?<![a-z0-9])", "(?<=在)") or empty, the word non-empty. It matches what the plain
    alternation of the choices matches, about ten times faster: grouped by first character,
    every branch opens with a literal, so the regex engine skips the positions where no word
    starts and tries there only the words starting with that character, testing a lookbehind
    they share once.
    """
    groups: dict[str, list[tuple[str, str]]] = {}
    for behind, word, ahead in choices:
        first = re.escape(word[0])
        # The same test after the first character: "(?<![a-z0-9])x" is "x(?<![a-z0-9]x)".
        moved = behind[:-1] + first + ")" if behind else ""
        groups.setdefault(first, []).append((moved, re.escape(word[1:]) + ahead))
    branches: list[str] = []
    for first, rests in groups.items():
        shared = {moved for moved, _ in rests}
        hoisted = shared.pop() if len(shared) == 1 else ""
        tails = [rest if hoisted else moved + rest for moved, rest in rests]
        branches.append(first + hoisted + (tails[0] if len(tails) == 1 else
                                            f"(?:{'|'.join(tails)})"))
    return "|".join(branches)


def longest_first(words: Iterable[str]) -> tuple[str, ...]:
    """Return the words folded, empty ones and repeats left out, longest first (so that, at a
    position, the longest word there is the one matched)."""
    return tuple(sorted(dict.fromkeys(f for w in words if (f := fold(w))), key=len, reverse=True))


def fold(text: str) -> str:
    """Return a short name folded for exact comparison (NFKC, simplified, lowercase)."""
    return " ".join(normalise(text).split())


class Rewriter:
    """Rewrite variants to canonical words, longest variant first, in one pass."""

    def __init__(
        self, table: Mapping[str, Iterable[str]], *, words: bool = False, inline: bool = False
    ) -> None:
        mapping: dict[str, str] = {}
        # Inline (typos: "考式" for "考试"), the correction takes the variant's place and
        # nothing else changes; otherwise the canonical word stands apart from its neighbours.
        self._pad = "" if inline else " "
        for canonical, variants in table.items():
            # In word mode the canonical (Chinese) word is not itself a variant: matching it
            # would split longer Chinese words around it.
            own = () if words or inline else (canonical,)
            for variant in (*own, *variants):
                key = fold(variant)
                if key and key not in mapping:
                    mapping[key] = fold(canonical) if not words else canonical
        self._map = mapping
        keys = sorted(mapping, key=len, reverse=True)
        # A Latin variant is a whole word ("gzh" is not inside "guangzhou").
        self._pattern: re.Pattern[str] | None = (
            re.compile(alternation(
                ("(?<![a-z0-9])" if words or _LATIN_EDGE.match(k[0]) else "", k,
                 "(?![a-z0-9])" if words or _LATIN_EDGE.match(k[-1]) else "")
                for k in keys
            )) if keys else None
        )

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        pad = self._pad
        return self._pattern.sub(lambda m: f"{pad}{self._map[m.group(0)]}{pad}", text)


class CueSet:
    """A set of cue phrases: CJK ones match anywhere, Latin ones as whole words."""

    def __init__(self, cues: Iterable[str]) -> None:
        folded = longest_first(cues)
        cjk = [c for c in folded if not _LATIN_WORD.search(c)]
        latin = [c for c in folded if _LATIN_WORD.search(c)]
        choices = [("", c, "") for c in cjk]
        choices += [("(?<![a-z0-9])", c, "(?![a-z0-9])") for c in latin]
        self._pattern = re.compile(alternation(choices)) if choices else None

    def find(self, text: str) -> list[str]:
        """Return the cues found in normalised text, left to right."""
        return self._pattern.findall(text) if self._pattern else []

    def found_at(self, text: str) -> list[tuple[str, int]]:
        """Return each cue found in normalised text with where it ends, left to right."""
        if self._pattern is None:
            return []
        return [(m.group(0), m.end()) for m in self._pattern.finditer(text)]

    def ends(self, text: str) -> bool:
        """Return True when the text closes with a cue (before any spaces)."""
        if self._pattern is None:
            return False
        tail = text.rstrip()[-12:]
        return any(m.end() == len(tail) for m in self._pattern.finditer(tail))

    def holds(self, text: str, blockers: tuple[str, ...]) -> bool:
        """Return True if a cue is found not right after one of the blockers (a negation or
        a denial: "不是省直", "一直没收到短信")."""
        # (Canonical words are cut apart: "不 想 找中介" is "不想找" before 中介.)
        return any(not (before.rstrip().endswith(blockers)
                        or before.replace(" ", "").endswith(blockers))
                   for cue, end in self.found_at(text)
                   for before in (text[:end - len(cue)],))

    def starts(self, text: str) -> bool:
        """Return True when the text opens with a cue (after any spaces)."""
        return bool(self._pattern.match(text.lstrip())) if self._pattern else False

    def blank(self, text: str) -> str:
        """Return the text with every cue overwritten by underscores (places kept)."""
        return self._pattern.sub(lambda m: "_" * len(m.group(0)), text) if self._pattern else text

    def strip(self, text: str) -> str:
        """Return the text with every cue removed."""
        return " ".join(self._pattern.sub(" ", text).split()) if self._pattern else text


_tokenizer: Any = None
_words_added: set[str] = set()
_lock = threading.Lock()


def tokenizer(extra_words: Iterable[str] = ()) -> Any:
    """Return the shared jieba tokenizer, initialised once, quietly, with domain words."""
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tk = jieba.Tokenizer()
            # jieba caches its parsed dictionary here; a writable temp dir keeps it off
            # the package directory.
            tk.tmp_dir = tempfile.gettempdir()
            tk.initialize()
            _tokenizer = tk
        for word in extra_words:
            if word not in _words_added and len(word) > 1 and has_cjk(word):
                _tokenizer.add_word(word, freq=200000)
                _words_added.add(word)
        return _tokenizer


def warm_up() -> None:
    """Initialise the tokenizer now (about half a second once per process)."""
    tokenizer()


_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


def cjk_bigrams(text: str) -> list[str]:
    """Return the overlapping two-character grams of each Chinese run."""
    grams: list[str] = []
    if len(text) < 2:
        return grams  # most words cut from a question are one or two characters
    for run in _CJK_RUN.findall(text):
        grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    return grams


_LATIN_RUN = re.compile(r"[a-z]+")
_VOWELS = frozenset("aeiou")
# Shorter words are left as typed: one letter apart they are often other words ("point",
# "print").
_FUZZY_MIN = 6


def _base_forms(word: str) -> list[str]:
    """Return the forms an inflected English word may come from, likeliest first."""
    forms: list[str] = []
    if word.endswith(("ies", "ied")):
        forms.append(word[:-3] + "y")
    if word.endswith("ing") and len(word) > 5:
        stem = word[:-3]
        forms += [stem, stem + "e"]
        if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS:
            forms.append(stem[:-1])
    if word.endswith("ed") and len(word) > 4:
        stem = word[:-2]
        forms += [stem, word[:-1]]
        if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS:
            forms.append(stem[:-1])
    if word.endswith("es") and len(word) > 4:
        forms.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        forms.append(word[:-1])
    if word.endswith("ly") and len(word) > 5:
        forms.append(word[:-2])
    if "is" in word:
        # British and American spellings: "recognised", "recognized".
        forms.append(word.replace("is", "iz"))
        forms.append(word.replace("iz", "is"))
    elif "iz" in word:
        forms.append(word.replace("iz", "is"))
    return forms


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class EnglishWords:
    """Bring English words the lexicon does not know to a form it knows.

    An inflection ("confirming", "registers") becomes the base form the lexicon holds, and
    a word one keystroke away from a long known word ("admisson") becomes that word: the
    lexicon then needs each term once, not every way of typing it.
    """

    def __init__(self, known: Iterable[str]) -> None:
        self._known = frozenset(w for w in known if w)
        deletions: dict[str, str] = {}
        for word in sorted(self._known):
            if len(word) >= _FUZZY_MIN:
                for gone in _deletions(word):
                    deletions.setdefault(gone, word)
        self._deletions = deletions
        self._cache: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        if not _LATIN_WORD.search(text):
            return text
        # Each word looked up once; most messages keep every word as typed.
        forms = {word: self.word(word) for word in set(_LATIN_RUN.findall(text))}
        if all(word == form for word, form in forms.items()):
            return text
        return _LATIN_RUN.sub(lambda m: forms[m.group(0)], text)

    def forget(self) -> None:
        """Drop the forms found for past questions' words."""
        self._cache.clear()

    def word(self, word: str) -> str:
        """Return the known form of one lowercase word (the word itself if none is found)."""
        if word in self._known or len(word) < 3:
            return word
        found = self._cache.get(word)
        if found is None:
            found = self._find(word)
            if len(self._cache) < 4096:
                self._cache[word] = found
        return found

    def _find(self, word: str) -> str:
        for form in _base_forms(word):
            if form in self._known:
                return form
        if len(word) + 1 < _FUZZY_MIN:
            return word
        if word in self._deletions:
            return self._deletions[word]  # a letter left out
        for gone in sorted(_deletions(word)):
            if gone in self._known and len(gone) >= _FUZZY_MIN:
                return gone  # a letter too many
            if gone in self._deletions:
                return self._deletions[gone]  # a letter mistyped or two swapped
        return word
