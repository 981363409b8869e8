"""Text clean-up shared by readers, parser and search: NFC, control characters, reflow."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Keep tab and newline; drop other control (Cc) and format (Cf) characters such as
# NUL, form feed, zero-width space, soft hyphen and stray byte-order marks.
_KEEP = {"\t", "\n"}
HANGUL = "\uac00-\ud7a3"
SENTENCE_END = re.compile(r"(?:[.!?。]|[다함음임됨][.]?)[\"'”’)\]]*$")


def clean_text(text: str) -> str:
    """NFC-normalise and remove control characters; NFD Hangul never matches NFC in FTS."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    return "".join(ch for ch in text if ch in _KEEP or unicodedata.category(ch) not in ("Cc", "Cf"))


def squash(text: str) -> str:
    """Text with all whitespace removed, for comparing names and phrases (``str.split``
    splits at exactly the characters ``\\s`` matches, and costs less than a regex)."""
    return "".join(text.split())


@lru_cache(maxsize=1)
def kiwi():
    """The shared Kiwi analyser (loading its model takes about a second)."""
    from kiwipiepy import Kiwi

    return Kiwi()


def join_lines(prev: str, nxt: str) -> str:
    """Join a hard-wrapped line to its continuation, with a space only where one belongs.

    Reports converted from HWP/PDF break lines inside words ("유\\n\\n통의"); a break
    after trailing whitespace or punctuation is a word break, otherwise Kiwi's spacing
    model decides whether the two halves are one word.
    """
    nxt = nxt.strip()
    if not prev:
        return nxt
    if not nxt:
        return prev
    if prev[-1].isspace():
        return prev.rstrip() + " " + nxt
    last, first = prev[-1], nxt[0]
    if not ("\uac00" <= last <= "\ud7a3" and "\uac00" <= first <= "\ud7a3"):  # both Hangul syllables
        # Latin, digits, punctuation: a line break there is a word break, except
        # after a joining mark such as the middle dot in "효율화․\\n산업화".
        if last in "․‧·ㆍ/(~" or first in ")․‧·ㆍ,.":
            return prev + nxt
        return prev + " " + nxt
    left = prev.rsplit(None, 1)[-1]
    right = nxt.split(None, 1)[0]
    spaced = kiwi().space(left + right, reset_whitespace=True)
    # Did Kiwi put a space exactly at the join point?
    count = 0
    for i, ch in enumerate(spaced):
        if ch.isspace():
            continue
        count += 1
        if count == len(left):
            joined = spaced[i + 1 : i + 2].isspace()
            return prev + (" " if joined or _names_after_noun(left, right) else "") + nxt
    return prev + nxt


def _names_after_noun(left: str, right: str) -> bool:
    """Whether a line that Kiwi would join to the one before starts a word of its own:
    Kiwi writes two nouns as one compound, so where that compound is a word it does not
    know but the two halves are nouns it knows ("주도" + "볼로냐와" -> 주도볼로냐), the line
    break was a space. A word cut in two is whole again (데이 + 터베이스 -> 데이터베이스) or
    leaves halves Kiwi does not know."""
    whole = [t for t in kiwi().tokenize(left + right) if t.start < len(left) < t.end]
    if not whole or not whole[0].oov:
        return False
    last, first = kiwi().tokenize(left)[-1:], kiwi().tokenize(right)[:1]
    return (
        bool(last and first)
        and all(not t.oov and t.tag in ("NNG", "NNP") and t.len >= 2 for t in (last[0], first[0]))
        and last[0].end == len(left)
        and first[0].start == 0
    )


def ends_sentence(text: str) -> bool:
    # Only the tail is searched: paragraphs grow line by line, and a search over the
    # whole text each time made parsing quadratic.
    return bool(SENTENCE_END.search(text[-16:].rstrip()))


_SENTENCE_SPLIT = re.compile(rf"(?<=[{HANGUL}A-Za-z)\]][.!?])\s+|(?<=[다함음임됨][.])\s*(?=\S)")


def split_sentences(text: str) -> list[str]:
    """Split Korean prose at sentence ends, never inside numbers such as "2019. 12."."""
    parts = [p.strip() for p in _SENTENCE_SPLIT.split(text)]
    return [p for p in parts if p]


# Where a run of text without sentence ends may still be cut: before an inline bullet
# (□ ○ ❍ ◦ • ▶ ※ -), after a noun-form ending (추진함, 필요함, 있음, 예정임, 완료됨).
_SOFT_BREAK = re.compile(r"\s+(?=[□■○●❍◦•▶▷※◆◇-]\s)|(?<=[함음임됨])\s+")


def split_long(text: str, size: int) -> list[str]:
    """Cut ``text`` into pieces of about ``size`` characters or less: at sentence ends,
    else at soft breaks, else at spaces, else anywhere (a report whose line breaks were
    lost, or a run of words that never ends a sentence)."""
    out: list[str] = []
    for sentence in split_sentences(text):
        for part in [sentence] if len(sentence) <= size else _SOFT_BREAK.split(sentence):
            while len(part) > size:
                cut = part.rfind(" ", size // 2, size)
                cut = cut if cut > 0 else size
                out.append(part[:cut].strip())
                part = part[cut:].strip()
            if part:
                out.append(part)
    return out


# What may stand before a field's label: bullets, or a number ("라.", "3)", "(2)", "1-4.", "4").
_LABEL_PREFIX = re.compile(r"^(?:[^\w]|ㅇ|\d{1,2}(?:[-.]\d{1,2})*[.)]?|[가-하][.)]|\(\d{1,2}\))+")


def split_label(line: str) -> tuple[str, str] | None:
    """A "label : value" line as (label without spaces or bullet, value):
    "ㅇ 출 장 지 : 호주 시드니" -> ("출장지", " 호주 시드니"); None without a colon."""
    m = re.search(r"[:：]", line)
    if not m:
        return None
    return _LABEL_PREFIX.sub("", squash(line[: m.start()])), line[m.end() :]
