"""The kinds of chunk kb stores, defined once: the parser, search, the Datasette pages,
metadata.yml and the README all read this table.

The order of evidence for a chunk's kind:
1. a heading's own words (or an inline label's: "→ 시사점: …"), kinds tried in
   :data:`PRECEDENCE` order, so "결론 및 정책 제언" and "성과 및 향후 과제" are implications,
   "방문성과" a finding and "방문결과" a visit;
2. else the parent heading's kind;
3. then, where that kind does not say what its items are, the item's own wording
   (:attr:`Kind.lift`): under 소감, 총평, 맺음말 and text under no heading, an item with a
   lesson phrase anywhere (~필요, ~검토, ~해야 함, ~하겠다, a plan ending in 도입/마련/추진)
   is an implication; in a visit told as prose, an item whose last sentence says what to
   do (~하여야 함, ~할 필요가 있음, ~추진하겠음). A finding or implication heading decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kb.textutil import squash


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # Korean label shown to users
    description: str  # one line, for the README and metadata.yml
    words: tuple[str, ...]  # heading words and phrases (compared without spaces)
    # How an item under this kind becomes an implication by what it says: "wording" (a
    # lesson phrase anywhere: 소감, 결론, text under no heading), "ending" (its last sentence
    # says what to do: a visit told as prose), "" (never: a heading said what items are).
    lift: str = ""
    pattern: str = ""  # a family of heading words as a regular expression (spaces removed)


# In tie order: when two search results score the same, the earlier kind comes first.
KINDS: tuple[Kind, ...] = (
    Kind(
        "finding",
        "주요성과",
        "facts learned at visits: 주요내용, 청취내용, 성과, 질의응답",
        (
            "성과",
            "주요내용",
            "청취내용",
            "논의내용",
            "주요논의",
            "면담내용",
            "설명내용",
            "주요설명",
            "견학내용",
            "현장의견",
            "현장확인",
            "질의응답",
            "질의및답변",
            "주요현황",
        ),
    ),
    Kind(
        "implication",
        "시사점",
        "lessons, recommendations and plans: 시사점, 건의사항, 정책 제언, 적용 방안, 향후 계획",
        (
            "시사점",
            "건의",
            "제언",
            "제안",
            "가능성",  # 적용·도입·활용 가능성
            "접목",  # 접목 방안, 접목 과제
            "반영사항",  # 도정 반영사항
            "반영과제",
            "적용사항",
            "적용과제",
            "도입과제",
            "활용과제",
            "방안",  # 적용·활용·도입·접목·개선 방안: what to do
            "우리시",  # 우리 시(군·구·도) 적용 가능성: about home
            "우리군",
            "우리구",
            "우리도",
            "발전방향",
            "개선방향",
            "정책방향",
            "추진방향",
            "착안",  # 착안사항, 착안점: what to take up
            "배울점",
            "검토사항",  # 도입 검토 사항
            "도입검토",
            "향후계획",
            "향후과제",
            "향후추진",
            "추진계획",
            "조치계획",
            "후속조치",
            "실행계획",
            "개선과제",
            "정책과제",
            "교훈",
            "벤치마킹포인트",
            "벤치마킹사항",
        ),
    ),
    Kind(
        "conclusion",
        "결론",
        "closing judgements: 결론, 총평, 종합 의견, 맺음말, 소감, 소견",
        (
            "결론",
            "총평",
            "종합의견",
            "맺음말",
            "맺는말",
            "맺으며",
            "마치며",
            "마치면서",
            "나가며",
            "마무리",
            "결어",
            "소감",
            "느낀점",
            "종합평가",
            "평가",
        ),
        # 종합 소견, 연수 소견, 의원별 소견: the closing view; not a 측정소 견학
        pattern=r"(?:^|종합|연수|출장|방문|의원|별)소견",
        lift="wording",
    ),
    Kind("text", "본문", "text under no recognisable heading", (), lift="wording"),
    Kind(
        "visit",
        "방문 내용",
        "what a visit was: 방문기관, 방문 결과, 일시, 면담자",
        (
            "방문기관",
            "방문결과",
            "방문내용",
            "방문개요",
            "방문목적",
            "기관현황",
            "기관개요",
            "연수내용",
            "주요활동",
            "연수결과",
            "출장내용",
            "출장결과",
            "활동내용",
            "활동결과",
            "기관별",  # 기관별 면담 결과: a chapter of visits, one an institution
            "보고들은",  # 현장에서 보고 들은 것
            "세부내용",
            "siteVisit",
        ),
        lift="ending",
    ),
    Kind(
        "purpose",
        "출장 목적",
        "why the trip was made: 출장목적, 추진과제",
        ("출장목적", "연수목적", "방문취지", "출장배경", "연수배경", "추진배경", "출장과제", "추진과제", "목적$"),
    ),
    Kind(
        "background",
        "배경 정보",
        "country and city overviews: 개황, 일반현황",
        (
            "개황",
            "일반현황",
            "국가개요",
            "도시개요",
            "시개요",
            "국개요",
            "국가현황",
            "도시현황",
            "국가정보",
            "도시정보",
            "profile",
            "snapshot",  # City Snapshot
        ),
        # the places visited, not the trip: 방문지 개요, 방문국 현황, 출장지역 및 도시 개요; a
        # place's 개관 (덴마크 개관), not 개관 시간
        pattern=r"(?:방문|출장|연수)(?:지|국|국가|도시|지역|대상국)\w{0,6}?(?:개요|현황|정보|개관|소개)|개관$",
    ),
    Kind(
        "overview",
        "출장 개요",
        "the trip at a glance: 출장 개요",
        # an opening chapter told as prose ("1. 들어가며"): why, where and who, the counterpart of 나가며
        (
            "출장개요",
            "연수개요",
            "여행개요",
            "개요",
            "일반사항",  # 1. 일반 사항: the trip's general particulars
            "overview",
            "들어가며",
            "들어가면서",
            "머리말",
            "서론",
        ),
    ),
    Kind("itinerary", "일정", "days and places: 일정, 세부 일정", ("일정", "체크리스트", "itinerary")),
    Kind(
        "participants",
        "출장자",
        "who travelled: 출장자 명단, 출장인원",
        ("출장자", "출장인원", "참가자", "명단", "연수단", "출장단", "방문단", "방문인원", "연수인원", "참석자"),
    ),
    Kind("cover", "표지", "the title page before the first heading", ()),
)

BY_KEY: dict[str, Kind] = {k.key: k for k in KINDS}
KEYS: tuple[str, ...] = tuple(BY_KEY)
LABELS: dict[str, str] = {k.key: k.label for k in KINDS}
# Kinds given tie order by search: the earlier, the better.
TIE_ORDER: tuple[str, ...] = KEYS
# What a trip learned: the kinds a brief gathers (and an institution's page, with "visit").
LESSONS: tuple[str, ...] = ("implication", "finding", "conclusion")
# Lists whose text (names, days) does not say which trip they belong to: they are embedded
# under their report's title and issuing body (kb.chunks.passage_title), so "누가 갔나" about a
# trip finds the trip's list. Measured with bench/quality.py, MRR@10: the "fresh" set's 45
# who/when questions 0.633 -> 0.769 (its half never read: 0.629 -> 0.716; 40 more written
# after the change, fresh_whowhen2.jsonl, 0.612 -> 0.669); tuning file +0.003, held-out
# file +0.004, corpus +0.004, final file -0.005, abbreviations -0.012, eval and held-out
# sets unchanged. With overviews too, eval fell by 0.05: an overview under its title then
# answers questions about the trip's topic.
TITLED: frozenset[str] = frozenset({"participants", "itinerary"})

# Which kind's words a heading is tested for first: a heading that names lessons is
# about lessons whatever else it names ("방문성과 및 시사점"); the trip's logistics next
# (their words are specific); then background before overview ("방문국 개황" is not the
# trip's overview); then facts; visit last, as the broadest.
PRECEDENCE: tuple[str, ...] = (
    "implication",
    "participants",
    "itinerary",
    "purpose",
    "background",
    "overview",
    "conclusion",
    "finding",
    "visit",
)

# Where the wording decides (소감, 결론, text under no heading): an item whose last sentence
# ends as a lesson or plan does ("should", "needs", "to be reviewed", "will be pursued",
# and the bare nouns of a plan: "… 지침 마련", "… 시범 도입"), or one that says so anywhere.
_LESSON_END = re.compile(
    r"(?:(?:필요|검토|바람직|요망|시급)(?:함|하다|한|하겠음|할\s*것)?"
    r"|(?:도입|추진|반영|마련|확대|강화|개선|건의|제안|정례화|제도화|조성|설치|지정|구축|보완|시행|전환)"
    r"|[가-힣]야\s*(?:함|한다|할\s*것)|할\s*것|할\s*필요|(?:추진|도입|시행)\s*예정|계획임|하겠음|하고자\s*함"
    r"|고\s*싶(?:다|음|습니다)"  # a member's wish: "… 방안을 찾아보고 싶다"
    r"|(?:[가-힣]하|도록\s*하|만들|세우|늘리|갖추|살리|바꾸|키우|모으)자)"  # "… 교육 과정을 만들자": a call
    r"\s*[.!)\]]?\s*$"
)
_LESSON_PHRASE = re.compile(
    r"할\s*필요가?\s*있|필요가?\s*있(?:음|다|을)|필요하다|해야\s*(?:할|하겠|겠|한다|함)|바란다|(?:으|하)면\s*좋겠"
    r"|하겠다|하겠음|고자\s*(?:한다|함|합니다)|할\s*계획|(?:제안|건의|촉구|요청|권고)(?:한다|합니다|함|하고자)"
    r"|겠습니다|바랍니다|필요(?:가)?\s*있습니다|(?:해|하여)야\s*합니다"
    r"|검토(?:가|를)?\s*(?:필요|하겠|할\s*계획)|(?:도입|적용)(?:을|를)?\s*(?:검토|추진|건의|제안)"
    r"|(?:도입|적용|벤치마킹)(?:하|해)(?:야|면|는\s*방안)"
)

# Where facts are told as prose (a visit), only an explicit ending of duty, need or intent
# counts, not the bare nouns ("… 제도를 도입" there is a fact): "~하여야 함", "~할 필요가
# 있음", "~검토", "~추진하겠음", "~하고자 한다", "~겠습니다", "~을 제안함".
_LESSON_ENDING = re.compile(
    r"(?:(?:하|해)(?:여)?야\s*(?:함|한다|할\s*것|하겠음)|할\s*필요(?:가)?\s*있(?:음|다)|필요(?:함|하다|가\s*있(?:음|다))?"
    r"|검토(?:함|하겠음|하겠다|할\s*것|하여야\s*함)?|(?:추진|도입|시행|개최)\s*예정|하겠음|하겠다"
    r"|(?:할|하는)\s*(?:계획|예정)(?:임|이다|입니다)|고자\s*(?:함|한다|합니다)|겠습니다|바랍니다"
    r"|필요(?:가)?\s*있습니다|(?:해|하여)야\s*합니다"
    r"|바람직함?|(?:제안|건의|권고|요청)(?:함|한다)|방안(?:을|이)?\s*(?:검토|마련|모색)?)\s*[.)\]]?\s*$"
)


def heading_kind(title: str) -> str | None:
    """The kind a heading's own words name, or None when they name none."""
    t = squash(title).lower()
    for key, whole, anywhere, pattern in _HEADING_TESTS:
        if t in whole or anywhere.search(t) or pattern and pattern.search(t):
            return key
    return None


