"""Hybrid search over chunks: the library function the CLI and the Datasette plugin call.

Full text (BM25 on Kiwi morphemes) and vectors (cosine on the embeddings) each give a
ranked list; reciprocal-rank fusion merges them, and each result keeps both ranks so a
user can see why it matched. Findings and implications win ties.
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from kb import copies, dates, fulltext, kinds, travellers, vectors
from kb.analysis import ABBREVIATION_MIN, ENGLISH_STOP, Analyzer, QueryError, abbreviates, query_text
from kb.errors import SearchError
from kb.places import Gazetteer

if TYPE_CHECKING:
    from kb.knowledge import KnowledgeBase

MODES = ("hybrid", "fts", "semantic")
KINDS = kinds.KEYS
# When two results score the same, lessons come first, then facts, then lists.
TIE_BREAK = {k: 1e-7 * (len(kinds.TIE_ORDER) - i) for i, k in enumerate(kinds.TIE_ORDER)}


@dataclass(frozen=True)
class Intent:
    """A kind of question (who went, when, what was learnt), known by its cue words, and
    the chunk kinds that answer it; of those, the kinds in ``proven`` answer only where
    their text does (``proof``): a visit answers "when" by its 일시 line, not by its
    findings, and an overview (or a letter's plain text) that gives only the dates does not
    say who went."""

    cues: re.Pattern  # matched in the lower-cased query (cue_pattern)
    answers: frozenset[str]
    proven: frozenset[str] = frozenset()
    proof: Callable[[str], bool] | None = None

    def answered_by(self, kind: str, text: str) -> bool:
        return kind in self.answers and (kind not in self.proven or self.proof(text))


def cue_pattern(korean: tuple[str, ...], english: tuple[str, ...], opening: str = "", forms: str = "") -> re.Pattern:
    """One pattern of a question's cues: Korean words inside words (명단을, 일정은), English
    ones as whole words, ``opening`` only as the query's first English word ("who went",
    not "seniors who cannot leave home"), and ``forms``, cues whose neighbours decide."""
    alternatives = [re.escape(w) for w in korean] + [rf"(?<![a-z]){re.escape(w)}(?![a-z])" for w in english]
    if opening:
        alternatives.append(rf"^[^a-z]*{opening}(?![a-z])")
    if forms:
        alternatives.append(forms)
    return re.compile("|".join(alternatives))


def intents(query: str) -> tuple[Intent, ...]:
    """What a query asks for (see INTENTS); none for a plain topic query."""
    low = query.lower()
    return tuple(i for i in INTENTS if i.cues.search(low))


RRF_K = 60
MIN_WORDS = 0.4  # share of the query's words a full-text match must contain
# What a question asks for, by its words: who went, when, or what was learnt. Chunks that
# answer it get INTENT_BOOST. Korean cues match inside words (명단을, 일정은), English ones
# as words. Measured with bench/quality.py: MRR@10 on who/when questions 0.45 -> 0.75
# (tuning set) and 0.49 -> 0.84 (held-out set). A visit answers "when" only where it states
# a date: on the who/when questions read for ideas (the even lines of fresh_whowhen.jsonl)
# 0.819 -> 0.841, on final.jsonl's 0.592 -> 0.642 (one query 2 -> 1); no other set moved.
# An overview answers "who" only where it counts or names people, and "when" only where it
# states a date: 19 queries of 1,207 up (tuning file who/when 0.95 -> 1.00, held-out sets'
# 0.65 -> 0.70, seeds2's 0.59 -> 0.63), none down. Questions of the hour or the day
# ("what time", "몇 시", "which day") and of how many officials: 6 up (2 in halves never
# read), none down; "how long" asked as often for a length as for a stay (2 down). Who went
# in other words (같이 간 사람, 동행): 1 up (never read), none down; not 이름 or "names",
# which ask as often for a park's or an institution's name.
# 기간, 요일 and 며칠 ask only in the forms of the when-cues' ``forms``: a day named ("토요일 주민
# 개방") or another thing's period ("배터리 보증 기간") had boosted itineraries; 5 keyword and
# paraphrase questions up (2 in halves never read), none down, on 1,342 queries.
# A letter-style report's plain text (no headings: "text" chunks) answers who or when on
# the same terms as an overview, where it names people or states a date: 4 who-questions up
# in their own collections (held-out 4 -> 2, final - -> 1, two written later - -> 5), none
# down; in one database of all reports the held-out who/when MRR@10 0.68 -> 0.69.
# A purpose paragraph that states a date answers "when" too ("연수는 지난 10월 29일(월)부터
# 11월 5일(월)까지 …", told where the trip's reasons are): 2 up, 1 down by one place, of 1,387
# queries in their own collections; none of 45 written later moved.
INTENTS: tuple[Intent, ...] = (
    Intent(
        cue_pattern(
            ("명단", "인원", "몇 명", "몇명", "누가", "누구", "출장자", "참가자", "참석자", "단장", "구성")
            + ("동행", "같이 간", "함께 간", "간 사람", "다녀온 사람"),
            ("members", "delegation", "participants", "how many people", "how many members", "how many officials")
            + ("how many councillors", "how many delegates", "who led", "accompanied"),
            opening="who",
        ),
        frozenset({"participants", "overview", "text"}),
        frozenset({"overview", "text"}),
        travellers.states_people,
    ),
    Intent(
        cue_pattern(
            ("언제", "일정", "날짜", "몇 시", "몇시", "몇 박", "몇박"),
            ("schedule", "itinerary", "dates", "what day", "what time", "what date", "which day", "which date"),
            opening="when",
            # the trip's period ("출장 기간", "다녀온 기간", "인원과 기간"), not another's ("보증 기간");
            # how many days, not days on end (며칠째); which day, not a day named (토요일 행사)
            forms=r"(?:출장|연수|방문|여행|견학|시찰|순방|답사|다녀온|머문|[과와및])\s?기간|^기간|며칠(?!째)|(?:무슨|어느|몇)\s?요일",
        ),
        frozenset({"itinerary", "overview", "visit", "text", "purpose"}),
        frozenset({"overview", "visit", "text", "purpose"}),
        dates.states_date,
    ),
    Intent(
        cue_pattern(
            ("시사점", "교훈", "건의", "제언", "적용", "활용방안", "활용 방안", "배울"),
            ("lesson", "lessons", "recommend", "recommendations", "implication", "implications", "takeaway")
            + ("apply", "adopt"),
        ),
        frozenset({"implication", "conclusion"}),
    ),
)
INTENT_BOOST = 1.3
# A cover page names the trip, so a question about the trip matches it by its words, yet
# it answers none: under a question that asks for kinds it counts 1 / INTENT_BOOST. On 45
# who/when questions written later (tests/data/queries/fresh_whowhen.jsonl; the cover came
# first in 5), MRR@10 0.612 -> 0.633 (the half read for ideas 0.603 -> 0.637, the half
# never read 0.621 -> 0.629); no other query set moved by more than 0.002.
NOT_ANSWERS = frozenset({"cover"})
# A year a question names is its trip's: a chunk of a trip in another year is no answer
# ("2018년 충칭 출장 기간" found the 2019 trip's dates first). 3 queries up in their own
# collections, 4 in one database of 91 reports (2 of them never read), none down.
QUERY_YEAR = re.compile(rf"(?<!\d)({dates.YEAR4})(?!\d)")
CANDIDATES = 100  # how deep each list goes before fusion
MAX_QUERY = 1000  # characters
MAX_LIMIT = 200
MAX_OFFSET = 10_000  # deeper pages would rank (and read) more candidates than is sensible


@dataclass
class Filters:
    kind: list[str] = field(default_factory=list)
    place: str | None = None
    country: str | None = None
    institution: str | None = None
    report: int | None = None
    since: int | None = None
    until: int | None = None


@dataclass
class Result:
    chunk_id: int
    report_id: int
    report_title: str | None
    kind: str
    section: str | None
    institution: str | None
    place: str | None
    country: str | None
    trip_start: str | None
    trip_end: str | None
    text: str
    snippet: str
    score: float
    fts_rank: int | None
    vector_rank: int | None
    matched: list[str] = field(default_factory=list)  # the query's words found in the chunk (or its section)
    cosine: float | None = None  # of the chunk's vector and the query's
    same_as: list[int] = field(default_factory=list)  # chunks of other reports with the same text (copies)

    def to_dict(self) -> dict:
        return asdict(self)


def _filter_sql(f: Filters, gazetteer: Gazetteer) -> tuple[str, list]:
    """SQL conditions on chunks c joined with reports r, and their parameters."""
    where, params = [], []
    wanted = [k for k in f.kind if k]
    bad = [k for k in wanted if k not in KINDS]
    if bad:
        raise SearchError(f"unknown kind {bad[0]!r}; use one of: {', '.join(KINDS)}")
    if wanted:
        where.append(f"c.kind in ({','.join('?' * len(wanted))})")
        params += wanted
    if f.place:
        place = gazetteer.lookup(f.place)
        if place is None:
            raise SearchError(f"unknown place {f.place!r}: give a city or country name such as 충칭, 구이양 or 중국")
        if place.kind == "country":
            where.append("c.country = ?")
            params.append(place.country)
        else:
            where.append("c.place_id = ?")
            params.append(place.id)
    if f.country:
        place = gazetteer.lookup(f.country)
        if place is None:
            raise SearchError(f"unknown country {f.country!r}: give a country name such as 중국 or 일본")
        where.append("c.country = ?")
        params.append(place.country)
    if f.institution:
        where.append("c.institution_id in (select id from institutions where name like ?)")
        params.append(f"%{f.institution}%")
    if f.report is not None:
        where.append("c.report_id = ?")
        params.append(int(f.report))
    if f.since is not None:
        where.append("r.year >= ?")
        params.append(int(f.since))
    if f.until is not None:
        where.append("r.year <= ?")
        params.append(int(f.until))
    return (" and ".join(where) or "1"), params


def _check(limit: int, offset: int, mode: str) -> None:
    if not 1 <= int(limit) <= MAX_LIMIT:
        raise SearchError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    if not 0 <= int(offset) <= MAX_OFFSET:
        raise SearchError(f"offset must be between 0 and {MAX_OFFSET}, not {offset}")
    if mode not in MODES:
        raise SearchError(f"unknown mode {mode!r}; use one of: {', '.join(MODES)}")


def search(
    base: KnowledgeBase,
    query: str,
    *,
    limit: int = 10,
    offset: int = 0,
    filters: Filters | None = None,
    mode: str = "hybrid",
    model: str | None = None,
    index_mode: str = "auto",
) -> list[Result]:
    """Search chunks for ``query``; best first. Raises SearchError/QueryError for bad input."""
    _check(limit, offset, mode)
    query = (query or "").strip()
    if not query:
        raise QueryError("empty query: type a few words to search for")
    if len(query) > MAX_QUERY:
        raise SearchError(f"query is too long ({len(query)} characters; the limit is {MAX_QUERY})")
    filters = filters or Filters()
    db, analyzer = base.db, base.analyzer()
    where, params = _filter_sql(filters, analyzer.gazetteer)
    depth = max(CANDIDATES, offset + limit)
    allowed = _allowed(db, where, params)
    fts: list[int] = []
    coverage = 0.0
    words = analyzer.word_terms(query)  # for the full-text floor and each result's `matched`
    if mode in ("hybrid", "fts"):
        try:
            terms = analyzer.match_terms(query)
        except QueryError:
            if mode == "fts":
                raise
            terms = []  # nothing to match by words: let the vectors answer
        if terms:
            index = base.term_index()
            forms = [_long_forms(index, analyzer.gazetteer, ts) for _, ts in words]
            words = [(w, ts | more) for (w, ts), more in zip(words, forms, strict=True)]
            terms += sorted(set().union(*forms) - set(terms))
            fts, coverage = _full_text(index, [ts for _, ts in words], terms, allowed, depth)
    vec: list[int] = []
    cosine = None
    # A database ingested with --no-embed has no vectors yet: hybrid search then answers
    # by words alone (each result's vector_rank is None), semantic search says what to run.
    if mode == "semantic" or (mode == "hybrid" and base.has_vectors()):
        embedder = base.embedder(model)
        qvec = search_vector(base, analyzer, query, embedder)
        hits = _nearest(base, embedder.model_id, qvec, depth, allowed, index_mode)
        vec = vectors.best_sentences_first(base.db, embedder.model_id, qvec, hits)
        cosine = Cosine(embedder.model_id, qvec)
    # The full-text list counts as much as the share of the query's words the collection
    # holds at all (squared): for an English question over Korean reports, where only a
    # place name matches, words say little, and the vectors should rank.
    weight = coverage**2 if vec else 1.0
    return fuse(db, fts, vec, offset, limit, analyzer, query, words, cosine, weight, intents(query))


def search_vector(base: KnowledgeBase, analyzer: Analyzer, query: str, embedder) -> np.ndarray:
    """The vector a search looks with: the query's, and for an English query the average
    of its own and its Korean rendering's (multilingual-e5-small matches Korean to Korean
    better than English to Korean)."""
    qvec = base.query_vector(query, embedder)
    korean = analyzer.in_korean(query)
    if korean:
        both = qvec + base.query_vector(korean, embedder)
        qvec = (both / np.linalg.norm(both)).astype(np.float32)
    return qvec


def _long_forms(index: fulltext.TermIndex, gazetteer: Gazetteer, terms: set[str]) -> set[str]:
    """The collection's names that ``terms`` shorten (:func:`kb.analysis.abbreviates`): a
    query's 가오신구 finds a table's 가오신기술산업개발구. Place names are left to the
    gazetteer, which knows which are the same place (구리시 is not 구리스마트도시)."""
    out = set()
    for term in terms:
        if len(term) >= ABBREVIATION_MIN and gazetteer.lookup(term) is None:
            out.update(long for long in index.with_prefix(term[:-1]) if abbreviates(term, long))
    return out - terms


def _allowed(db, where: str, params: list) -> np.ndarray | None:
    """The ids of the chunks that pass the filters, sorted; None when there are none."""
    if where == "1":
        return None
    sql = f"select c.id from chunks c join reports r on r.id = c.report_id where {where} order by c.id"
    return np.fromiter((r[0] for r in db.execute(sql, params)), dtype=np.int64)


def _mask(ids: np.ndarray, allowed: np.ndarray | None) -> np.ndarray | None:
    return None if allowed is None else np.isin(ids, allowed, assume_unique=True)


def _full_text(
    index: fulltext.TermIndex, words: list[set[str]], terms: list[str], allowed, depth: int
) -> tuple[list[int], float]:
    """Chunk ids by BM25 over the analysed text, keeping those that contain enough of
    the query's words (at least 40%, rounded up): a chunk that shares one incidental
    word with a long query ("data" in "data center climate") is not a full-text match.
    Also the share of the query's words that some chunk contains."""
    need = max(1, math.ceil(len(words) * MIN_WORDS))
    hits = [cid for cid, _ in index.search(terms, depth, words, need, _mask(index.ids, allowed))]
    known = sum(any(index.contains(t) for t in word) for word in words)
    return hits, known / len(words) if words else 0.0


