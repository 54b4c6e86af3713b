"""Blast radius: which services stop when some systems are compromised or switched off.

Pure and Django-free so it can be benchmarked on its own and reused by the status page.
One breadth-first search over the reversed dependency graph, O(systems + edges): the
first time a system is reached fixes its shortest explanation path, and the visited set
is what makes cycles harmless.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Impact:
    """One affected service and why: ``path`` runs service's system -> ... -> a down system."""

    service_id: int
    path: tuple[int, ...]

    @property
    def root_system_id(self) -> int:
        """The down system at the end of the explanation."""
        return self.path[-1]


@dataclass(frozen=True)
class EstateGraph:
    """Adjacency lists: system -> systems it depends on; service -> systems it depends on."""

    system_deps: Mapping[int, Iterable[int]]
    service_deps: Mapping[int, Iterable[int]]


def lost_systems(graph: EstateGraph, down: Iterable[int]) -> set[int]:
    """The down systems and every system that needs one of them, however indirectly.

    The graph draws all of these as lost, not only those on some service's shortest path."""
    return set(_towards(graph, down))


def _towards(graph: EstateGraph, down: Iterable[int]) -> dict[int, int | None]:
    dependants: dict[int, list[int]] = {}
    for system, deps in graph.system_deps.items():
        for dep in deps:
            dependants.setdefault(dep, []).append(system)

    # towards[s] = the next system on the path from s to a down system (None at a root).
    towards: dict[int, int | None] = {}
    queue: deque[int] = deque()
    for root in down:
        if root not in towards:
            towards[root] = None
            queue.append(root)
    while queue:
        current = queue.popleft()
        for dependant in dependants.get(current, ()):
            if dependant not in towards:
                towards[dependant] = current
                queue.append(dependant)
    return towards


def blast_radius(graph: EstateGraph, down: Iterable[int]) -> list[Impact]:
    """Every service affected by the ``down`` systems, each with its shortest dependency path."""
    towards = _towards(graph, down)

    def path_from(system: int) -> tuple[int, ...]:
        steps = [system]
        nxt = towards[system]
        while nxt is not None:
            steps.append(nxt)
            nxt = towards[nxt]
        return tuple(steps)

    depth_cache: dict[int, tuple[int, ...]] = {}
    impacts: list[Impact] = []
    for service, systems in graph.service_deps.items():
        best: tuple[int, ...] | None = None
        for system in systems:
            if system in towards:
                path = depth_cache.get(system)
                if path is None:
                    path = depth_cache[system] = path_from(system)
                if best is None or len(path) < len(best):
                    best = path
        if best is not None:
            impacts.append(Impact(service_id=service, path=best))
    return impacts


def every_cause(graph: EstateGraph, down: Iterable[int]) -> list[Impact]:
    """Every route by which each service is lost: one path per (system it needs, down system).

    :func:`blast_radius` keeps one shortest path per service, which answers "is it down?". A
    service that needs both the phones and its own case system, both down, has two reasons,
    and the person telling residents needs both: one search per down system (a handful)."""
    impacts: list[Impact] = []
    for root in dict.fromkeys(down):
        towards = _towards(graph, [root])
        for service, systems in graph.service_deps.items():
            for system in dict.fromkeys(systems):
                if system not in towards:
                    continue
                steps = [system]
                nxt = towards[system]
                while nxt is not None:
                    steps.append(nxt)
                    nxt = towards[nxt]
                impacts.append(Impact(service_id=service, path=tuple(steps)))
    return impacts