def _heading_test(kind: Kind) -> tuple[str, frozenset[str], re.Pattern, re.Pattern | None]:
    """What :func:`heading_kind` tests a title for, prepared once (it runs for every
    marked line): a heading word is found anywhere in the title; one ending in "$" must
    be all of it."""
    words = [w.lower() for w in kind.words]
    whole = frozenset(w[:-1] for w in words if w.endswith("$"))
    parts = [re.escape(w) for w in words if not w.endswith("$")]
    anywhere = re.compile("|".join(parts) if parts else "(?!)")  # (?!) matches nothing
    return kind.key, whole, anywhere, re.compile(kind.pattern) if kind.pattern else None


_HEADING_TESTS = tuple(_heading_test(BY_KEY[key]) for key in PRECEDENCE)


# A chapter of site visits in its own words: 현장 견학 결과, 견학 내용, 현지 시찰, 현지 연수
# 활동; not one visit by its name ("청두 첨단산업단지 시찰"), a title that names a 견학, or
# the part of a visit that tells what was seen (a finding).
SITE_VISITS = re.compile(
    r"^(?:현장|현지|주요|기관별?|선진지|해외|국외)?"
    r"(?:(?:견학|시찰|탐방|답사)(?:결과|내용|활동|사항)?|(?:연수|출장|방문)?활동(?:결과|내용|사항)?)$"
)