def nearest(
    base: KnowledgeBase,
    model_id: str,
    qvec: np.ndarray,
    k: int,
    where: str = "1",
    params: list = (),
    index_mode: str = "auto",
) -> list[tuple[int, float]]:
    """The k chunks nearest ``qvec`` that pass the filter SQL, as (chunk id, cosine)."""
    return _nearest(base, model_id, qvec, k, _allowed(base.db, where, params), index_mode)


def _nearest(
    base: KnowledgeBase, model_id: str, qvec: np.ndarray, k: int, allowed, index_mode: str
) -> list[tuple[int, float]]:
    index = base.vector_index(model_id, index_mode)
    if not len(index):
        raise SearchError("this database has no vectors yet: run `kb embed` (or ingest without --no-embed)")
    return index.search(qvec, k, _mask(index.ids, allowed))


def similar(
    base: KnowledgeBase,
    chunk_id: int | None = None,
    text: str | None = None,
    *,
    limit: int = 10,
    offset: int = 0,
    filters: Filters | None = None,
    model: str | None = None,
    index_mode: str = "auto",
    same_report: bool = False,
) -> list[Result]:
    """Chunks like a stored chunk or a text: nearest by their vectors, fused with a
    more-like-this full-text search on the text's most distinctive terms.

    For a stored chunk, results come from other reports unless ``same_report``: a
    planner asking for findings like this one wants other trips' lessons, and a
    report's own chunks, sharing its names and wording, would otherwise crowd them out."""
    _check(limit, offset, "semantic")
    if (chunk_id is None) == (not text):
        raise SearchError("give either a chunk id or a text, not both or neither")
    filters = filters or Filters()
    db, analyzer = base.db, base.analyzer()
    where, params = _filter_sql(filters, analyzer.gazetteer)
    embedder = base.embedder(model)
    if chunk_id is not None:
        row = db.execute("select content_hash, text from chunks where id = ?", [int(chunk_id)]).fetchone()
        if row is None:
            raise SearchError(f"no chunk with id {chunk_id}")
        qvec = chunk_vector(db, embedder.model_id, chunk_id)
        text = row[1]
        if not same_report:
            where += " and c.report_id != (select report_id from chunks where id = ?)"
            params = [*params, int(chunk_id)]
    else:
        if len(text) > MAX_QUERY * 4:
            raise SearchError(f"text is too long ({len(text)} characters; the limit is {MAX_QUERY * 4})")
        qvec = base.query_vector(text, embedder)
    depth = max(CANDIDATES, offset + limit + 1)
    allowed = _allowed(db, where, params)
    hits = _nearest(base, embedder.model_id, qvec, depth, allowed, index_mode)
    vec = [cid for cid, _ in hits if cid != chunk_id]
    stored = chunk_id is not None
    fts = [cid for cid in _more_like_this(base, analyzer, text, allowed, depth, stored) if cid != chunk_id]
    return fuse(db, fts, vec, offset, limit, analyzer, "", [], Cosine(embedder.model_id, qvec))


