"""One case per rubric rule. Each case must fire its rule; removing the rule must change the score."""

from __future__ import annotations

from typing import Any

import pytest

from scoring.results import ScoreReport
from scoring.rubric import Rubric, default_rubric
from scoring.scorer import score_route
from tests.builders import choice, vignette

OUT = {"arousal": 9, "alliance": 5, "shame": 3, "openness": 5}  # window is 3..7: hyper
IN = {"arousal": 5, "alliance": 5, "shame": 3, "openness": 5}
HYPO = {"arousal": 1, "alliance": 5, "shame": 3, "openness": 5}


def one_choice(
    moves: list[str], *, state: dict[str, int] = IN, markers: list[str] | None = None, **kw: Any
) -> tuple[Any, list[tuple[str, int]]]:
    """A vignette whose first beat offers `moves` (and a contrasting alternative)."""
    v = vignette(
        [
            {
                "id": "a",
                "markers": markers or [],
                "choices": [choice("good", moves), choice("bad", ["persuade"])],
            }
        ],
        state=state,
        **kw,
    )
    return v, [("a", 0)]


def consented(
    moves: list[str], *, state: dict[str, int] = IN, **kw: Any
) -> tuple[Any, list[tuple[str, int]]]:
    """The client says yes at beat 'a'; the choice under test is at beat 'b'."""
    v = vignette(
        [
            {
                "id": "a",
                "choices": [choice("b", ["seeking_collaboration"]), choice("bad", ["persuade"])],
            },
            {
                "id": "b",
                "markers": ["consent"],
                "choices": [choice("good", moves), choice("bad", ["persuade"])],
            },
        ],
        state=state,
        **kw,
    )
    return v, [("a", 0), ("b", 0)]


def rupture_then(
    moves_seq: list[list[str]], *, kind: str = "minimal_response"
) -> tuple[Any, list[tuple[str, int]]]:
    """A rupture opens at beat r0; then one choice per entry in `moves_seq` along a chain."""
    beats = []
    n = len(moves_seq)
    for i, moves in enumerate(moves_seq):
        nxt = f"r{i + 1}" if i + 1 < n else "good"
        beats.append(
            {
                "id": f"r{i}",
                "markers": [kind] if i == 0 else [],
                "choices": [choice(nxt, moves), choice("bad", ["confront"])],
            }
        )
    return vignette(beats), [(f"r{i}", 0) for i in range(n)]


def accommodate_twice() -> tuple[Any, list[tuple[str, int]]]:
    v = vignette(
        [
            {"id": "a", "choices": [choice("b", ["accommodate"]), choice("bad", ["persuade"])]},
            {"id": "b", "choices": [choice("good", ["accommodate"]), choice("bad", ["persuade"])]},
        ],
        attachment="hyperactivating",
    )
    return v, [("a", 0), ("b", 0)]


def leads_to_rupture(moves: list[str]) -> tuple[Any, list[tuple[str, int]]]:
    """The choice under test at 'a' leads to beat 'w', where the client withdraws."""
    v = vignette(
        [
            {"id": "a", "choices": [choice("w", moves), choice("bad", ["persuade"])]},
            {
                "id": "w",
                "markers": ["topic_shift"],
                "choices": [choice("good", ["own_contribution"]), choice("bad", ["persuade"])],
            },
        ]
    )
    return v, [("a", 0), ("w", 0)]


def ended_with_open_rupture() -> tuple[Any, list[tuple[str, int]]]:
    v = vignette(
        [
            {
                "id": "a",
                "markers": ["complaint_about_therapist"],
                "choices": [choice("good", ["simple_reflection"]), choice("bad", ["persuade"])],
            }
        ]
    )
    return v, [("a", 0)]


