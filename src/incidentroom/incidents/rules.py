"""Load and validate the obligation rules data file (see ``obligation_rules.yaml``)."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Literal

import yaml
from django.conf import settings
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from incidentroom.core.errors import InvalidInput
from incidentroom.core.models import Organisation

DEFAULT_RULES = Path(__file__).with_name("obligation_rules.yaml")


class Conditions(BaseModel):
    """When a rule applies to an organisation."""

    model_config = ConfigDict(extra="forbid")
    english_council: bool | None = None
    network: str | None = None

    def match(self, org: Organisation) -> bool:
        """All given conditions hold for ``org``."""
        if self.english_council is not None and org.english_council != self.english_council:
            return False
        networks = {str(n).upper() for n in (org.networks or [])}
        return not (self.network is not None and self.network.upper() not in networks)


class Rule(BaseModel):
    """One reporting obligation."""

    model_config = ConfigDict(extra="forbid")
    code: str
    title: str
    recipient: str
    basis: str = ""
    how_to_report: str = ""
    reference_label: str = "External reference"
    trigger: Literal["incident_opened", "breach_flagged"]
    anchor: Literal["became_aware_at", "detected_at"]
    deadline_hours: float | None = None
    deadline_from: Literal["insurer_notice_hours"] | None = None
    applies_if: Conditions = Conditions()

    @model_validator(mode="after")
    def _one_deadline(self) -> Rule:
        if (self.deadline_hours is None) == (self.deadline_from is None):
            raise ValueError("give exactly one of deadline_hours or deadline_from")
        return self

    def period(self, org: Organisation) -> dt.timedelta:
        """The time allowed, from the anchor to the deadline."""
        if self.deadline_from is not None:
            return dt.timedelta(hours=float(getattr(org, self.deadline_from)))
        assert self.deadline_hours is not None  # noqa: S101 - guaranteed by _one_deadline
        return dt.timedelta(hours=self.deadline_hours)


class RuleFile(BaseModel):
    """The whole data file."""

    model_config = ConfigDict(extra="forbid")
    rules: list[Rule]


def parse_rules(text: str, source: str = "rules") -> list[Rule]:
    """Validate rules text; a bad file names the rule and field that is wrong."""
    try:
        data = yaml.safe_load(text)
        parsed = RuleFile.model_validate(data)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{source}: not valid YAML: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(f"{source}: {where}: {first['msg']}") from exc
    codes = [r.code for r in parsed.rules]
    dupes = {c for c in codes if codes.count(c) > 1}
    if dupes:
        raise InvalidInput(f"{source}: duplicate rule codes: {', '.join(sorted(dupes))}")
    return parsed.rules


@functools.cache
def _load(path: str) -> tuple[Rule, ...]:
    return tuple(parse_rules(Path(path).read_text(encoding="utf-8"), source=path))


def load_rules() -> tuple[Rule, ...]:
    """The rules in force (``INCIDENTROOM_OBLIGATION_RULES`` or the shipped file), cached."""
    path = getattr(settings, "OBLIGATION_RULES_FILE", None) or str(DEFAULT_RULES)
    return _load(str(path))


def awareness_hint(rules: tuple[Rule, ...] | None = None) -> str:
    """What setting a council's awareness time does, named from the rules in force: only the
    clocks anchored on awareness move (the ICO's 72 hours); the others run from detection, and
    a commander must not be told otherwise."""
    in_force = load_rules() if rules is None else rules
    moved = [r.recipient for r in in_force if r.anchor == "became_aware_at"]
    if not moved:
        return "No reporting clock starts from it: they all run from when the incident was detected. Written to the log."
    names = " and the ".join(moved)
    plural = "s" if len(moved) > 1 else ""
    return (
        f"Moves only the clock{plural} for the report to the {names}, unless already reported. "
        "Every other reporting clock runs from when the incident was detected. Written to the log."
    )