def chunk_vector(db, model_id: str, chunk_id: int) -> np.ndarray:
    """The stored vector of a chunk."""
    row = db.execute(
        "select v.vector from chunks c left join vectors v on v.content_hash = c.content_hash and v.model = ? "
        "where c.id = ?",
        [model_id, int(chunk_id)],
    ).fetchone()
    if row is None:
        raise SearchError(f"no chunk with id {chunk_id}")
    if row[0] is None:
        raise SearchError(f"chunk {chunk_id} has no vector yet: run `kb embed`")
    return np.frombuffer(row[0], dtype=np.float32)


def _more_like_this(
    base: KnowledgeBase, analyzer: Analyzer, text: str, allowed, depth: int, stored: bool, n_terms: int = 25
) -> list[int]:
    """Chunk ids by BM25 on the ``n_terms`` tokens of ``text`` with the highest tf-idf
    (25, as Lucene's MoreLikeThis). A ``stored`` chunk's own tokens are in the index:
    those only it has find nothing else, and with them its 12 best tokens matched one
    other chunk for the Guiyang talent implication; with 25 tokens of two or more
    chunks, the other trip's talent findings and its implications on attracting firms."""
    index = base.term_index()
    tf = Counter(tok for t in analyzer.terms(text) if t not in ENGLISH_STOP for tok in fulltext.TOKEN.findall(t))
    total, rare = len(index), 1 if stored else 0
    weight = {t: n * index.idf(t) for t, n in tf.items() if rare < index.doc_freq(t) < total}
    top = sorted(weight, key=lambda t: (-weight[t], t))[:n_terms]
    return [cid for cid, _ in index.search(top, depth, allowed=_mask(index.ids, allowed))] if top else []


