"""Korean text analysis for full-text search: the same analysis on chunks and queries.

FTS5's own tokenizers fail on Korean: unicode61 keeps particles on words (출장보고서에서
never matches 출장보고서) and trigram misses every two-syllable word (정책). kb indexes
a morpheme-analysed copy of each chunk instead, made by Kiwi:

- content morphemes (nouns, verb and adjective stems, roots, foreign words, Chinese
  characters, numbers), particles and endings dropped;
- long compound nouns also as their parts and adjacent pairs of parts, split by Kiwi's
  spacing model (국제빅데이터밸리 -> 국제, 빅데이터, 밸리, 국제빅데이터, 빅데이터밸리),
  so a query for 빅데이터밸리 finds it;
- mixed Latin-digit codes as written (OZ3543), Chinese names as one token (仙桃国际大数据谷);
- every place mention also as the place's Korean name, so 귀양 and 貴陽 find 구이양.

Institution and place names go into Kiwi's user dictionary so it keeps them whole.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

from kb.errors import QueryError
from kb.places import READING, Gazetteer
from kb.textutil import HANGUL, squash

KEEP_TAGS = {"NNG", "NNP", "NR", "XR", "VV", "VA", "SL", "SH", "SN", "W_URL", "W_EMAIL", "W_HASHTAG", "W_SERIAL"}
STOP = {"하", "되", "있", "없", "않", "같", "위하", "통하", "대하", "이러하", "그러하"}
ENGLISH_STOP = set(
    "a an the of in on at for to and or is are was were be been do does did how what which who whom why when "
    "where with by from about into than that this these those it its as".split()
)
_HANGUL = re.compile(f"[{HANGUL}]")
_HANGUL_WORD = re.compile(f"[{HANGUL}]+")
_CODE = re.compile(r"[A-Za-z]+[0-9][A-Za-z0-9]*|[0-9]+[A-Za-z][A-Za-z0-9]*")
_POSSESSIVE = re.compile(r"(?<=[A-Za-z])['’]s(?![A-Za-z])")


def query_text(query: str) -> str:
    """A user's query as it is analysed: NFC, English possessives dropped ("China's" is
    China, not China and a word "s" that every "s/w" in a report holds)."""
    return _POSSESSIVE.sub("", unicodedata.normalize("NFC", query or ""))


@lru_cache(maxsize=1)
def _kiwi():
    """The process's analysis Kiwi. Loading takes a second and every batch of new user
    words another, so all analyzers share one; its dictionary only grows, and since
    names are indexed both whole and in parts, a larger dictionary never loses a match.
    (Reflow in kb.textutil keeps a Kiwi of its own, so stored text never depends on it.)"""
    from kiwipiepy import Kiwi

    # Without the typo and multi-word dictionaries Kiwi loads in 0.4 s instead of 0.8 and
    # analyses its first text in 0.6 s instead of 1.4 (every `kb search` pays both). Search
    # loses nothing: a multi-word name (포틀랜드 국제공항) is then also found by its parts.
    return Kiwi(load_typo_dict=False, load_multi_dict=False)


@lru_cache(maxsize=1)
def _glossary() -> dict[str, tuple[str, ...]]:
    """English words and phrases of the trips' subjects with their Korean renderings
    (kb/glossary.tsv: ``english<TAB>korean,korean``): reports are in Korean, and a
    query in English otherwise matches only names."""
    out = {}
    for line in (Path(__file__).parent / "glossary.tsv").read_text(encoding="utf-8").splitlines():
        english, _, korean = line.partition("\t")
        if korean:
            out[english.strip()] = tuple(k.strip() for k in korean.split(",") if k.strip())
    return out


SYNONYMS = Path(__file__).parent / "synonyms.tsv"


@lru_cache(maxsize=2)
def _synonym_groups(path: Path = SYNONYMS) -> dict[str, list[tuple[str, ...]]]:
    """Korean words that a search takes for one another (kb/synonyms.tsv: a group of
    words a line, the everyday word a user types beside the administrative one a report
    writes: 땅 토지, 걷다 징수하다, 사복 평상복), by word: what each is in."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        group = tuple(w.strip() for w in line.split(",") if w.strip())
        if len(group) > 1 and not line.startswith("#"):
            for word in group:
                out.setdefault(word, []).append(group)
    return out


