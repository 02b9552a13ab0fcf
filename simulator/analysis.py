"""Graph analysis of a vignette with networkx: structure findings and route statistics.

Headless: no Textual, no Rich. Each finding has a severity ('error' stops a vignette from
being played or scored reliably; 'warning' is worth an author's look).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal, NamedTuple

import networkx as nx

from scoring.codebook import codebook
from simulator.model import Vignette

Severity = Literal["error", "warning"]


class Finding(NamedTuple):
    severity: Severity
    code: str
    message: str
    node: str | None = None
    """The beat or ending concerned, if one."""
    line: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in self._asdict().items() if k != "node"}


class Stats(NamedTuple):
    beats: int
    choices: int
    endings: int
    decision_points: int
    shortest_route: int | None
    """Fewest choices from the start to any ending."""
    longest_route: int | None
    """Most choices on a route to an ending; None when a cycle makes it unbounded."""
    has_cycles: bool


class Analysis(NamedTuple):
    graph: nx.MultiDiGraph
    stats: Stats
    findings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]


def build_graph(v: Vignette) -> nx.MultiDiGraph:
    """Nodes are beats and endings; one edge per (choice, possible target)."""
    g = nx.MultiDiGraph()
    g.add_nodes_from((b.id, {"kind": "beat"}) for b in v.beats)
    g.add_nodes_from((e.id, {"kind": "ending", "ending": e.kind}) for e in v.endings)
    g.add_edges_from(
        (b.id, target, {"choice": i})
        for b in v.beats
        for i, c in enumerate(b.choices)
        for target in c.targets()
    )
    return g


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building large acyclic structures.

    Building a graph allocates millions of container objects; each GC pass rescans all of them,
    which makes the cost grow faster than the graph. Nothing built here forms reference cycles.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def analyse(v: Vignette, lines: dict[str, int] | None = None) -> Analysis:
    """Structure findings and statistics. `lines` maps node ids to their line in the file."""
    with gc_paused():
        return _analyse(v, lines)


def _analyse(v: Vignette, lines: dict[str, int] | None) -> Analysis:
    lines = lines or {}
    cb = codebook()
    g = build_graph(v)
    endings = {e.id for e in v.endings}
    findings: list[Finding] = []

    def add(sev: Severity, code: str, msg: str, node: str | None = None) -> None:
        findings.append(Finding(sev, code, msg, node, lines.get(node) if node else None))

    # one breadth-first pass gives both what is reachable and how far (for the shortest route)
    dist = nx.single_source_shortest_path_length(g, v.start)
    reachable = set(dist)
    can_end = _reaching(g, endings)
    valence_of: dict[tuple[str, ...], str] = {}

    for b in v.beats:
        if b.id not in reachable:
            add(
                "warning",
                "unreachable-beat",
                f"beat '{b.id}' cannot be reached from the start",
                b.id,
            )
        if not b.choices:
            add(
                "error",
                "dead-end",
                f"beat '{b.id}' has no choices and is not an ending; the session would stop here",
                b.id,
            )
            continue
        if len(b.choices) == 1:
            add(
                "warning",
                "single-choice",
                f"beat '{b.id}' offers only one choice: no real decision",
                b.id,
            )
        valences = set()
        for i, c in enumerate(b.choices, 1):
            if not c.moves:
                add(
                    "error",
                    "no-moves",
                    f"choice {i} at beat '{b.id}' has no move code, so it cannot be scored",
                    b.id,
                )
            else:
                key = tuple(c.moves)
                if key not in valence_of:
                    valence_of[key] = cb.combined_valence(key)
                valences.add(valence_of[key])
        if len(b.choices) > 1 and len(valences) == 1 and all(c.moves for c in b.choices):
            add(
                "warning",
                "same-valence",
                f"every choice at beat '{b.id}' has valence {valences.pop()}: the trainee has no real decision",
                b.id,
            )
    for ending in v.endings:
        if ending.id not in reachable:
            add("warning", "unreached-ending", f"ending '{ending.id}' is never reached", ending.id)

    trapped = reachable - can_end
    if trapped:
        sub = g.subgraph(trapped)
        for comp in nx.strongly_connected_components(sub):
            node = next(iter(comp))
            if len(comp) > 1 or sub.has_edge(node, node):
                names = sorted(comp)
                shown = ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")
                add(
                    "error",
                    "trap-cycle",
                    f"a cycle with no route to an ending: {shown}",
                    names[0],
                )
    findings.sort(key=lambda f: (f.severity != "error", f.line or 0, f.code))
    return Analysis(g, _stats(v, g, dist, reachable, endings), findings)


def _reaching(g: nx.MultiDiGraph, targets: set[str]) -> set[str]:
    """Every node with a path to one of `targets` (one breadth-first pass against the edges)."""
    pred = g._pred  # the raw adjacency, as networkx's own traversals use: g.pred[x] builds a view
    seen = set(targets)
    frontier = list(targets)
    while frontier:
        nxt = []
        for node in frontier:
            for p in pred[node]:
                if p not in seen:
                    seen.add(p)
                    nxt.append(p)
        frontier = nxt
    return seen


def _stats(
    v: Vignette, g: nx.MultiDiGraph, dist: dict[str, int], reachable: set[str], endings: set[str]
) -> Stats:
    ended = [d for n, d in dist.items() if n in endings]
    longest = _longest_route(g, v.start, reachable, endings)
    has_cycles = longest is None
    return Stats(
        beats=len(v.beats),
        choices=sum(len(b.choices) for b in v.beats),
        endings=len(v.endings),
        decision_points=sum(1 for b in v.beats if len(b.choices) >= 2),
        shortest_route=min(ended) if ended else None,
        longest_route=longest if ended else None,
        has_cycles=has_cycles,
    )


def _longest_route(
    g: nx.MultiDiGraph, start: str, reachable: set[str], endings: set[str]
) -> int | None:
    """Most choices from `start` to an ending, or None if the reachable part has a cycle.

    Kahn's topological order over the reachable nodes, then longest distances in reverse order.
    """
    succ = g._succ  # the raw adjacency (see _reaching)
    indegree = dict.fromkeys(reachable, 0)
    for node in reachable:
        for s in succ[node]:
            indegree[s] += len(succ[node][s])
    order = [n for n, d in indegree.items() if d == 0]
    i = 0
    while i < len(order):
        node = order[i]
        i += 1
        for s, keys in succ[node].items():
            indegree[s] -= len(keys)
            if indegree[s] == 0:
                order.append(s)
    if len(order) < len(reachable):
        return None
    best: dict[str, int] = {}
    for node in reversed(order):
        if node in endings:
            best[node] = 0
            continue
        tails = [best[s] for s in succ[node] if s in best]
        if tails:
            best[node] = 1 + max(tails)
    return best.get(start)
