"""Record linkage: resolve person records from every file into individuals.

Design (docs/scanner.md, "From detections to people", gives the argument): deterministic rules
with rapidfuzz name comparison, blocked on the evidence a match needs.

* Two records may only be the same person if their names agree (surname equal or one
  typo apart by Jaro-Winkler; given names equal, an initial of, a nickname of, or a
  typo of each other) AND they share at least one piece of evidence: a strong
  identifier (NI, NHS, passport, licence, bank, card), an email, a phone number, a date
  of birth or a postcode. So candidate pairs come only from blocks keyed on that
  evidence: exact, and cheap even for millions of records.
* Hard conflicts veto a merge of whole clusters, not just of the pair: two different
  dates of birth, two different NI/NHS/passport/licence numbers, or two incompatible
  full given names anywhere in the clusters. That is what keeps 'J Smith' from gluing
  John and Jane Smith at one address together through transitivity.
* Pairs are merged greedily by evidence strength, in a total order, so a local run,
  a two-worker run and a Dask run give byte-identical results.
* A record with a name but no evidence ('Dear Mrs Smith' on page 2) joins the single
  compatible person in the same document, else the single compatible person anywhere
  with the same full name; otherwise it stands alone.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from ..detect.vocab import STRONG_IDENTIFIERS
from ..model import RecordData
from .names import ParsedName, first_names_compatible, parse_name, surnames_similar

_EVIDENCE_WEIGHT = {"id": 6.0, "email": 4.0, "dob": 3.0, "phone": 3.0, "postcode": 2.0}
_BIG_BLOCK = 200
_SMALL_GROUP = 8  # blocks this small are compared pair by pair
# Above this many given names under one surname of a block, a given name's compatible
# names are looked up (GivenNames) rather than compared with each of them.
_MANY_GIVEN = 24


class _Profile:
    """What a cluster knows about its person, for conflict checks."""

    # A plain class with slots, not a dataclass with default factories: one is built per
    # record (tens of thousands), and the factories were a tenth of linkage.
    __slots__ = ("dobs", "initials", "lasts", "raw_firsts", "strong")

    def __init__(self) -> None:
        """An empty profile."""
        # Given names as written: a nickname may stand for several names ('sam'), so folding
        # it to one canonical form here would make Sam and Samuel look like two people.
        self.raw_firsts: set[str] = set()
        self.initials: set[str] = set()
        self.lasts: set[str] = set()
        self.dobs: set[str] = set()
        self.strong: dict[str, set[str]] = {}

    def absorb(self, other: _Profile) -> None:
        """Add what another cluster knows (on a merge)."""
        self.raw_firsts |= other.raw_firsts
        self.initials |= other.initials
        self.lasts |= other.lasts
        self.dobs |= other.dobs
        for category, values in other.strong.items():
            self.strong.setdefault(category, set()).update(values)


def _profile(names: Sequence[ParsedName], record: RecordData) -> _Profile:
    profile = _Profile()
    for name in names:
        if len(name.first) > 1:
            profile.raw_firsts.add(name.first)
        elif name.first:
            profile.initials.add(name.first)
        if name.last:
            profile.lasts.add(name.last)
    profile.dobs.update(record.dobs)
    for category, values in record.ids.items():
        if category in STRONG_IDENTIFIERS and values:
            profile.strong.setdefault(category, set()).update(values)
    return profile


def _compatible(a: _Profile, b: _Profile) -> bool:
    """Whether two clusters may be one person (no hard conflict, names agree)."""
    if a.lasts and b.lasts and not any(surnames_similar(x, y) for x in a.lasts for y in b.lasts):
        return False
    if any(not first_names_compatible(x, y) for x in a.raw_firsts for y in b.raw_firsts):
        return False
    # An initial must fit a given name as written ('K.' fits Katie, whose canonical is Catherine).
    for initial in a.initials:
        if b.raw_firsts and not any(f.startswith(initial) for f in b.raw_firsts):
            return False
    for initial in b.initials:
        if a.raw_firsts and not any(f.startswith(initial) for f in a.raw_firsts):
            return False
    if a.dobs and b.dobs and a.dobs != b.dobs:
        return False
    for category in STRONG_IDENTIFIERS:
        if (
            a.strong.get(category)
            and b.strong.get(category)
            and not (a.strong[category] & b.strong[category])
        ):
            return False
    return True


def _evidence(record: RecordData) -> Iterable[tuple[str, str]]:
    for category, values in record.ids.items():
        if category in STRONG_IDENTIFIERS or category in ("bank_account", "payment_card"):
            for value in values:
                yield "id", f"{category}:{value}"
    for email in record.emails:
        yield "email", email
    for dob in record.dobs:
        yield "dob", dob
    for phone in record.phones:
        yield "phone", phone
    for postcode in record.postcodes:
        yield "postcode", postcode


def link(records: Sequence[RecordData]) -> list[list[int]]:
    """Group record indices into individuals; clusters and members in a stable order."""
    names = [[parse_name(n) for n in r.names] for r in records]
    parent = list(range(len(records)))
    profiles = [_profile(names[i], r) for i, r in enumerate(records)]
    # Each record's evidence, worked out once: the blocks and the name-only pass both need it.
    evidence = [set(_evidence(r)) for r in records]

    def find(i: int) -> int:
        """Union-find root, with path halving."""
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> bool:
        """Merge two clusters unless they conflict; True if they are one now."""
        a, b = find(i), find(j)
        if a == b:
            return True
        if not _compatible(profiles[a], profiles[b]):
            return False
        a, b = min(a, b), max(a, b)
        parent[b] = a
        profiles[a].absorb(profiles[b])
        return True

    # Pairs in order of the evidence they share (most first), then by index: a total order.
    scores = _candidate_pairs(evidence, names)
    for pair, _score in sorted(scores.items(), key=lambda item: (-item[1], item[0])):
        union(*pair)

    _merge_same_full_name(records, names, find, union, profiles)
    _attach_name_only(records, names, evidence, find, union)

    clusters: dict[int, list[int]] = defaultdict(list)
    for index in range(len(records)):
        clusters[find(index)].append(index)
    return sorted((sorted(members) for members in clusters.values()), key=lambda m: m[0])


def _candidate_pairs(
    evidence: list[set[tuple[str, str]]], names: list[list[ParsedName]]
) -> dict[tuple[int, int], float]:
    """Pairs of records that share evidence and whose names agree, with the weight they share.

    Blocks on exact evidence; a pair's score is the total weight of the blocks it shares.
    A block above ``_BIG_BLOCK`` members is compared only within groups of one surname
    initial. Pairs whose names disagree are never merged, so they are left out here rather
    than built and dropped: within a group, records are indexed by surname and given name
    (:func:`_agreeing_pairs`), and the work follows the pairs that agree, not the square of
    the block (a name-dense register has thousands of people at one postcode).
    """
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, shared in enumerate(evidence):
        for kind, value in shared:
            blocks[(kind, value)].append(index)
    scores: dict[tuple[int, int], float] = defaultdict(float)
    given = _GivenNames(n.first for record_names in names for n in record_names)
    for (kind, _value), members in blocks.items():
        if len(members) < 2:
            continue
        groups: Iterable[list[int]] = [members]
        if len(members) > _BIG_BLOCK:
            by_initial: dict[str, list[int]] = defaultdict(list)
            for m in members:
                by_initial[min((n.last[:1] for n in names[m] if n.last), default="")].append(m)
            groups = by_initial.values()
        weight = _EVIDENCE_WEIGHT[kind]
        for group in groups:
            for pair in _agreeing_pairs(group, names, given):
                scores[pair] += weight
    return scores


class _GivenNames:
    """Which given names of the run each full given name is compatible with, found once.

    Comparing every given name of one surname at one postcode with every other grows with
    the square of those people (a name-dense register). For a full given name the answer
    is looked up instead: the empty name, its initial, and the full names of the whole run
    it is compatible with (worked out once per name, as ``first_names_compatible(name, other)``).
    """

    def __init__(self, firsts: Iterable[str]) -> None:
        """Know the given names of every record of the run."""
        self._full = sorted({f for f in firsts if len(f) > 1})
        self._compatible: dict[str, list[str]] = {}

    def compatible(self, first: str, present: dict[str, list[int]]) -> list[str]:
        """The names in ``present`` with ``first_names_compatible(first, name)``."""
        if len(first) <= 1 or len(present) <= _MANY_GIVEN:
            return [g for g in present if first_names_compatible(first, g)]
        known = self._compatible.get(first)
        if known is None:
            known = self._compatible[first] = [g for g in self._full if first_names_compatible(first, g)]
        # An empty name and an initial are compatible by rule: '' with any, 'j' with 'john'.
        found = [g for g in ("", first[0]) if g in present]
        if len(known) < len(present):
            found += [g for g in known if g in present]
        else:
            found += [g for g in present if len(g) > 1 and first_names_compatible(first, g)]
        return found


def _agreeing_pairs(
    group: list[int], names: list[list[ParsedName]], given: _GivenNames
) -> set[tuple[int, int]]:
    """The pairs ``(i, j)``, ``i < j``, of ``group`` that ``link`` would try to merge.

    Exactly the pairs for which ``not (names[i] and names[j]) or _names_agree(names[i],
    names[j])``: a record with no name pairs with every other member; named records pair
    when some name of each agrees. Named records are indexed by surname, then given name,
    so only similar surnames and compatible given names are ever compared record by record.
    """
    if len(group) <= _SMALL_GROUP:  # most blocks: comparing every pair is cheaper than an index
        return {
            (i, j)
            for x, i in enumerate(group)
            for j in group[x + 1 :]
            if not (names[i] and names[j]) or _names_agree(names[i], names[j])
        }
    pairs: set[tuple[int, int]] = set()
    nameless = [m for m in group if not names[m]]
    for a in nameless:
        for b in group:
            if b != a:
                pairs.add((a, b) if a < b else (b, a))
    # surname -> given name -> the members with that name (a member may have several names).
    index: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for m in group:
        for n in names[m]:
            if n.last:  # a name with no surname never agrees (surnames_similar is False)
                index[n.last][n.first].append(m)
    surnames = list(index)
    for s in surnames:
        firsts_s = index[s]
        for t in surnames:
            if not surnames_similar(s, t):
                continue
            firsts_t = index[t]
            # Ordered over (s, t) and (t, s), so the lower-index record's name is always
            # the first argument, as in _names_agree(names[i], names[j]) (Jaro-Winkler's
            # greedy matching is not guaranteed to be symmetric).
            for f, ms in firsts_s.items():
                for g in given.compatible(f, firsts_t):
                    for i in ms:
                        for j in firsts_t[g]:
                            if i < j:
                                pairs.add((i, j))
    return pairs


_MESSAGE = re.compile(r"^(.*?(?:\.eml|\.msg|#message\d+))(?:/|$)", re.IGNORECASE)


def document_family(path: str) -> str:
    """The message a document belongs to ('a.eml/att.csv' -> 'a.eml'), else the path itself."""
    match = _MESSAGE.match(path)
    return match.group(1) if match else path


def _merge_same_full_name(
    records: Sequence[RecordData],
    names: list[list[ParsedName]],
    find_: Callable[[int], int],
    union_: Callable[[int, int], bool],
    profiles: list[_Profile],
) -> None:
    """Join clusters that share an exact full name when no two of them conflict.

    An email sender (name and address) and a housing-register row (name, date of birth,
    NI number) share no evidence, yet 'Geraldine Brady' in both is one person unless the
    archive shows two different Geraldine Bradys (different dates of birth, identifiers
    or incompatible given names). If it does, nobody in that name group is merged on name
    alone.
    """
    groups: dict[tuple[str, str], set[int]] = defaultdict(set)
    families: dict[tuple[str, str, str], set[int]] = defaultdict(set)
    family_of: dict[str, str] = {}  # a document's records are many; its family is found once
    for index in range(len(records)):
        full = [(n.canonical_first, n.last) for n in names[index] if len(n.first) > 1 and n.last]
        if not full:
            continue
        root, doc = find_(index), records[index].doc
        family = family_of.get(doc)
        if family is None:
            family = family_of[doc] = document_family(doc)
        for first, last in full:
            groups[(first, last)].add(root)
            families[(family, first, last)].add(root)
    # Within one message (its body and its attachments) the same full name is the same
    # person even when the archive holds namesakes elsewhere.
    # A name held by one cluster has nothing to join (most names: skipped before sorting).
    for family_key in sorted(key for key, members in families.items() if len(members) > 1):
        roots = sorted({find_(r) for r in families[family_key]})
        for other in roots[1:]:
            union_(roots[0], other)
    for key in sorted(key for key, members in groups.items() if len(members) > 1):
        roots = sorted({find_(r) for r in groups[key]})
        if len(roots) < 2:
            continue
        if all(_compatible(profiles[a], profiles[b]) for i, a in enumerate(roots) for b in roots[i + 1 :]):
            for other in roots[1:]:
                union_(roots[0], other)


def _names_agree(a: Sequence[ParsedName], b: Sequence[ParsedName]) -> bool:
    """Some name of each record agrees with some name of the other."""
    for x in a:
        for y in b:
            if surnames_similar(x.last, y.last) and first_names_compatible(x.first, y.first):
                return True
    return False


def _attach_name_only(
    records: Sequence[RecordData],
    names: list[list[ParsedName]],
    evidence: list[set[tuple[str, str]]],
    find_: Callable[[int], int],
    union_: Callable[[int, int], bool],
) -> None:
    """Join records that carry a name but no evidence to a unique compatible person."""
    with_evidence = [i for i in range(len(records)) if names[i] and evidence[i]]
    by_surname: dict[str, list[int]] = defaultdict(list)
    by_doc: dict[str, list[int]] = defaultdict(list)  # so a document's records are not found by a scan of all
    for i in with_evidence:
        by_doc[records[i].doc].append(i)
        for n in names[i]:
            if n.last:
                by_surname[n.last].append(i)
    for index, record in enumerate(records):
        if not names[index] or evidence[index]:
            continue
        candidates = {
            find_(j)
            for n in names[index]
            for j in by_surname.get(n.last, [])
            if _names_agree(names[index], names[j])
        }
        same_doc = {find_(j) for j in by_doc.get(record.doc, ()) if find_(j) in candidates}
        has_full_first = any(len(n.first) > 1 for n in names[index])
        if len(same_doc) == 1:
            union_(index, same_doc.pop())
        elif not same_doc and len(candidates) == 1 and has_full_first:
            union_(index, candidates.pop())
