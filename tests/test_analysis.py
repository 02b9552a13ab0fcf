from __future__ import annotations

import networkx as nx

from simulator.content.analysis import _graph, _leads, _number, analyse
from simulator.content.loader import load_vignette
from simulator.content.model import Vignette
from tests.builders import choice, vignette
from tests.conftest import LOOP, MINI


def build_graph(v: Vignette) -> tuple[nx.DiGraph, list[str]]:
    """The graph `analyse` walks: integer nodes in file order (beats, then endings)."""
    names = [b.id for b in v.beats] + [e.id for e in v.endings]
    succ = [_leads(b.choices) for b in v.beats] + [[] for _ in v.endings]
    _number(succ, names)
    return _graph(succ), names


def codes(v) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {f.code: f.severity for f in analyse(v).findings}


def test_clean_graph_has_no_findings() -> None:
    v = vignette([{"id": "a", "choices": [choice("good"), choice("bad", ["persuade"])]}])
    assert analyse(v).findings == []


def test_unreachable_beat() -> None:
    v = vignette(
        [
            {"id": "a", "choices": [choice("good"), choice("bad", ["persuade"])]},
            {"id": "island", "choices": [choice("good"), choice("bad", ["persuade"])]},
        ]
    )
    found = [f for f in analyse(v).findings if f.code == "unreachable-beat"]
    assert [f.node for f in found] == ["island"] and found[0].severity == "warning"


def test_dead_end_beat_is_an_error() -> None:
    v = vignette([{"id": "a", "choices": [choice("b"), choice("good", ["persuade"])]}, {"id": "b"}])
    assert codes(v)["dead-end"] == "error"


def test_unreached_ending() -> None:
    v = vignette([{"id": "a", "choices": [choice("good"), choice("good", ["persuade"])]}])
    assert codes(v)["unreached-ending"] == "warning"


def test_cycle_with_no_route_to_an_ending() -> None:
    v = vignette(
        [
            {
                "id": "a",
                "choices": [choice("b"), choice("good", ["persuade"]), choice("bad", ["confront"])],
            },
            {"id": "b", "choices": [choice("c"), choice("c", ["persuade"])]},
            {"id": "c", "choices": [choice("b"), choice("b", ["persuade"])]},
        ]
    )
    findings = [f for f in analyse(v).findings if f.code == "trap-cycle"]
    assert len(findings) == 1 and findings[0].severity == "error"
    assert "b, c" in findings[0].message


def test_cycle_with_an_exit_is_fine() -> None:
    v = vignette(
        [
            {"id": "a", "choices": [choice("b"), choice("bad", ["persuade"])]},
            {"id": "b", "choices": [choice("a"), choice("good", ["persuade"])]},
        ]
    )
    a = analyse(v)
    assert "trap-cycle" not in codes(v)
    assert a.stats.has_cycles and a.stats.longest_route is None


def test_single_choice_and_no_moves_and_same_valence() -> None:
    v = vignette(
        [
            {"id": "a", "choices": [choice("b")]},
            {"id": "b", "choices": [choice("c", []), choice("bad", ["persuade"])]},
            {
                "id": "c",
                "choices": [choice("good", ["validate"]), choice("bad", ["complex_reflection"])],
            },
        ]
    )
    found = codes(v)
    assert found["single-choice"] == "warning"
    assert found["no-moves"] == "error"
    assert found["same-valence"] == "warning"


def test_stats_on_fixtures() -> None:
    mini = analyse(load_vignette(MINI)).stats
    assert (mini.beats, mini.choices, mini.endings, mini.decision_points) == (5, 12, 3, 5)
    assert (mini.shortest_route, mini.longest_route) == (2, 4)
    loop = analyse(load_vignette(LOOP)).stats
    assert loop.has_cycles and loop.shortest_route == 1


def test_longest_route_counts_only_routes_that_end() -> None:
    # a -> b -> c -> d is longer than a -> good, but d is a dead end: it is no route to an ending
    v = vignette(
        [
            {"id": "a", "choices": [choice("b"), choice("good", ["persuade"])]},
            {"id": "b", "choices": [choice("c"), choice("c", ["persuade"])]},
            {"id": "c", "choices": [choice("d"), choice("d", ["persuade"])]},
            {"id": "d"},
        ]
    )
    a = analyse(v)
    assert "dead-end" in {f.code for f in a.findings}
    assert (a.stats.shortest_route, a.stats.longest_route) == (1, 1)
    assert not a.stats.has_cycles


def test_routing_conditions_contribute_every_possible_target() -> None:
    v = vignette(
        [
            {
                "id": "a",
                "choices": [
                    choice([{"if": "alliance >= 5", "go": "b"}, {"go": "bad"}]),
                    choice("good", ["persuade"]),
                ],
            },
            {"id": "b", "choices": [choice("good"), choice("bad", ["persuade"])]},
        ]
    )
    a = analyse(v)
    assert "unreachable-beat" not in {f.code for f in a.findings}
    assert a.stats.longest_route == 2
    g, names = build_graph(v)
    assert g.has_edge(names.index("a"), names.index("bad"))
    assert g.has_edge(names.index("a"), names.index("b"))


def test_numbering_finds_equal_strings_that_are_not_the_same_object() -> None:
    # the model interns ids, and numbering looks targets up by identity first; a target that is
    # an equal but distinct string (a model built without validation) is found by its value
    from simulator.content.analysis import _number

    names = ["start", "middle", "end"]
    leads: list[list[object]] = [["".join(["mid", "dle"]), names[2]], ["".join(["e", "nd"])], []]
    assert leads[0][0] is not names[1]
    _number(leads, names)
    assert leads == [[1, 2], [2], []]


def test_nodes_no_choice_touches_are_still_in_the_graph() -> None:
    # an island beat with no choices, an ending nothing leads to, and a trap cycle (whose search
    # walks the graph against its edges from every ending, so every ending must be a node)
    v = vignette(
        [
            {
                "id": "a",
                "choices": [choice("b"), choice("good", ["persuade"]), choice("bad", ["confront"])],
            },
            {"id": "b", "choices": [choice("c"), choice("c", ["persuade"])]},
            {"id": "c", "choices": [choice("b"), choice("b", ["persuade"])]},
            {"id": "island"},
        ],
        endings=["good", "bad", "never"],
    )
    graph, names = build_graph(v)
    assert sorted(names[n] for n in graph.nodes) == sorted(
        ["a", "b", "c", "island", "good", "bad", "never"]
    )
    found = {(f.code, f.node) for f in analyse(v).findings}
    assert {
        ("trap-cycle", "b"),
        ("unreachable-beat", "island"),
        ("dead-end", "island"),
        ("unreached-ending", "never"),
    } <= found