def _forms(word: str) -> list[str]:
    """An English word and what it may be inflected from, most likely first: plurals
    (cities city, buses bus, houses house) and past tenses (donated donate, banned ban),
    by rule; the first the glossary knows is the one looked up."""
    out = [word]
    if len(word) > 4 and word.endswith("ies"):
        out.append(word[:-3] + "y")
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        out += [word[:-1], word[:-2]] if word.endswith("es") else [word[:-1]]
    if len(word) > 4 and word.endswith("ed"):
        out += [word[:-1], word[:-2]] + ([word[:-3]] if word[-3] == word[-4] else [])
        if word.endswith("ied"):
            out.append(word[:-3] + "y")
    return out


def _key(word: str) -> str:
    """An English word as the glossary's keys spell it: lower case, letters and hyphens."""
    return re.sub(r"[^a-z-]", "", word.lower())


def _lookup(key: str) -> tuple[str, ...]:
    """The glossary's Korean words for an English word or two-word phrase (its last
    word's inflections folded), or none."""
    head, _, last = key.rpartition(" ")
    for form in _forms(last):
        found = _glossary().get(f"{head} {form}" if head else form)
        if found:
            return found
    return ()


def _entry(word: str) -> str:
    """A dictionary word in the sentence Kiwi reads it right in: alone, 댐 is read as the
    verb 대다, 사서 as 사다, 하구 as 하다; "댐이다." is the noun (and "걷다." the verb)."""
    return f"{word}." if word.endswith("다") else f"{word}이다."


_ADDED: set[str] = set()
REBUILD = "\ue000"  # a private-use character: the start of forms added only to make Kiwi rebuild
_LOCK = threading.RLock()


@lru_cache(maxsize=100_000)
def _parts(word: str) -> tuple[str, ...]:
    """Parts of a compound noun by Kiwi's spacing model, and adjacent pairs of parts."""
    parts = _kiwi().space(word).split()
    if len(parts) < 2:
        return ()
    joined = [a + b for a, b in zip(parts, parts[1:], strict=False)]
    return tuple(p for p in parts + joined if len(p) >= 2 and p != word)


ABBREVIATION_MIN = 3  # syllables of the shortest short form (서울시, 환경국)


def abbreviates(short: str, long: str) -> bool:
    """Whether ``short`` is ``long`` shortened the common Korean way, its head kept with
    the category syllable that ends it: 서울특별시 서울시, 환경보호국 환경국,
    가오신기술산업개발구 가오신구. A word that only starts ``long`` (박람회 of
    박람회협회) is not its short form."""
    return (
        len(short) >= ABBREVIATION_MIN
        and len(long) >= len(short) + 2
        and long.startswith(short[:-1])
        and long[-1] == short[-1]
        and not long.startswith(short)
        and _HANGUL_WORD.fullmatch(short + long) is not None
    )


def content_terms(tokens) -> list[str]:
    """The search terms of Kiwi's tokens: content morphemes (irregular stems too: Kiwi
    tags 짓다's 짓 VV-I), a noun after a prefix also with it (비대면: 대면 and 비대면, so
    that 비대면 is not only 대면), long nouns also by their parts."""
    out: list[str] = []
    prev = None
    for tok in tokens:
        tag = tok.tag.partition("-")[0]
        if tag in KEEP_TAGS:
            form = tok.form.lower()
            if tag == "SN":
                form = re.sub(r"(?<=\d),(?=\d)", "", form)
            if form not in STOP:
                out.append(form)
                if tag in ("NNG", "NNP") and prev is not None and prev.tag == "XPN" and prev.end == tok.start:
                    out.append(prev.form + form)
                if tag in ("NNG", "NNP") and len(form) >= 4 and _HANGUL.search(form):
                    out.extend(_parts(form))
        prev = tok
    return out


