"""Graph analysis of a vignette with networkx: structure findings and route statistics.

Headless: no Textual, no Rich. Each finding has a severity ('error' stops a vignette from
being played or scored reliably; 'warning' is worth an author's look).
"""

from __future__ import annotations

import gc
import re
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, Literal, NamedTuple

import networkx as nx

from simulator.content.codebook import codebook
from simulator.content.model import Choice, Vignette

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
    stats: Stats
    findings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]


def _leads(choices: list[Choice]) -> list[Any]:
    """Where the choices can lead, once per choice and branch (so with repeats)."""
    return [target for c in choices for target in c.targets()]


def _number(leads: list[list[Any]], names: list[str]) -> None:
    """Replace each name in `leads` by its node number (its place in `names`), in place.

    The model interns ids, so a target is almost always the very string object that names its
    node: looking it up by identity never reads the string, which in a large vignette lies far
    away in memory (a cache miss per choice). Any other equal string is found by its value.
    """
    by_object = {id(name): i for i, name in enumerate(names)}.get
    by_value: dict[str, int] = {}
    for targets in leads:
        for k, name in enumerate(targets):
            i = by_object(id(name))
            if i is None:
                by_value = by_value or {n: j for j, n in enumerate(names)}
                i = by_value[name]
            targets[k] = i


class ThinDiGraph(nx.DiGraph):  # type: ignore[misc]  # networkx ships no types
    """A DiGraph whose nodes and edges carry no attributes of their own.

    networkx's documented "ThinGraph" pattern: every node and every edge shares one empty
    attribute dict instead of allocating its own, which halves the objects a large vignette's
    graph needs. The analysis never sets attributes; do not set any on this graph.
    """

    _shared: ClassVar[dict[str, object]] = {}

    def _shared_dict(self) -> dict[str, object]:
        return self._shared

    node_attr_dict_factory = _shared_dict
    edge_attr_dict_factory = _shared_dict


def _graph(succ: list[list[int]]) -> nx.DiGraph:
    g = ThinDiGraph()
    # Edges first: networkx adds their nodes as it meets them, so each node's adjacency dicts
    # are allocated next to the edges that fill them (faster on large vignettes than adding
    # every node first: docs/benchmarks.md); then the nodes no choice touches.
    g.add_edges_from((node, t) for node, targets in enumerate(succ) for t in targets)
    g.add_nodes_from(range(len(succ)))
    return g


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building large acyclic structures.

    Building a graph allocates millions of container objects; each GC pass rescans all of them,
    which makes the cost grow faster than the graph. Nothing built here forms reference cycles.
    Large structures should also die inside the pause: handing a fresh million-object graph back
    to a caller makes the collector's next pass walk all of it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")
_SECOND_PERSON = re.compile(r"\b(you|you're|your|you'll|you'd|you've)\b", re.IGNORECASE)


def direct_question(client: str) -> str | None:
    """The first sentence of a client's statement that asks the therapist something directly
    (a question in the second person), if there is one."""
    for sentence in _SENTENCE.split(client.strip()):
        if sentence.endswith("?") and _SECOND_PERSON.search(sentence):
            return sentence
    return None


def analyse(v: Vignette, lines: dict[str, int] | None = None) -> Analysis:
    """Structure findings and statistics. `lines` maps node ids to their line in the file."""
    with gc_paused():
        return _analyse(v, lines)


