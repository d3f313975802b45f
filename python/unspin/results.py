"""The shapes of what unspin returns: the CLI's JSON as Python dicts.

Model.check returns a CheckResult (`unspin check --json`), Index.find a list
of Match (`unspin find --json`'s "matches"). Byte offsets are UTF-8 byte
offsets into the text given, half-open; scores have 4 decimals. README.md
("Using unspin") says what each field means.
"""

from typing import Literal, TypedDict


class Span(TypedDict):
    start: int  # byte offsets of the suspicious words
    end: int
    text: str  # the words as written
    original: str  # most likely original wording ("" deletes an inserted filler)
    alternatives: list[str]  # next most likely originals, best first
    score: float  # log10 likelihood gain of `original` over `text` in context
    restored: bool  # False: flagged as out of place, original too unsure to write


class Debris(TypedDict):
    start: int
    end: int
    kind: str  # counter, related, advert, caption, credit, share, spam


class CheckResult(TypedDict):
    spun_probability: float  # 0 when verdict is not "judged"
    spans: list[Span]
    restored: str  # the text with each restored span replaced by its original
    debris: list[Debris]
    verdict: Literal["judged", "not enough text", "not English"]


class Substitution(TypedDict):
    query: list[int]  # [begin, end) in the query
    source: list[int]  # [begin, end) in the source
    query_text: str
    source_text: str


class AlignedBlock(TypedDict):
    query: list[int]
    source: list[int]
    substitutions: list[Substitution]


class Match(TypedDict):
    id: str
    score: float  # 1.0 for a verbatim copy; changed words count half
    coverage: float  # share of the query's words aligned to the match
    alignment: list[AlignedBlock]
