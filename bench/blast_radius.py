"""Blast-radius benchmark on a generated estate of 2,000 systems and 5,000 services.

Prints the median time of ``blast_radius`` for several sets of down systems, next to a
named baseline measured in the same run: a naive fixed-point loop that recomputes the
affected set until nothing changes (what a first implementation would do). Machines here
are noisy, so the figures are medians over repeats and the comparison is a ratio.

    .venv/bin/python bench/blast_radius.py
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from incidentroom.estate.blast import EstateGraph, blast_radius  # noqa: E402

SYSTEMS = 2000
SERVICES = 5000
REPEATS = 15
TARGET_MS = 50.0


def generate(seed: int = 2025) -> EstateGraph:
    """A layered estate with some back edges (cycles), like shared councils' IT."""
    rng = random.Random(seed)  # noqa: S311 - benchmark data, not security
    system_deps: dict[int, list[int]] = {}
    for s in range(SYSTEMS):
        # Lower-numbered systems are foundations; each system needs 1-4 earlier ones.
        if s < 20:
            system_deps[s] = []
            continue
        system_deps[s] = rng.sample(range(max(0, s - 400), s), k=min(s, rng.randint(1, 4)))
    for _ in range(100):  # back edges: cycles must not hang or double count
        a, b = rng.randrange(20, SYSTEMS), rng.randrange(20, SYSTEMS)
        if a != b:
            system_deps[min(a, b)].append(max(a, b))
    service_deps = {10_000 + v: rng.sample(range(SYSTEMS), k=rng.randint(1, 5)) for v in range(SERVICES)}
    return EstateGraph(system_deps=system_deps, service_deps=service_deps)


def naive(graph: EstateGraph, down: list[int]) -> set[int]:
    """Baseline: grow the lost set by scanning every edge until it stops changing."""
    lost = set(down)
    changed = True
    while changed:
        changed = False
        for system, deps in graph.system_deps.items():
            if system not in lost and any(d in lost for d in deps):
                lost.add(system)
                changed = True
    return {svc for svc, deps in graph.service_deps.items() if any(d in lost for d in deps)}


def per_service_search(graph: EstateGraph, down: list[int]) -> dict[int, tuple[int, ...]]:
    """Baseline with explanations: for each service, breadth-first search its dependencies
    for a down system (what answering 'is this service affected, and why?' one service at a
    time costs)."""
    down_set = set(down)
    result: dict[int, tuple[int, ...]] = {}
    for svc, deps in graph.service_deps.items():
        parent: dict[int, int | None] = {d: None for d in deps}
        frontier = list(deps)
        hit = None
        while frontier and hit is None:
            nxt: list[int] = []
            for node in frontier:
                if node in down_set:
                    hit = node
                    break
                for dep in graph.system_deps.get(node, ()):
                    if dep not in parent:
                        parent[dep] = node
                        nxt.append(dep)
            frontier = nxt
        if hit is not None:
            path = [hit]
            while parent[path[-1]] is not None:
                path.append(parent[path[-1]])  # type: ignore[arg-type]
            result[svc] = tuple(reversed(path))
    return result


def median_ms(fn: Callable[[], object]) -> float:
    """Median wall time of ``fn`` over REPEATS runs, in milliseconds."""
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    """Run the scenarios and print a table."""
    graph = generate()
    scenarios = {
        "one foundation down": [3],
        "five foundations down": [0, 1, 2, 3, 4],
        "one leaf system down": [SYSTEMS - 1],
        "50 random systems down": random.Random(1).sample(range(SYSTEMS), 50),  # noqa: S311
    }
    print(
        f"Estate: {SYSTEMS} systems, {SERVICES} services, "
        f"{sum(len(d) for d in graph.system_deps.values())} system edges, "
        f"{sum(len(d) for d in graph.service_deps.values())} service edges; median of {REPEATS} runs"
    )
    print("Baselines: 'fixed point' grows the lost set edge by edge (no explanations); 'per-service search'")
    print("answers each service separately with its path (same output as blast_radius).")
    print(
        f"{'scenario':<24}{'affected':>9}{'blast_radius':>14}{'fixed point':>13}{'per-service':>13}{'vs per-service':>16}"
    )
    worst = 0.0
    for name, down in scenarios.items():
        impacts = blast_radius(graph, down)
        assert {i.service_id for i in impacts} == naive(graph, down), name  # same answer
        assert set(per_service_search(graph, down)) == {i.service_id for i in impacts}, name
        ours = median_ms(lambda d=down: blast_radius(graph, d))  # type: ignore[misc]
        fixed = median_ms(lambda d=down: naive(graph, d))  # type: ignore[misc]
        search = median_ms(lambda d=down: per_service_search(graph, d))  # type: ignore[misc]
        worst = max(worst, ours)
        print(
            f"{name:<24}{len(impacts):>9}{ours:>11.2f} ms{fixed:>10.2f} ms{search:>10.2f} ms{search / ours:>15.1f}x"
        )
    print(
        f"Slowest scenario: {worst:.2f} ms (target under {TARGET_MS:.0f} ms): "
        + ("within target" if worst < TARGET_MS else "OVER TARGET")
    )


if __name__ == "__main__":
    main()