@dataclass
class Cosine:
    """The query's vector, to tell each result's cosine (from its stored vector: exact,
    where the compact index only estimates it)."""

    model_id: str
    query: np.ndarray

    def of(self, db, ids: list[int]) -> dict[int, float]:
        rows = db.execute(
            f"select c.id, v.vector {vectors.VECTOR_JOIN} where c.id in ({','.join('?' * len(ids))})",
            [self.model_id, *ids],
        )
        return {cid: round(float(np.frombuffer(blob, np.float32) @ self.query), 4) for cid, blob in rows}


def matched_words(db, words: list[tuple[str, set[str]]], ids: list[int]) -> dict[int, list[str]]:
    """For each chunk, the query's ``words`` (each with its terms, Analyzer.word_terms)
    it contains in its text or its section: a word counts when one of its terms is among
    the chunk's indexed terms."""
    if not words or not ids:
        return {}
    rows = db.execute(
        f"select rowid, terms || ' ' || section_terms from chunk_terms where rowid in ({','.join('?' * len(ids))})",
        ids,
    )
    out = {}
    for cid, terms in rows:
        have = set(fulltext.TOKEN.findall(terms))
        out[cid] = [w for w, ts in words if any(set(fulltext.TOKEN.findall(t)) <= have for t in ts)]
    return out