class Analyzer:
    """Turns text into search terms, knowing a database's places and institutions."""

    def __init__(self, gazetteer: Gazetteer, words: list[str] = (), lazy: bool = False):
        """``lazy``: give Kiwi a name only when a text to analyse contains it. A search
        analyses a few short texts, and each name costs a spacing analysis and Kiwi a
        dictionary rebuild (1.4 s and 1 s for the sample database's 632 names, in every
        new process); a name absent from a text cannot change how Kiwi reads it, so the
        terms are the same as with every name given at once (as ingest does, in batches)."""
        self.gazetteer = gazetteer
        self.kiwi = _kiwi()
        self.lazy = lazy
        self._waiting: set[str] = set()  # words not yet given to Kiwi
        self._recent: dict[tuple[str, int], tuple[str, ...]] = {}
        # Readings of the glossary's and synonym table's words: reference data, which
        # forget() keeps (a server soon has the common ones; the two files hold 6,000).
        self._dictionary: dict[tuple[str, int], tuple[str, ...]] = {}
        self.add_words(words)

    @classmethod
    def from_db(cls, db, gazetteer: Gazetteer | None = None, lazy: bool = False) -> Analyzer:
        gazetteer = gazetteer or Gazetteer.from_db(db)
        names = [
            r["alias"]
            for r in db.query(
                "select a.alias from place_aliases a join places p on p.id = a.place_id "
                "where (a.source != 'geonames' or p.kind = 'country' or p.population >= 1000000) "
                "and a.ambiguous < 2"  # not words that need evidence to be places (후에, 선전)
            )
        ]
        names += [r["name"] for r in db.query("select distinct name from institutions")]
        return cls(gazetteer, names, lazy)

    def add_words(self, names) -> None:
        """Teach Kiwi the Hangul words of place and institution names (at the next
        analysis, so that words given in several calls cost one dictionary rebuild)."""
        self._waiting.update(w for name in names for w in re.split(f"[^{HANGUL}]+", name) if len(w) >= 2)

    def learn_names(self) -> None:
        """Give Kiwi every waiting name now: one dictionary rebuild (a second) instead of
        one (0.4 s) on the first query that holds each name - for a server, at its start."""
        with _LOCK:
            self._sync(None)

    def _sync(self, text: str | None) -> None:
        """Give Kiwi the waiting words (lazily: those in ``text``; all without a text).
        Their parts are worked out first, by the spacing model without them, so a name
        Kiwi now keeps whole (빅데이터밸리) is still found by its parts (밸리)."""
        new = {w for w in self._waiting if w in text} if self.lazy and text is not None else set(self._waiting)
        self._waiting -= new
        new -= _ADDED
        for word in sorted(new):
            _parts(word)
        inserted = False
        for word in sorted(new):
            _ADDED.add(word)
            inserted |= self.kiwi.add_user_word(word, "NNP", 0.0)
        if new and not inserted:
            # Kiwi (0.24) takes a word it knows already (원탁회의) only when it next
            # rebuilds, which only a word new to it causes: until then a text would be
            # read one way here and another in a fresh process. A form no text holds
            # makes it rebuild now.
            self.kiwi.add_user_word(f"{REBUILD}{len(_ADDED)}", "NNP", 0.0)

    def forget(self) -> None:
        """Forget the short texts analysed (benchmarks time fresh analyses)."""
        with _LOCK:
            self._recent.clear()

    def terms(self, text: str) -> list[str]:
        """The search terms of ``text``, in order, with repeats (they count in BM25).

        Short texts' terms are remembered: one search analyses its query, then each of
        its words, then the query again for highlighting."""
        text = unicodedata.normalize("NFC", text)
        with _LOCK:  # Kiwi is shared, and Datasette searches from several threads
            self._sync(text)
            key = (text, len(_ADDED))  # Kiwi's dictionary only grows: its size is its version
            if key in self._recent:
                return list(self._recent[key])
            out = self._terms(text, self.kiwi.tokenize(text))
            if len(text) <= 100:
                if len(self._recent) >= 10_000:
                    self._recent.clear()
                self._recent[key] = tuple(out)
            return out

    def _terms(self, text: str, tokens, places: bool = True) -> list[str]:
        out = content_terms(tokens)
        out.extend(m.group(0).lower() for m in _CODE.finditer(text))
        if places:
            out.extend(m.place.name for m in self.places(text))
        return out

    def places(self, text: str) -> list:
        """The place mentions of ``text`` (:meth:`Gazetteer.find`), weak aliases judged by
        this analyzer's Kiwi rather than a second model loaded for the purpose."""
        with _LOCK:
            return self.gazetteer.find(text, tokenize=self.kiwi.tokenize)

    def word_terms(self, query: str) -> list[tuple[str, set[str]]]:
        """Each word of a query with its search terms (words without any left out); an
        English word also with the terms of its Korean translations (kb/glossary.tsv),
        so that "library" finds 도서관."""
        raw = query_text(query).split()
        korean = self.translations(raw)
        words = []
        for word, extra in zip(raw, korean, strict=True):
            terms = {t for t in self.terms(word) if t not in ENGLISH_STOP}
            terms |= extra | self.synonyms(terms) | self.readings(terms)
            if terms and all(terms != seen for _, seen in words):  # "year on year" asks once
                words.append((word, terms))
        return words

    def translations(self, words: list[str]) -> list[set[str]]:
        """For each word, the Korean search terms of its glossary entries: the word's own
        (plurals and past tenses folded) and those of a two-word phrase it is part of."""
        keys = [_key(w) for w in words]
        out: list[set[str]] = [set() for _ in words]
        for i, key in enumerate(keys):
            if len(key) < 2:
                continue
            for korean in _lookup(key):
                out[i].update(self._word_terms(korean))
            if i + 1 < len(keys) and keys[i + 1]:
                phrase = f"{key} {keys[i + 1]}"
                for korean in _lookup(phrase):
                    found = self._word_terms(korean)
                    out[i].update(found)
                    out[i + 1].update(found)
        return out

    def in_korean(self, query: str) -> str | None:
        """An English query in the reports' words, for a second embedding beside its own
        (multilingual-e5-small matches Korean to Korean better than English to Korean):
        place names in Korean, each word or two-word phrase the glossary knows as its
        first rendering, function words dropped, others kept. None for a query that is
        not mostly Latin letters, or that nothing changes."""
        query = query_text(query)
        letters = [c for c in query if c.isalpha()]
        if not letters or sum(c.isascii() for c in letters) * 2 <= len(letters):
            return None
        text = query
        for m in sorted(self.places(query), key=lambda m: -m.start):
            text = text[: m.start] + m.place.name + text[m.start + len(m.alias) :]
        words = text.split()
        keys = [_key(w) for w in words]
        out, i = [], 0
        while i < len(words):
            pair = _lookup(f"{keys[i]} {keys[i + 1]}") if i + 1 < len(keys) and keys[i] and keys[i + 1] else ()
            found = pair or (_lookup(keys[i]) if len(keys[i]) >= 2 else ())
            if found:
                out.append(found[0])
            elif keys[i] not in ENGLISH_STOP:
                out.append(words[i])
            i += 2 if pair else 1
        korean = " ".join(out)
        return korean if korean != query else None

    def synonyms(self, terms, path: Path = SYNONYMS) -> set[str]:
        """The terms of the words that mean the same as ``terms`` (kb/synonyms.tsv). A
        term is a word of the table read whole (토지; a verb as its stem: 걷다 걷, 징수하다
        징수), and so are the words it brings. Others are left out: one Kiwi reads in
        parts (거대자료: 거대 자료) would find every chunk with 자료, one read as less
        than itself (비대면's 대면) would find 대면 for 온라인. Only the words that could
        be the terms' are read, not the whole table (0.7 s)."""
        groups = _synonym_groups(path)
        out: set[str] = set()
        for term in terms:
            for word in (term, f"{term}다", f"{term}하다"):
                if word in groups and self._stem(word) == term:
                    out.update(s for group in groups[word] for w in group if (s := self._stem(w)))
        return out - set(terms)

    def readings(self, terms) -> set[str]:
        """The cities that terms name by the Korean reading of their Chinese characters
        (중경: 충칭). In a query such a word also means the city; in a text it counts as
        the city only with a sign of a place beside it (``kb.places.READING``)."""
        g = self.gazetteer
        return {g.lookup(t).name for t in terms if g.level(t) == READING} - set(terms)

    def _stem(self, word: str) -> str | None:
        """The term a dictionary word is read as whole (a verb as its stem), or None."""
        terms = self._word_terms(word)
        return next((s for s in (word, word.removesuffix("다"), word.removesuffix("하다")) if s in terms), None)

    def _word_terms(self, word: str) -> list[str]:
        """The terms of a dictionary word (a glossary rendering, a synonym): Kiwi's reading
        of it in its carrier sentence (:func:`_entry`), without the place lookup
        (a translation is not a place mention, and 기후 or 자료 would otherwise make the
        gazetteer load a second Kiwi to rule them out as places: 1.5 s and 400 MB)."""
        with _LOCK:
            key = (word, len(_ADDED))
            if key not in self._dictionary:
                self._sync(word)
                key = (word, len(_ADDED))  # the word may have taught Kiwi a name
                found = self._terms(word, self.kiwi.tokenize(_entry(word)), places=False)
                self._dictionary[key] = tuple(t for t in found if t not in ENGLISH_STOP)
            return list(self._dictionary[key])

    def index_text(self, text: str) -> str:
        """What goes into the FTS5 index for ``text``."""
        return " ".join(self.terms(text))

    def chunk_terms(self, text: str, section: str, title: str = "", issuer: str = "") -> tuple[str, str]:
        """A chunk's row for the ``chunk_terms`` index: its text's terms and its context's."""
        return self.index_text(text), self.context_terms(section, title, issuer)

    def context_terms(self, section: str, title: str = "", issuer: str = "") -> str:
        """The terms of a chunk's section with its report's title and, where the title does
        not name it, the issuing body: a question names the trip it asks about (a
        participants list matches "포틀랜드 출장 명단" by its report's title, an overview
        "늘봄구 독일 출장 기간" by its issuer)."""
        issuer = "" if issuer and squash(issuer) in squash(title) else issuer
        return " ".join(self.index_text(part) for part in (section, title, issuer) if part)

    def match_terms(self, query: str) -> list[str]:
        """The distinct terms of a user's query, or a QueryError saying why there are none."""
        query = query_text(query).strip()
        if not query:
            raise QueryError("empty query: type a few words to search for")
        terms = [t for t in dict.fromkeys(self.terms(query)) if t not in ENGLISH_STOP]
        terms += sorted(self.synonyms(terms) | self.readings(terms))
        terms += [
            t
            for t in dict.fromkeys(t for word in self.translations(query.split()) for t in sorted(word))
            if t not in terms
        ]
        if not terms:
            raise QueryError(f"nothing to search for in {query!r}: use words, not only punctuation")
        return terms

    def match(self, query: str) -> str:
        """An FTS5 MATCH expression for a user's query."""
        return fts_match(self.match_terms(query))


def fts_match(terms: list[str]) -> str:
    """Terms OR-ed, each quoted, so FTS syntax in user input (- ' " . @ # = * ( )) can
    never cause an error or change the query."""
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