def kind_of(title: str, parent: str | None) -> str:
    """The kind of what a heading introduces: its own words, else its parent's kind."""
    own = heading_kind(title)
    if own is None and parent in (None, "cover", "text") and SITE_VISITS.match(squash(title)):
        own = "visit"
    if own == "overview" and parent not in (None, "overview", "cover", "text"):
        own = None  # a bare 개요 inside a visit is that visit's overview
    if parent in ("itinerary", "participants", "purpose") and own != "background":
        own = None  # a day's visit in the itinerary, a task's "활용 방안 연구": still the parent's
    if parent in ("visit", "finding") and own == "purpose":
        own = "visit"  # a visit's 방문목적 says what the visit was
    if parent == "implication" and own == "conclusion":
        own = None  # a 총평 under 결론 및 시사점 is one of its lessons
    return own or parent or "text"


def says_lesson(text: str) -> bool:
    """An item that says what to adopt or do: the content's evidence of an implication."""
    body = text.strip()
    if not body:
        return False
    return bool(_LESSON_END.search(_sentences(body)[-1]) or _LESSON_PHRASE.search(body))


def ends_with_lesson(text: str) -> bool:
    """An item that ends by saying what to do, and is mostly that: stricter than
    :func:`says_lesson`, for prose that mostly tells facts (a visit: "… 협약을 맺는 방안을
    검토하여야 함"). A long paragraph of facts with one closing plan stays facts."""
    body = text.strip()
    if not body:
        return False
    sentences = _sentences(body)
    last = sentences[-1]
    return bool(_LESSON_ENDING.search(last)) and (len(sentences) <= 2 or len(last) >= 0.4 * len(body))