# rule id -> (case, turn whose lines must contain the rule (None: the end lines), expected points)
CASES: dict[str, tuple[Any, int | None, int]] = {
    "advice-without-consent": (one_choice(["advise_with_permission"]), 0, -2),
    "depth-without-consent": (one_choice(["deepen"]), 0, -2),
    "depth-out-of-window": (consented(["deepen"], state={**IN, "arousal": 7}), 1, -2),
    "question-out-of-window": (one_choice(["question"], state=OUT), 0, -2),
    "interpret-weak-alliance": (consented(["interpret"], state={**IN, "alliance": 1}), 1, -2),
    "regulate-out-of-window": (one_choice(["regulate"], state=OUT), 0, 2),
    "metacommunicate-dysregulated": (one_choice(["metacommunicate"], state=HYPO), 0, 0),
    "metacommunicate-flooded": (one_choice(["metacommunicate"], state=OUT), 0, -2),
    "evasive-reflection": (one_choice(["complex_reflection"], markers=["direct_question"]), 0, 0),
    "answer-direct-question": (
        one_choice(["giving_information"], markers=["direct_question"]),
        0,
        2,
    ),
    "evaded-question": (one_choice(["complex_reflection"], markers=["direct_question"]), 0, -1),
    "collusion-with-risk": (one_choice(["accommodate"], markers=["risk"]), 0, -2),
    "colluding-with-risk": (one_choice(["accommodate"], markers=["risk"]), 0, -2),
    "respecting-distance": (
        one_choice(["accommodate"], markers=["declines"], attachment="deactivating"),
        0,
        0,
    ),
    "advice-asked-for": (
        one_choice(["advise_with_permission"], markers=["asks_for_advice"]),
        0,
        0,
    ),
    "repair-needs-window": (
        one_choice(["validate"], state=OUT, markers=["complaint_about_tasks"]),
        0,
        0,
    ),
    "push-out-of-window": (one_choice(["persuade"], state=OUT), 0, -2),
    "regulate-credit": (one_choice(["regulate"], state=OUT), 0, 1),
    "repair-in-time": (rupture_then([["validate"]]), 0, 3),
    "repair-late": (
        rupture_then([["simple_reflection"], ["simple_reflection"], ["validate"]]),
        2,
        1,
    ),
    "escalation": (one_choice(["persuade"], markers=["complaint_about_tasks"]), 0, -2),
    "righting-reflex": (
        one_choice(["giving_information"], markers=["rejects_intervention"]),
        0,
        -2,
    ),
    "autonomy-credit": (one_choice(["emphasizing_autonomy"]), 0, 1),
    "avoidant-pursuit": (
        consented(["deepen"], state={**IN, "alliance": 3}, attachment="deactivating"),
        1,
        -2,
    ),
    "hyperactivating-accommodation": (accommodate_twice(), 1, -2),
    "rupture-invited": (leads_to_rupture(["accommodate"]), 0, -1),
    "unrepaired-rupture": (rupture_then([["simple_reflection"], ["simple_reflection"]]), 1, -2),
}


def _fix_depth_out_of_window() -> None:
    # the consenting choice raises arousal out of the window before the deepen
    v, route = CASES["depth-out-of-window"][0]
    data = v.model_dump(by_alias=True)
    data["beats"][0]["choices"][0]["effect"] = {"arousal": 2}
    CASES["depth-out-of-window"] = ((type(v).model_validate(data), route), 1, -2)


_fix_depth_out_of_window()


def _lines(report: ScoreReport, turn: int | None) -> list[tuple[str, int]]:
    lines = report.end if turn is None else report.turns[turn].lines
    return [(ln.rule, ln.points) for ln in lines]


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires(rule_id: str) -> None:
    (v, route), turn, points = CASES[rule_id]
    report = score_route(v, route, default_rubric())
    assert (rule_id, points) in _lines(report, turn), _lines(report, turn)


def _without(rubric: Rubric, rule_id: str) -> Rubric:
    data = rubric.model_dump()
    data["reclassify"] = [r for r in data["reclassify"] if r["id"] != rule_id]
    data["rules"] = [r for r in data["rules"] if r["id"] != rule_id]
    if rule_id == "unrepaired-rupture":
        data["unrepaired_points"] = 0
    return Rubric.model_validate(data)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_removing_the_rule_changes_its_case(rule_id: str) -> None:
    (v, route), turn, _ = CASES[rule_id]
    full = score_route(v, route, default_rubric())
    reduced = score_route(v, route, _without(default_rubric(), rule_id))
    assert rule_id not in [r for r, _ in _lines(reduced, turn)]
    assert (full.net, _lines(full, turn)) != (reduced.net, _lines(reduced, turn))