def fuse(
    db,
    fts: list[int],
    vec: list[int],
    offset: int,
    limit: int,
    analyzer: Analyzer,
    query: str,
    words: list[tuple[str, set[str]]],
    cosine: Cosine | None = None,
    fts_weight: float = 1.0,
    asked: tuple[Intent, ...] = (),
) -> list[Result]:
    """The last stage of a search: two ranked lists of chunk ids fused (reciprocal ranks,
    the full-text list weighted by ``fts_weight``; the chunks that answer what the query
    asks, ``asked``, boosted;
    ties to lessons), and the page of results read,
    highlighted and explained (which of the query's ``words`` each contains, its cosine)."""
    fts_rank = {cid: i + 1 for i, cid in enumerate(fts)}
    vec_rank = {cid: i + 1 for i, cid in enumerate(vec)}
    ids = list(dict.fromkeys(fts + vec))
    if not ids:
        return []
    kinds = dict(db.execute(f"select id, kind from chunks where id in ({','.join('?' * len(ids))})", ids).fetchall())
    answers = _answers(db, asked, kinds, set(QUERY_YEAR.findall(query)))
    scored = []
    for cid in ids:
        score = (fts_weight / (RRF_K + fts_rank[cid]) if cid in fts_rank else 0.0) + (
            1.0 / (RRF_K + vec_rank[cid]) if cid in vec_rank else 0.0
        )
        kind = kinds[cid]
        if cid in answers:
            factor = INTENT_BOOST
        else:
            factor = 1 / INTENT_BOOST if asked and kind in NOT_ANSWERS else 1.0
        scored.append((score * factor + TIE_BREAK.get(kind, 0.0), cid))
    scored.sort(key=lambda s: (-s[0], s[1]))
    scored, same = _fold_copies(db, scored)
    page = scored[offset : offset + limit]
    page_ids = [cid for _, cid in page]
    rows = {r["chunk_id"]: r for r in _rows(db, page_ids)} if page else {}
    marks = highlight_words(analyzer, query)
    matched = matched_words(db, words, page_ids)
    cosines = cosine.of(db, page_ids) if cosine is not None and page_ids else {}
    out = []
    for score, cid in page:
        r = rows[cid]
        out.append(
            Result(
                chunk_id=cid,
                report_id=r["report_id"],
                report_title=r["report_title"],
                kind=r["kind"],
                section=r["section"],
                institution=r["institution"],
                place=r["place"],
                country=r["country"],
                trip_start=r["trip_start"],
                trip_end=r["trip_end"],
                text=r["text"],
                snippet=snippet(r["text"], marks),
                score=round(score, 6),
                fts_rank=fts_rank.get(cid),
                vector_rank=vec_rank.get(cid),
                matched=matched.get(cid, []),
                cosine=cosines.get(cid),
                same_as=same.get(cid, []),
            )
        )
    return out