def _sentences(text: str) -> list[str]:
    """Sentences that end in a stop, and the nominal ones of official prose ("…운영함 다음")."""
    return [s for s in re.split(r"(?<=[.!?])\s+|(?<=[함음됨임])\s*\n", text) if s.strip()] or [text]


def item_kind(kind: str, text: str, lift: str = "") -> str:
    """An item's kind: its block's, lifted to implication where the block lets its items'
    wording decide (``lift``, else the kind's own) and the item says what to adopt or do."""
    how = lift or BY_KEY[kind].lift
    if how == "wording" and says_lesson(text) or how == "ending" and ends_with_lesson(text):
        return "implication"
    return kind


def summary() -> str:
    """The kinds as metadata.yml describes them: "finding(주요성과), implication(시사점), …"."""
    return ", ".join(f"{k.key}({k.label})" for k in KINDS)


def markdown_table() -> str:
    """The kinds as the README lists them (tests keep the README in step with this table)."""
    rows = ["| kind | 한국어 | what | headings that introduce it (spaces ignored) |", "|---|---|---|---|"]
    for k in KINDS:
        words = ", ".join([w.rstrip("$") for w in k.words] + ([f"`{k.pattern}`"] if k.pattern else [])) or "—"
        rows.append(f"| {k.key} | {k.label} | {k.description} | {words} |")
    return "\n".join(rows)


def update_docs(readme: Path, metadata: Path) -> None:
    """Write this table into the README and metadata.yml (``make docs``)."""
    text = readme.read_text(encoding="utf-8")
    text = re.sub(
        r"\| kind \| 한국어 \| what \|.*?\n\n", lambda _: markdown_table() + "\n\n", text, count=1, flags=re.S
    )
    readme.write_text(text, encoding="utf-8")
    meta = metadata.read_text(encoding="utf-8")
    meta = re.sub(r"(kind는 ).*", lambda m: m.group(1) + summary(), meta, count=1)
    metadata.write_text(meta, encoding="utf-8")