def test_every_rubric_rule_has_a_case() -> None:
    rubric = default_rubric()
    ids = {r.id for r in rubric.reclassify} | {r.id for r in rubric.rules} | {"unrepaired-rupture"}
    assert ids == set(CASES)


def test_an_attuned_move_the_client_answers_with_a_rupture_is_not_charged() -> None:
    """Holding the frame warmly can still bring a rupture; only non-attuned moves are charged."""
    v, route = leads_to_rupture(["validate"])
    lines = _lines(score_route(v, route, default_rubric()), 0)
    assert "rupture-invited" not in [r for r, _ in lines]


def test_unrepaired_at_end_of_session() -> None:
    v, route = ended_with_open_rupture()
    report = score_route(v, route, default_rubric())
    assert _lines(report, None) == [("unrepaired-rupture", -2), ("ending-repaired", 4)]
    assert report.ruptures[0].outcome == "open at end"


@pytest.mark.parametrize(
    ("target", "rule", "points"), [("good", "ending-repaired", 4), ("bad", "ending-dropout", -4)]
)
def test_the_ending_is_scored(target: str, rule: str, points: int) -> None:
    v = vignette(
        [
            {
                "id": "a",
                "choices": [
                    choice(target),
                    choice("bad" if target == "good" else "good", ["persuade"]),
                ],
            }
        ]
    )
    report = score_route(v, [("a", 0)], default_rubric())
    assert (rule, points) in _lines(report, None)
    data = default_rubric().model_dump()
    data["ending_points"] = {}
    without = score_route(v, [("a", 0)], type(default_rubric()).model_validate(data))
    assert rule not in [r for r, _ in _lines(without, None)] and without.net == report.net - points


def test_turn_limit_counts_as_stalled() -> None:
    v = vignette(
        [
            {"id": "a", "choices": [choice("b"), choice("bad", ["persuade"])]},
            {"id": "b", "choices": [choice("a"), choice("good", ["persuade"])]},
        ],
        turn_limit=2,
    )
    report = score_route(v, [("a", 0), ("b", 0)], default_rubric())
    assert report.ending == "turn-limit" and report.ending_kind == "stalled"
    assert ("ending-stalled", -3) in _lines(report, None)


def test_repair_while_flooded_does_not_resolve() -> None:
    v = vignette(
        [
            {
                "id": "a",
                "markers": ["complaint_about_therapist"],
                "choices": [choice("good", ["validate"]), choice("bad", ["persuade"])],
            }
        ],
        state=OUT,
    )
    report = score_route(v, [("a", 0)], default_rubric())
    assert "repair-in-time" not in [r for r, _ in _lines(report, 0)]
    assert report.ruptures[0].outcome != "repaired in time"


def test_attuned_choice_in_window_is_plain_credit() -> None:
    v, route = one_choice(["complex_reflection"])
    report = score_route(v, route, default_rubric())
    assert _lines(report, 0) == [("valence-A", 2)]
    assert report.turns[0].valence == "A"


def test_every_line_names_an_instrument() -> None:
    for (v, route), _, _ in CASES.values():
        for ln in score_route(v, route, default_rubric()).all_lines:
            assert ln.source and any(
                k in ln.source
                for k in ("MITI", "3RS", "Window", "window", "Phase", "Attachment", "MI ")
            )


def _chain(
    moves: list[list[str]], says: list[str] | None = None
) -> tuple[Any, list[tuple[str, int]]]:
    """A straight line of beats, one chosen move list each, ending well."""
    ids = [f"b{i}" for i in range(len(moves))]
    beats = [
        {
            "id": b,
            "choices": [
                choice(
                    ids[i + 1] if i + 1 < len(ids) else "good",
                    m,
                    **({"say": says[i]} if says else {}),
                ),
                choice("bad", ["persuade"]),
            ],
        }
        for i, (b, m) in enumerate(zip(ids, moves, strict=True))
    ]
    return vignette(beats), [(b, 0) for b in ids]


