"""Shared state of one independent-archive run: the council's own details (decoys), the
ground truth as it is built, and the rng and people factory."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypedDict

from tests.scanner.independent.indep_people import PeopleFactory, Person

COUNCIL = {
    "name": "London Borough of Example",
    "phone": "020 7946 0000",
    "phone2": "020 7946 0001",
    "postcode": "SE1 7PB",
    "address": "Town Hall, 1 High Street, London SE1 7PB",
    "complaints": "complaints@council.example.gov.uk",
    "housing": "housingoptions@council.example.gov.uk",
    "parking": "parking@council.example.gov.uk",
    "sort": "60-83-01",
    "account": "20000002",
}


class TruthEntry(TypedDict):
    """What the archive states about one person (the description's truth.json shape)."""

    first: str
    last: str
    dob: str
    postcodes: list[str]
    emails: list[str]
    phones: list[str]
    categories: list[str]
    documents: list[str]


@dataclass
class Truth:
    """Ground truth, built up document by document."""

    entries: dict[str, TruthEntry] = field(default_factory=dict)

    def say(
        self,
        p: Person,
        doc: str,
        *cats: str,
        dob: bool = False,
        address: bool = False,
        email: bool = False,
        phone: bool = False,
        postcode: str = "",
    ) -> None:
        """Record that `doc` names `p` and states the given categories about them; the
        flags add the person's own DOB, address, email or phone; `postcode` another
        address of theirs (a correspondence address)."""
        e = self.entries.setdefault(
            p.pid,
            {
                "first": p.first,
                "last": p.last,
                "dob": "",
                "postcodes": [],
                "emails": [],
                "phones": [],
                "categories": ["name"],
                "documents": [],
            },
        )
        c = e["categories"]
        extra = list(cats)
        if dob:
            e["dob"] = p.dob.isoformat()
            extra.append("date_of_birth")
        if address:
            self._add(e, "postcodes", p.postcode)
            extra.append("address")
        if postcode:
            self._add(e, "postcodes", postcode)
            extra.append("address")
        if email:
            self._add(e, "emails", p.email)
            extra.append("email")
        if phone:
            self._add(e, "phones", p.phone_e164)
            extra.append("phone")
        for cat in extra:
            if cat not in c:
                c.append(cat)
        self._add(e, "documents", doc)

    @staticmethod
    def _add(e: TruthEntry, key: Literal["postcodes", "emails", "phones", "documents"], value: str) -> None:
        lst = e[key]
        if value not in lst:
            lst.append(value)

    def also_at(self, doc: str, copy: str) -> None:
        """A byte-identical copy of `doc` at `copy`: everyone in it is in the copy too."""
        for e in self.entries.values():
            docs = e["documents"]
            if doc in docs and copy not in docs:
                docs.append(copy)


class Archive:
    """Shared state of one generation run: the rng, people factory, truth and root."""

    def __init__(self, root: Path, seed: int) -> None:
        self.root = root
        self.rng = random.Random(seed)
        self.factory = PeopleFactory(self.rng, seed)
        self.factory.used.add(COUNCIL["postcode"])
        self.truth = Truth()
        self.staff = [self.factory.staff_name() for _ in range(8)]

    def path(self, rel: str) -> Path:
        p = self.root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        return p
