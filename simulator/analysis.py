"""Graph analysis of a vignette with networkx: structure findings and route statistics.

Headless: no Textual, no Rich. Each finding has a severity ('error' stops a vignette from
being played or scored reliably; 'warning' is worth an author's look).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

import networkx as nx

from scoring.codebook import codebook
from simulator.model import Vignette

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    message: str
    node: str | None = None
    """The beat or ending concerned, if one."""
    line: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in asdict(self).items() if k != "node"}


@dataclass
class Stats:
    beats: int
    choices: int
    endings: int
    decision_points: int
    shortest_route: int | None
    """Fewest choices from the start to any ending."""
    longest_route: int | None
    """Most choices on a route to an ending; None when a cycle makes it unbounded."""
    has_cycles: bool


@dataclass
class Analysis:
    graph: nx.MultiDiGraph
    stats: Stats
    findings: list[Finding] = field(default_factory=list)

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


def analyse(v: Vignette, lines: dict[str, int] | None = None) -> Analysis:
    """Structure findings and statistics. `lines` maps node ids to their line in the file."""
    lines = lines or {}
    cb = codebook()
    g = build_graph(v)
    endings = {e.id for e in v.endings}
    findings: list[Finding] = []

    def add(sev: Severity, code: str, msg: str, node: str | None = None) -> None:
        findings.append(Finding(sev, code, msg, node, lines.get(node) if node else None))

    reachable = nx.descendants(g, v.start) | {v.start}
    can_end = set(endings)
    for e in endings:
        can_end |= nx.ancestors(g, e)

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
                valences.add(cb.combined_valence(c.moves))
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
    return Analysis(g, _stats(v, g, reachable, can_end, endings), findings)


def _stats(
    v: Vignette, g: nx.MultiDiGraph, reachable: set[str], can_end: set[str], endings: set[str]
) -> Stats:
    dist = nx.single_source_shortest_path_length(g, v.start)
    ended = [d for n, d in dist.items() if n in endings]
    live = g.subgraph(reachable & can_end)
    has_cycles = not nx.is_directed_acyclic_graph(g.subgraph(reachable))
    longest: int | None = None
    if not has_cycles and ended:
        longest = _longest_from(live, v.start, endings)
    return Stats(
        beats=len(v.beats),
        choices=sum(len(b.choices) for b in v.beats),
        endings=len(v.endings),
        decision_points=sum(1 for b in v.beats if len(b.choices) >= 2),
        shortest_route=min(ended) if ended else None,
        longest_route=longest,
        has_cycles=has_cycles,
    )


def _longest_from(dag: nx.MultiDiGraph, start: str, endings: set[str]) -> int | None:
    """Most edges on a path from `start` to an ending, in a DAG (one pass in reverse topological order)."""
    best: dict[str, int] = {}
    for node in reversed(list(nx.topological_sort(dag))):
        if node in endings:
            best[node] = 0
            continue
        tails = [best[s] for s in dag.successors(node) if s in best]
        if tails:
            best[node] = 1 + max(tails)
    return best.get(start)