def test_miti_ratios_of_a_few_codes_are_not_banded() -> None:
    """MITI 4.2.1 summary scores need enough codes: two reflections are not a 'good' R:Q."""
    v, route = _chain([["complex_reflection"], ["complex_reflection"]])
    few = score_route(v, route, default_rubric()).metrics
    assert default_rubric().miti_min_count > 2
    assert few["reflection_to_question"].band == "too few to band"
    assert few["percent_complex_reflections"].band == "too few to band"
    assert few["percent_attuned"].band != "too few to band"  # not a MITI count
    v, route = _chain([["complex_reflection"], ["question"]] * 4)
    many = score_route(v, route, default_rubric()).metrics
    assert many["reflection_to_question"].band == "fair"  # 4 reflections, 4 questions: 1:1


def test_a_deepening_question_counts_as_a_question() -> None:
    """MITI 4.2.1 codes a question as a question, whatever else it does: R:Q counts it."""
    says = ["What was that like, when she left?", "You wanted her to stay."]
    v, route = _chain([["deepen"], ["complex_reflection"]], says)
    rq = score_route(v, route, default_rubric()).metrics["reflection_to_question"]
    assert "1 question" in rq.display and rq.value == 1.0
    says = ["Stay with that feeling of her leaving.", "You wanted her to stay."]
    v, route = _chain([["deepen"], ["complex_reflection"]], says)
    assert (
        "no questions"
        in score_route(v, route, default_rubric()).metrics["reflection_to_question"].display
    )


def test_advice_the_client_asked_for_is_not_the_righting_reflex() -> None:
    """MITI 4.2.1: advice given when asked is Persuade with Permission. The righting reflex is
    advice after a rejected strategy ("yes, but")."""
    v, route = one_choice(["advise_with_permission"], markers=["asks_for_advice"])
    lines = _lines(score_route(v, route, default_rubric()), 0)
    assert ("valence-N", 0) in lines and "righting-reflex" not in [r for r, _ in lines]
    assert "advice-without-consent" not in [r for r, _ in lines]
    v, route = one_choice(["advise_with_permission"], markers=["rejects_intervention"])
    lines = _lines(score_route(v, route, default_rubric()), 0)
    assert "righting-reflex" in [r for r, _ in lines]


def test_an_appeasing_yes_is_not_consent() -> None:
    """Readiness is more than going along: a yes said to keep the peace does not license depth."""
    v, route = consented(["deepen"])
    assert "depth-without-consent" not in [
        r for r, _ in _lines(score_route(v, route, default_rubric()), 1)
    ]
    data = v.model_dump(by_alias=True)
    data["beats"][1]["markers"] = ["consent", "appeasing"]
    appeased = type(v).model_validate(data)
    lines = _lines(score_route(appeased, route, default_rubric()), 1)
    assert ("depth-without-consent", -2) in lines


def test_a_new_rupture_starts_its_own_count() -> None:
    """A withdrawal that turns into a confrontation is a new rupture (3RS): its own opening turn,
    beat and count."""
    v = vignette(
        [
            {
                "id": "w",
                "markers": ["minimal_response"],
                "choices": [choice("c", ["simple_reflection"]), choice("bad", ["persuade"])],
            },
            {
                "id": "c",
                "markers": ["complaint_about_therapist"],
                "choices": [choice("r", ["simple_reflection"]), choice("bad", ["persuade"])],
            },
            {"id": "r", "choices": [choice("good", ["validate"]), choice("bad", ["persuade"])]},
        ]
    )
    report = score_route(v, [("w", 0), ("c", 0), ("r", 0)], default_rubric())
    first, second = report.ruptures
    assert (first.kind, first.opened_beat, first.outcome) == (
        "withdrawal",
        "w",
        "turned into a confrontation",
    )
    assert (second.kind, second.opened_turn, second.opened_beat) == ("confrontation", 2, "c")
    assert second.outcome == "repaired in time"  # its own count: one turn old when repaired
    assert "unrepaired-rupture" not in [r for r, _ in _lines(report, 1)]


def test_one_choice_costs_at_most_the_cap() -> None:
    """Penalties do not stack without limit: a clumsy push at a bad moment is not a catastrophe."""
    v, route = one_choice(["persuade"], state=OUT, markers=["complaint_about_tasks"])
    report = score_route(v, route, default_rubric())
    cap = default_rubric().choice_penalty_cap
    assert report.turns[0].points == cap
    assert "penalty-cap" in [r for r, _ in _lines(report, 0)]
    uncapped = score_route(
        v,
        route,
        Rubric.model_validate({**default_rubric().model_dump(), "choice_penalty_cap": -20}),
    )
    assert uncapped.turns[0].points < cap


