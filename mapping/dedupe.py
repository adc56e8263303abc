"""Fuzzy de-duplication: the same deceased in one ledger twice, or across ledgers
(cremation <-> sea burial), or already loaded earlier.

Blocking keeps candidate pairs few (normalized ID number, home + certificate number,
name pinyin + a date); rapidfuzz scores each candidate pair; union-find turns accepted links
into person clusters. Pairs that are neither clearly the same nor clearly different are
returned as uncertain, for a person to decide.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz

MAX_BLOCK = 50  # a block bigger than this is a common value, not evidence (e.g. a blank-ish ID)


@dataclass(frozen=True)
class DedupeRecord:
    key: int                       # record id in the store
    kind: str
    funeral_home_code: str | None
    deceased_name: str | None
    id_number: str | None          # normalized 18-digit, valid check digit, else None
    cremation_cert_no: str | None  # normalized
    birth_date: str | None
    event_date: str | None         # death / cremation / scattering date


@dataclass(frozen=True)
class Link:
    a: int
    b: int
    score: float                   # 0..1
    evidence: tuple[str, ...]      # which fields matched


@dataclass
class DedupeResult:
    cluster_of: dict[int, str] = field(default_factory=dict)  # record key -> cluster id
    links: list[Link] = field(default_factory=list)           # merged automatically
    uncertain: list[Link] = field(default_factory=list)       # for review


def _pinyin(name: str | None) -> str:
    return "".join(lazy_pinyin(name)) if name else ""


def _blocks(records: list[DedupeRecord]) -> dict[str, list[int]]:
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        if r.id_number:
            blocks["id:" + r.id_number].append(i)
        if r.cremation_cert_no:
            blocks[f"cert:{r.funeral_home_code}:{r.cremation_cert_no}"].append(i)
        if r.deceased_name and r.birth_date:
            blocks[f"py:{_pinyin(r.deceased_name)}:{r.birth_date[:4]}"].append(i)
    return blocks


def score_pair(a: DedupeRecord, b: DedupeRecord) -> Link:
    evidence: list[str] = []
    score = 0.0
    if a.id_number and b.id_number:
        if a.id_number == b.id_number:
            evidence.append("id_number")
            score += 0.6
        else:
            score -= 0.6
    if a.cremation_cert_no and b.cremation_cert_no and a.funeral_home_code == b.funeral_home_code:
        if a.cremation_cert_no == b.cremation_cert_no:
            evidence.append("cremation_cert_no")
            score += 0.5
        else:
            score -= 0.3
    if a.deceased_name and b.deceased_name:
        sim = fuzz.ratio(a.deceased_name, b.deceased_name) / 100
        if sim == 1.0:
            evidence.append("deceased_name")
        elif _pinyin(a.deceased_name) == _pinyin(b.deceased_name):
            evidence.append("deceased_name~pinyin")
            sim = 0.9
        score += 0.4 * sim - 0.2
    if a.birth_date and b.birth_date:
        if a.birth_date == b.birth_date:
            evidence.append("birth_date")
            score += 0.2
        else:
            score -= 0.2
    return Link(a.key, b.key, max(0.0, min(1.0, score)), tuple(evidence))


def dedupe(records: list[DedupeRecord], *, accept: float = 0.6, reject: float = 0.3) -> DedupeResult:
    """Cluster records into persons. Links scoring >= accept merge; between reject and accept: uncertain."""
    parent = list(range(len(records)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    result = DedupeResult()
    seen: set[tuple[int, int]] = set()
    for members in _blocks(records).values():
        if len(members) < 2 or len(members) > MAX_BLOCK:
            continue
        for i, j in combinations(members, 2):
            pair = (min(i, j), max(i, j))
            if pair in seen:
                continue
            seen.add(pair)
            link = score_pair(records[i], records[j])
            if link.score >= accept:
                result.links.append(link)
                parent[find(i)] = find(j)
            elif link.score > reject:
                result.uncertain.append(link)
    roots: dict[int, list[int]] = defaultdict(list)
    for i in range(len(records)):
        roots[find(i)].append(i)
    for members in roots.values():
        cid = "C%07d" % min(records[m].key for m in members)
        for m in members:
            result.cluster_of[records[m].key] = cid
    return result