def _analyse(v: Vignette, lines: dict[str, int] | None) -> Analysis:
    lines = lines or {}
    cb = codebook()
    findings: list[Finding] = []

    def add(sev: Severity, code: str, msg: str, node: str | None = None) -> None:
        findings.append(Finding(sev, code, msg, node, lines.get(node) if node else None))

    # One pass over the beats gathers the names, where each choice leads, the per-beat findings
    # and the counts: a large vignette's objects are spread over a lot of memory, and each visit
    # to them costs cache misses.
    names: list[str] = []
    leads: list[list[Any]] = []  # per beat, the target names; numbered in place below
    choices = decision_points = 0
    valence_of: dict[tuple[str, ...], str] = {}
    for b in v.beats:
        names.append(b.id)
        leads.append(_leads(b.choices))
        if not b.choices:
            add(
                "error",
                "dead-end",
                f"beat '{b.id}' has no choices and is not an ending; the session would stop here",
                b.id,
            )
            continue
        choices += len(b.choices)
        if len(b.choices) == 1:
            add(
                "warning",
                "single-choice",
                f"beat '{b.id}' offers only one choice: no real decision",
                b.id,
            )
        else:
            decision_points += 1
        valences = set()
        scored = True
        for n, c in enumerate(b.choices, 1):
            if not c.moves:
                scored = False
                add(
                    "error",
                    "no-moves",
                    f"choice {n} at beat '{b.id}' has no move code, so it cannot be scored",
                    b.id,
                )
                continue
            key = tuple(c.moves)
            if key not in valence_of:
                valence_of[key] = cb.combined_valence(key)
            valences.add(valence_of[key])
        if len(b.choices) > 1 and len(valences) == 1 and scored:
            add(
                "warning",
                "same-valence",
                f"every choice at beat '{b.id}' has valence {valences.pop()}: the trainee has no real decision",
                b.id,
            )
        asked = direct_question(b.client) if not b.markers else None
        if asked:
            add(
                "warning",
                "unmarked-question",
                f"at beat '{b.id}' the client asks you directly: \"{asked}\". If it is about the "
                "therapy, its rules or the relationship, add the marker direct_question, so that "
                "an honest answer scores as attuned and a reflection in its place as evasive; "
                "otherwise add the marker that says what the question does",
                b.id,
            )
    names.extend(e.id for e in v.endings)
    leads.extend([] for _ in v.endings)
    _number(leads, names)
    succ: list[list[int]] = leads
    g = _graph(succ)
    beats = len(v.beats)
    endings = range(beats, len(names))
    start = names.index(v.start)  # the first beat, as a rule
    # one breadth-first pass gives both what is reachable and how far (for the shortest route)
    dist = nx.single_source_shortest_path_length(g, start)
    for node, name in enumerate(names):
        if node not in dist:
            if node >= beats:
                add("warning", "unreached-ending", f"ending '{name}' is never reached", name)
            else:
                add(
                    "warning",
                    "unreachable-beat",
                    f"beat '{name}' cannot be reached from the start",
                    name,
                )

    longest = _longest_route(succ, start, dist, beats)
    if longest is None:  # the reachable part has a cycle: is any cycle a trap?
        can_end = _reaching(g, endings)
        trapped = [n for n in dist if not can_end[n]]
        sub = g.subgraph(trapped)
        for comp in nx.strongly_connected_components(sub):
            node = next(iter(comp))
            if len(comp) > 1 or sub.has_edge(node, node):
                members = sorted(names[n] for n in comp)
                shown = ", ".join(members[:5]) + (" ..." if len(members) > 5 else "")
                add(
                    "error",
                    "trap-cycle",
                    f"a cycle with no route to an ending: {shown}",
                    members[0],
                )
    findings.sort(key=lambda f: (f.severity != "error", f.line or 0, f.code))
    ended = [d for n, d in dist.items() if n >= beats]
    stats = Stats(
        beats=beats,
        choices=choices,
        endings=len(v.endings),
        decision_points=decision_points,
        shortest_route=min(ended) if ended else None,
        longest_route=longest if ended and longest is not None and longest >= 0 else None,
        has_cycles=longest is None,
    )
    return Analysis(stats, findings)


def _reaching(g: nx.DiGraph, targets: range) -> bytearray:
    """A flag per node: 1 if it has a path to one of `targets` (breadth-first against the edges).

    Nodes are 0..n-1, so per-node facts live in flat arrays rather than sets or dicts.
    """
    pred = g._pred  # the raw adjacency, as networkx's own traversals use: g.pred[x] builds a view
    seen = bytearray(len(pred))
    for t in targets:
        seen[t] = 1
    frontier = list(targets)
    while frontier:
        nxt = []
        for node in frontier:
            for p in pred[node]:
                if not seen[p]:
                    seen[p] = 1
                    nxt.append(p)
        frontier = nxt
    return seen


def _longest_route(
    succ: list[list[int]], start: int, reachable: Collection[int], beats: int
) -> int | None:
    """Most choices from `start` to an ending; -1 when no route ends; None if the reachable part
    has a cycle (so routes are unbounded).

    Kahn's topological order over the reachable nodes, then longest distances in reverse order.
    `succ` lists where each node leads (with repeats, counted alike both ways); nodes from
    `beats` on are endings. A cycle-free vignette cannot have a trap cycle, so this one pass also
    spares the search for them.
    """
    indegree = [0] * len(succ)
    for node in reachable:
        for s in succ[node]:
            indegree[s] += 1
    order = [n for n in reachable if indegree[n] == 0]
    i = 0
    while i < len(order):
        node = order[i]
        i += 1
        for s in succ[node]:
            indegree[s] -= 1
            if indegree[s] == 0:
                order.append(s)
    if len(order) < len(reachable):
        return None
    best = indegree  # all zero again: reuse it, with -1 for "no route to an ending"
    for node in reversed(order):
        if node < beats:
            tail = max((best[s] for s in succ[node]), default=-1)
            best[node] = tail + 1 if tail >= 0 else -1
    return best[start]