def _answers(db, asked: tuple[Intent, ...], kinds: dict[int, str], years: set[str]) -> set[int]:
    """The chunks (of ``kinds``, id -> kind) that answer what the query asks; where it names
    a year ("2018년 충칭 출장 기간"), only those of a trip in that year (or of undated trips)."""
    maybe = [cid for cid, kind in kinds.items() if any(kind in i.answers for i in asked)]
    if not maybe:
        return set()
    rows = db.execute(
        "select c.id, c.text, r.trip_start, r.trip_end from chunks c join reports r on r.id = c.report_id"
        f" where c.id in ({','.join('?' * len(maybe))})",
        maybe,
    )
    return {
        cid
        for cid, text, start, end in rows
        if any(i.answered_by(kinds[cid], text) for i in asked)
        and not (years and (trip := {d[:4] for d in (start, end) if d}) and not trip & years)
    }


def _fold_copies(db, scored: list[tuple[float, int]]) -> tuple[list[tuple[float, int]], dict[int, list[int]]]:
    """One result per text copied across reports (kb.copies, at FOLD_MIN or more): at the
    best rank any of them reached, shown as the earliest report's, with the others'
    chunk ids."""
    ids = [cid for _, cid in scored]
    if not ids:
        return scored, {}
    marks = ",".join("?" * len(ids))
    original = dict(
        db.execute(
            f"select chunk_id, original_id from copies where similarity >= ? and chunk_id in ({marks})",
            [copies.FOLD_MIN, *ids],
        ).fetchall()
    )
    if not original:
        return scored, {}
    groups: dict[int, list[int]] = {}
    for cid in ids:
        groups.setdefault(original.get(cid, cid), []).append(cid)
    out, same, seen = [], {}, set()
    for score, cid in scored:
        group = original.get(cid, cid)
        if group in seen:
            continue
        seen.add(group)
        members = groups[group]
        shown = group if group in members else cid  # the earliest report's, when it is a candidate
        out.append((score, shown))
        if len(members) > 1:
            same[shown] = [m for m in members if m != shown]
    return out, same