def test_a_stalled_session_cannot_reach_the_top_band() -> None:
    """A session that ran out of time with nothing resolved is not 'Attuned', however many credits
    it collected (3RS: resolution)."""
    beat = {
        "id": "a",
        "choices": [
            choice("a", ["emphasizing_autonomy", "complex_reflection"]),
            choice("bad", ["persuade"]),
        ],
    }
    v = vignette([beat], turn_limit=4)
    report = score_route(v, [("a", 0)] * 4, default_rubric())
    assert report.ending_kind == "stalled"
    assert report.overall == default_rubric().stalled_ceiling < 80
    assert report.band != "Attuned"
    lenient = Rubric.model_validate({**default_rubric().model_dump(), "stalled_reaches_top": True})
    assert score_route(v, [("a", 0)] * 4, lenient).overall > report.overall


def test_the_telling_lines_put_the_rules_first_and_the_cap_last() -> None:
    """Feedback explains the choice by the rules it broke, most costly first; a line that
    explains without moving the score follows; the cap explains only the total, so it is last."""
    from scoring.results import telling_lines

    v, route = one_choice(["persuade"], state=OUT, markers=["complaint_about_tasks"])
    told = [ln.rule for ln in telling_lines(score_route(v, route, default_rubric()).turns[0].lines)]
    assert told[-1] == "penalty-cap" and told[0] != "penalty-cap"
    v, route = one_choice(["validate"], state=OUT, markers=["complaint_about_tasks"])
    told = [ln.rule for ln in telling_lines(score_route(v, route, default_rubric()).turns[0].lines)]
    assert "repair-needs-window" in told


@pytest.mark.parametrize(
    ("marker", "moves", "refused"),
    [
        ("consents_to_advice", ["deepen"], "depth-without-consent"),
        ("consents_to_depth", ["advise_with_permission"], "advice-without-consent"),
    ],
)
def test_a_consent_covers_the_move_it_was_given_for(
    marker: str, moves: list[str], refused: str
) -> None:
    """A yes to hearing an idea is not a yes to going deeper, and the reverse (MITI 4.2.1
    seeking collaboration: permission is for something)."""
    v, route = consented(moves)
    data = v.model_dump(by_alias=True)
    data["beats"][1]["markers"] = [marker]
    scoped = type(v).model_validate(data)
    assert refused in [r for r, _ in _lines(score_route(scoped, route, default_rubric()), 1)]
    assert refused not in [r for r, _ in _lines(score_route(v, route, default_rubric()), 1)]
    other = {"consents_to_advice": "consents_to_depth", "consents_to_depth": "consents_to_advice"}
    data["beats"][1]["markers"] = [other[marker]]
    matching = type(v).model_validate(data)
    assert refused not in [r for r, _ in _lines(score_route(matching, route, default_rubric()), 1)]


def test_without_codes_an_explanation_names_no_move() -> None:
    """Assessment mode shows no move codes: a valence line's explanation, which names the
    choice's moves, is written again without them (`report.line_text`)."""
    from scoring.report import line_text
    from scoring.story import Story
    from simulator.content.codebook import codebook
    from simulator.content.library import bundled_files
    from simulator.content.loader import load_vignette
    from tests.builders import random_routes

    names = [m.name for m in codebook().moves.values()]
    seen = 0
    for n, path in enumerate(bundled_files()):
        story = Story(load_vignette(path), default_rubric())
        for route in random_routes(story.plan, 20, seed=n):
            for turn in story.score(route).turns:
                for ln in turn.lines:
                    hidden = line_text(ln, codes=False)
                    if not ln.rule.startswith("valence-"):
                        assert hidden == ln.text  # a rule's own words name families, not codes
                        continue
                    seen += 1
                    assert not any(name in hidden for name in names), hidden
                    assert hidden.endswith("move.") and line_text(ln) == ln.text
                    assert any(name in ln.text for name in names)
    assert seen > 100
