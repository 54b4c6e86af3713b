"""Sigma rules evaluated in process on parsed records, using pySigma's parsed rule objects.

pySigma (LGPL-2.1) parses and validates rules and turns a rule's condition into a tree
(``SigmaCondition.parse()``): AND/OR/NOT nodes whose leaves are field = value comparisons
with the modifiers already applied (``contains`` becomes ``*x*``, ``cidr`` a network, ``re``
a regular expression...). pySigma itself only *converts* that tree into a query for a
backend (Splunk, Elastic, SQLite...); it has no evaluator. Councils' log exports are files,
not a SIEM, so this module walks the same tree over each record, following the Sigma
specification's semantics: strings compare case-insensitively with ``*``/``?`` wildcards,
keywords search the whole record, a list field matches if any element does, and a
missing field matches only ``null``. Correlation rules (``event_count``, ``value_count``)
are evaluated over the whole sweep per group within the timespan; a rule referenced by a
correlation raises no hits of its own unless it says ``generate: true``.
A construct this evaluator does not know makes the rule *skipped with the reason* at load,
never silently wrong.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sigma.collection import SigmaCollection
from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.correlations import (
    SigmaCorrelationCondition,
    SigmaCorrelationConditionOperator,
    SigmaCorrelationRule,
    SigmaCorrelationType,
)
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule
from sigma.types import (
    SigmaBool,
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExists,
    SigmaExpansion,
    SigmaFieldReference,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaString,
    SpecialChars,
)

from incidentroom.threats.sweep.model import Event

SHIPPED_RULES = Path(__file__).resolve().parent.parent / "sigma_rules"
_MISSING = object()


class Unsupported(Exception):
    """A rule uses something this evaluator does not implement."""


@dataclass
class RuleInfo:
    """What a hit records about the rule that raised it."""

    id: str
    title: str
    level: str
    author: str


@dataclass
class _Compiled:
    info: RuleInfo
    logsource: tuple[str | None, str | None, str | None]
    tree: Any
    name: str | None
    generate: bool = True


@dataclass
class _Correlation:
    info: RuleInfo
    kind: str
    bases: list[str]
    group_by: list[str]
    seconds: int
    op: str
    count: int
    field: str | None


@dataclass
class RuleHit:
    """A rule that matched an event (or, for a correlation, the event that completed it)."""

    rule: RuleInfo
    event: Event
    matched: str


@dataclass
class _Observation:
    time: dt.datetime
    value: Any
    event: Event


@dataclass
class RuleSet:
    """Compiled rules plus what was skipped; ``evaluate`` per event, ``finish`` at the end."""

    rules: list[_Compiled] = field(default_factory=list)
    correlations: list[_Correlation] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    _observed: dict[tuple[int, tuple[Any, ...]], list[_Observation]] = field(default_factory=dict)

    @classmethod
    def load(cls, paths: Iterable[Path] | None = None) -> RuleSet:
        """Rules from YAML files (the shipped set by default)."""
        files = sorted(paths) if paths is not None else sorted(SHIPPED_RULES.glob("*.yml"))
        texts = [p.read_text(encoding="utf-8") for p in files]
        return cls.from_yaml("\n---\n".join(t.strip().removesuffix("---") for t in texts))

    @classmethod
    def from_yaml(cls, text: str) -> RuleSet:
        """Rules from one YAML stream of Sigma documents."""
        ruleset = cls()
        try:
            collection = SigmaCollection.from_yaml(text, collect_errors=True)
            collection.resolve_rule_references()
        except SigmaError as exc:
            ruleset.skipped.append(("(collection)", str(exc)))
            return ruleset
        referenced: dict[str, bool] = {}
        for item in collection.rules:
            if isinstance(item, SigmaCorrelationRule):
                try:
                    ruleset.correlations.append(_correlation(item))
                except Unsupported as exc:
                    ruleset.skipped.append((item.title, str(exc)))
                    continue
                for ref in item.rules or []:
                    base = ref.rule
                    referenced[_key(base)] = bool(item.generate)
        for item in collection.rules:
            if not isinstance(item, SigmaRule):
                continue
            if item.errors:
                ruleset.skipped.append((item.title, "; ".join(str(e) for e in item.errors)))
                continue
            try:
                trees = [c.parse() for c in item.detection.parsed_condition]
                for tree in trees:
                    _check(tree)
            except (SigmaError, Unsupported) as exc:
                ruleset.skipped.append((item.title, str(exc)))
                continue
            tree = trees[0] if len(trees) == 1 else ConditionOR(args=trees)
            ls = item.logsource
            key = _key(item)
            ruleset.rules.append(
                _Compiled(
                    info=_info(item),
                    logsource=(ls.product, ls.service, ls.category),
                    tree=tree,
                    name=key,
                    generate=referenced.get(key, True),
                )
            )
        return ruleset

    @property
    def count(self) -> int:
        """Rules and correlations in force."""
        return len([r for r in self.rules if r.generate]) + len(self.correlations)

    def covers(self, products: frozenset[str]) -> bool:
        """Whether any loaded rule could apply to records of these Sigma products."""
        return any(rule.logsource[0] is None or rule.logsource[0] in products for rule in self.rules)

    def evaluate(self, event: Event) -> list[RuleHit]:
        """The rules this event matches (correlations collect it for ``finish``)."""
        hits: list[RuleHit] = []
        for rule in self.rules:
            if not _applies(rule.logsource, event):
                continue
            if not _eval(rule.tree, event):
                continue
            if rule.generate:
                hits.append(RuleHit(rule.info, event, rule.info.title))
            for index, corr in enumerate(self.correlations):
                if rule.name in corr.bases and event.time is not None:
                    group = tuple(str(_field(event, g)) for g in corr.group_by)
                    value = _field(event, corr.field) if corr.field else None
                    self._observed.setdefault((index, group), []).append(
                        _Observation(event.time, value, event)
                    )
        return hits

    def finish(self) -> list[RuleHit]:
        """Correlations that held: one hit per group, on the event that completed the window."""
        hits: list[RuleHit] = []
        for (index, group), observations in sorted(
            self._observed.items(), key=lambda kv: (kv[0][0], kv[0][1])
        ):
            corr = self.correlations[index]
            observations.sort(key=lambda o: o.time)
            window: list[_Observation] = []
            for obs in observations:
                window.append(obs)
                while (obs.time - window[0].time).total_seconds() > corr.seconds:
                    window.pop(0)
                measure = len(window) if corr.kind == "event_count" else len({repr(o.value) for o in window})
                if _compare(measure, corr.op, corr.count):
                    label = ", ".join(f"{g}={v}" for g, v in zip(corr.group_by, group, strict=False))
                    what = "events" if corr.kind == "event_count" else f"distinct {corr.field}"
                    hits.append(
                        RuleHit(corr.info, obs.event, f"{measure} {what} within {corr.seconds}s ({label})")
                    )
                    break
        self._observed.clear()
        return hits


def _key(rule: Any) -> str:
    return str(rule.name or rule.id or rule.title)


def _info(rule: Any) -> RuleInfo:
    level = rule.level.name.lower() if rule.level is not None else ""
    return RuleInfo(
        id=str(rule.id or rule.name or ""), title=rule.title, level=level, author=rule.author or ""
    )


def _correlation(rule: SigmaCorrelationRule) -> _Correlation:
    kinds = {SigmaCorrelationType.EVENT_COUNT: "event_count", SigmaCorrelationType.VALUE_COUNT: "value_count"}
    if rule.type not in kinds:
        raise Unsupported(f"correlation type {rule.type.name.lower()} is not evaluated")
    cond = rule.condition
    if not isinstance(cond, SigmaCorrelationCondition) or not (
        cond.fieldref is None or isinstance(cond.fieldref, str)
    ):
        raise Unsupported("only simple correlation conditions (one count, at most one field) are evaluated")
    ops = {
        SigmaCorrelationConditionOperator.GTE: "gte",
        SigmaCorrelationConditionOperator.GT: "gt",
        SigmaCorrelationConditionOperator.LTE: "lte",
        SigmaCorrelationConditionOperator.LT: "lt",
        SigmaCorrelationConditionOperator.EQ: "eq",
    }
    if cond.op not in ops:
        raise Unsupported(f"correlation operator {cond.op} is not evaluated")
    return _Correlation(
        info=_info(rule),
        kind=kinds[rule.type],
        bases=[_key(ref.rule) for ref in rule.rules or []],
        group_by=list(rule.group_by or []),
        seconds=int(rule.timespan.seconds),
        op=ops[cond.op],
        count=int(cond.count),
        field=cond.fieldref,
    )


def _compare(measure: int, op: str, count: int) -> bool:
    return {
        "gte": measure >= count,
        "gt": measure > count,
        "lte": measure <= count,
        "lt": measure < count,
        "eq": measure == count,
    }[op]


def _applies(logsource: tuple[str | None, str | None, str | None], event: Event) -> bool:
    product, service, category = logsource
    if product and event.logsource.get("product") != product:
        return False
    if service and event.logsource.get("service") != service:
        return False
    return not (category and category not in event.categories)


_SUPPORTED_VALUES = (
    SigmaString,
    SigmaNumber,
    SigmaCIDRExpression,
    SigmaRegularExpression,
    SigmaNull,
    SigmaBool,
    SigmaCompareExpression,
    SigmaExists,
    SigmaExpansion,
    SigmaFieldReference,
)


def _check(node: Any) -> None:
    if isinstance(node, ConditionAND | ConditionOR | ConditionNOT):
        for arg in node.args:
            _check(arg)
    elif isinstance(node, ConditionFieldEqualsValueExpression | ConditionValueExpression):
        if not isinstance(node.value, _SUPPORTED_VALUES):
            raise Unsupported(f"value type {type(node.value).__name__} is not evaluated")
    else:
        raise Unsupported(f"condition element {type(node).__name__} is not evaluated")


def _field(event: Event, name: str | None) -> Any:
    if name is None:
        return _MISSING
    value = event.fields.get(name, _MISSING)
    if value is _MISSING:
        # Exports differ in field-name case (ipAddress vs IpAddress): Sigma names are matched loosely.
        lowered = name.lower()
        for key, item in event.fields.items():
            if key.lower() == lowered:
                return item
    return value


_regex_cache: dict[int, re.Pattern[str]] = {}


def _string_regex(value: SigmaString) -> re.Pattern[str]:
    cached = _regex_cache.get(id(value))
    if cached is not None:
        return cached
    parts: list[str] = []
    for part in value.s:
        if part is SpecialChars.WILDCARD_MULTI:
            parts.append(".*")
        elif part is SpecialChars.WILDCARD_SINGLE:
            parts.append(".")
        elif isinstance(part, str):
            parts.append(re.escape(part))
        else:
            raise Unsupported(f"string part {part!r} is not evaluated")
    flags = re.DOTALL if isinstance(value, SigmaCasedString) else re.IGNORECASE | re.DOTALL
    compiled = re.compile("".join(parts), flags)
    _regex_cache[id(value)] = compiled
    return compiled


def _values(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _match_value(expected: Any, actual: Any, event: Event) -> bool:
    if isinstance(expected, SigmaExists):
        return (actual is not _MISSING) == expected.exists
    if isinstance(expected, SigmaNull):
        return actual is _MISSING or actual is None or actual == ""
    if actual is _MISSING or actual is None:
        return False
    if isinstance(expected, SigmaExpansion):
        return any(_match_value(v, actual, event) for v in expected.values)
    if isinstance(expected, SigmaFieldReference):
        other = _field(event, expected.field)
        return other is not _MISSING and str(other).lower() == str(actual).lower()
    for item in _values(actual):
        if _match_one(expected, item):
            return True
    return False


def _match_one(expected: Any, item: Any) -> bool:
    if isinstance(expected, SigmaString):
        return _string_regex(expected).fullmatch(str(item)) is not None
    if isinstance(expected, SigmaBool):
        return isinstance(item, bool) and item == expected.boolean
    if isinstance(expected, SigmaNumber):
        try:
            return float(item) == float(expected.number)
        except (TypeError, ValueError):
            return False
    if isinstance(expected, SigmaCompareExpression):
        try:
            number = float(item)
        except (TypeError, ValueError):
            return False
        limit = float(expected.number.number)
        op = expected.op
        return {
            SigmaCompareExpression.CompareOperators.LT: number < limit,
            SigmaCompareExpression.CompareOperators.LTE: number <= limit,
            SigmaCompareExpression.CompareOperators.GT: number > limit,
            SigmaCompareExpression.CompareOperators.GTE: number >= limit,
        }.get(op, False)
    if isinstance(expected, SigmaCIDRExpression):
        try:
            return ipaddress.ip_address(str(item).strip()) in expected.network
        except ValueError:
            return False
    if isinstance(expected, SigmaRegularExpression):
        flags = 0
        for flag in expected.flags:
            flags |= {"IGNORECASE": re.IGNORECASE, "MULTILINE": re.MULTILINE, "DOTALL": re.DOTALL}.get(
                flag.name, 0
            )
        pattern = getattr(expected.regexp, "original", None) or str(expected.regexp)
        return re.search(str(pattern), str(item), flags) is not None
    return False


def _eval(node: Any, event: Event) -> bool:
    if isinstance(node, ConditionAND):
        return all(_eval(a, event) for a in node.args)
    if isinstance(node, ConditionOR):
        return any(_eval(a, event) for a in node.args)
    if isinstance(node, ConditionNOT):
        return not _eval(node.args[0], event)
    if isinstance(node, ConditionFieldEqualsValueExpression):
        return _match_value(node.value, _field(event, node.field), event)
    if isinstance(node, ConditionValueExpression):
        # A keyword matches anywhere in the record.
        value = node.value
        if isinstance(value, SigmaString):
            return _string_regex(value).search(event.text) is not None
        return str(getattr(value, "number", value)) in event.text
    return False


def grouped(hits: Iterable[RuleHit]) -> dict[str, list[RuleHit]]:
    """Hits by rule title (for reports)."""
    out: dict[str, list[RuleHit]] = defaultdict(list)
    for hit in hits:
        out[hit.rule.title].append(hit)
    return dict(out)