def _rows(db, ids: list[int]) -> list[dict]:
    marks = ",".join("?" * len(ids))
    return list(
        db.query(
            f"""select c.id as chunk_id, c.report_id, r.title as report_title, c.kind, c.section, i.name as institution,
               p.name as place, c.country, r.trip_start, r.trip_end, c.text
        from chunks c join reports r on r.id = c.report_id
        left join institutions i on i.id = c.institution_id left join places p on p.id = c.place_id
        where c.id in ({marks})""",
            ids,
        )
    )


def highlight_words(analyzer: Analyzer, query: str) -> list[str]:
    """Surface words to mark in results: the query's terms and its places' other names."""
    words = {t for t in analyzer.terms(query_text(query)) if len(t) >= 2 or not re.match("[\uac00-\ud7a3]", t)}
    g = analyzer.gazetteer
    for m in analyzer.places(query):
        words |= {a for a in g.names(m.place.id) if len(a) >= 2 and not a.isascii()}
    words |= {w for w in re.findall(r"[\uac00-\ud7a3]{2,}", query)}
    return sorted(words, key=len, reverse=True)


def snippet(text: str, words: list[str], width: int = 180) -> str:
    """A window of ``text`` around the first match, HTML-escaped, matches in <mark>."""
    flat = " ".join(text.split())
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None
    first = pattern.search(flat) if pattern else None
    start = 0
    if first and first.start() > width // 3:
        start = flat.rfind(" ", 0, first.start() - width // 4) + 1
    end = start + width
    if end < len(flat):
        cut = flat.rfind(" ", start, end)
        end = cut if cut > start + width // 2 else end
    piece = flat[start:end]
    out, pos = [], 0
    for m in pattern.finditer(piece) if pattern else []:
        out.append(html.escape(piece[pos : m.start()]))
        out.append(f"<mark>{html.escape(m.group(0))}</mark>")
        pos = m.end()
    out.append(html.escape(piece[pos:]))
    return ("…" if start > 0 else "") + "".join(out) + ("…" if end < len(flat) else "")
