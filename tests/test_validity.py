"""What makes a score worth signing: scores spread out, the expert route answers direct questions,
and lint catches content that would make the debrief contradict itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.lintrules import scoring_findings
from scoring.rubric import Rubric, default_rubric
from scoring.story import Story
from simulator.content.analysis import Finding, analyse, direct_question
from simulator.content.codebook import codebook
from simulator.content.library import bundled_files
from simulator.content.loader import load_vignette
from simulator.content.model import Beat
from tests.builders import choice, random_routes, vignette
from tests.conftest import FIXTURES

SHIPPED = bundled_files()
ALL = [*SHIPPED, FIXTURES / "mini.yaml", FIXTURES / "loop.yaml"]


@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_random_routes_do_not_pile_up_at_the_extremes(path: Path) -> None:
    """Fewer than 10% of random routes score exactly 0 or exactly 100: the scale tells routes
    apart instead of clamping them together."""
    story = Story(load_vignette(path), default_rubric())
    scores = [story.score(r).overall for r in random_routes(story.plan, 300, seed=3)]
    assert sum(s in (0, 100) for s in scores) < 0.1 * len(scores)


def test_the_clamped_curve_piles_up_and_the_s_curve_does_not() -> None:
    v = load_vignette(FIXTURES / "mini.yaml")
    clamped = Rubric.model_validate({**default_rubric().model_dump(), "overall_curve": "clamped"})
    routes = random_routes(Story(v, clamped).plan, 300, seed=3)
    at_ends = [
        sum(Story(v, r).score(rt).overall in (0, 100) for rt in routes)
        for r in (clamped, default_rubric())
    ]
    assert at_ends[0] >= 0.1 * len(routes) > at_ends[1]


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_the_expert_route_answers_direct_questions(path: Path) -> None:
    v = load_vignette(path)
    cb = codebook()
    best = Story(v, default_rubric()).bounds().best
    for beat, index in best.route:
        if "direct_question" in v.beat_map[beat].markers:
            moves = v.beat_map[beat].choices[index].moves
            answered = "giving_information" in moves or any(cb.moves[m].repairs for m in moves)
            reflected = {"complex_reflection", "simple_reflection", "question"} & set(moves)
            assert answered or not reflected, (beat, moves)


def test_a_reflection_in_place_of_an_answer_scores_below_the_answer() -> None:
    """Sophie asks whether she would still be seen without the homework: the honest answer beats
    the reflection that dodges it."""
    v = load_vignette(next(p for p in SHIPPED if p.stem == "sophie"))
    beat = v.beat_map["conditional"]
    answer = next(i for i, c in enumerate(beat.choices) if "giving_information" in c.moves)
    dodge = next(i for i, c in enumerate(beat.choices) if c.moves == ["complex_reflection"])
    story = Story(v, default_rubric())
    from scoring.context import base_env
    from scoring.scorer import choice_points

    _, state = story.plan.begin()  # the two choices compared in one and the same state
    base = base_env(story.context, state, 0)
    a = choice_points(story.context, "conditional", state, 0, answer, base)[0]
    d = choice_points(story.context, "conditional", state, 0, dodge, base)[0]
    assert a > d


def test_lint_suggests_the_direct_question_marker() -> None:
    assert direct_question("Fine. Are you going to tell probation?") == (
        "Are you going to tell probation?"
    )
    assert direct_question("A letter... to you? That feels weird.") == "A letter... to you?"
    assert direct_question("Why bother? Nothing works.") is None  # not asked of the therapist
    asked = vignette(
        [
            {
                "id": "a",
                "client": "Are you going to tell probation?",
                "choices": [choice("good", ["giving_information"]), choice("bad", ["persuade"])],
            }
        ]
    )
    found = [f for f in analyse(asked).findings if f.code == "unmarked-question"]
    assert found and found[0].node == "a" and "direct_question" in found[0].message
    data = asked.model_dump(by_alias=True, exclude_none=True)
    data["beats"][0]["markers"] = ["direct_question"]
    marked = type(asked).model_validate(data)
    assert not [f for f in analyse(marked).findings if f.code == "unmarked-question"]


def test_a_repaired_ending_reached_with_a_rupture_open_is_an_error() -> None:
    def build(moves: list[str]) -> object:
        return vignette(
            [
                {
                    "id": "a",
                    "markers": ["complaint_about_therapist"],
                    "choices": [choice("good", moves), choice("bad", ["persuade"])],
                }
            ]
        )

    open_end = scoring_findings(build(["complex_reflection"]), {"good": 12})  # type: ignore[arg-type]
    errors = [f for f in open_end if f.code == "repaired-with-rupture-open"]
    assert errors and errors[0].severity == "error" and errors[0].line == 12
    repaired = scoring_findings(build(["validate"]), {})  # type: ignore[arg-type]
    assert not [f for f in repaired if f.code == "repaired-with-rupture-open"]


def test_generic_praise_is_not_an_affirmation() -> None:
    cb = codebook()
    assert cb.moves["generic_praise"].valence == "N" and cb.moves["affirm"].valence == "A"
    for path in SHIPPED:
        for beat in load_vignette(path).beats:
            for c in beat.choices:
                if c.moves == ["affirm"]:
                    assert "lovely" not in c.say.lower(), (path.stem, beat.id, c.say)


def _policy_route(story: Story, kind: str) -> int:
    """Play a trainee who reads the client and answers with attuned pacing and repair
    ('attuned'), one who pushes wherever they can ('pushing'), or one who alternates ('mixed')."""
    cb = codebook()
    rank = {
        "attuned": {"A": 0, "N": 1, "W": 2, "P": 3},
        "pushing": {"P": 0, "W": 1, "N": 2, "A": 3},
    }
    v, plan = story.vignette, story.plan
    node, state = plan.begin()
    route: list[tuple[str, int]] = []
    while True:
        beat, env = v.beat_map[node], state.env(v)
        k = kind if kind != "mixed" else ("attuned" if len(route) % 2 == 0 else "pushing")

        def priority(
            j: int, k: str = k, env: dict[str, object] = env, beat: Beat = beat
        ) -> tuple[int, int]:
            moves = beat.choices[j].moves
            value = rank[k][cb.combined_valence(tuple(moves))]
            if k == "attuned":
                if env["out_of_window"] and "regulate" in moves:
                    value -= 10
                elif env["rupture"] != "none" and any(cb.moves[m].repairs for m in moves):
                    value -= 5
                if not env["consent"] and any(cb.moves[m].family == "deepen" for m in moves):
                    value += 5
            return value, j

        index = min(range(len(beat.choices)), key=priority)
        route.append((node, index))
        result = plan.step(node, state, index)
        node, state = result.node, result.state
        if result.ended:
            return story.score(route).overall


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_known_groups(path: Path) -> None:
    """Attuned routes score above mixed ones, and mixed above pushing ones."""
    story = Story(load_vignette(path), default_rubric())
    attuned, mixed, pushing = (_policy_route(story, k) for k in ("attuned", "mixed", "pushing"))
    assert attuned > mixed > pushing
    assert default_rubric().overall_band(attuned) in ("Attuned", "Mostly attuned")


def _numb_beat(drop: int) -> object:
    """A flooded beat whose deepening choice leads to a beat written as shut down; `drop` is how
    far that choice takes arousal down."""
    return vignette(
        [
            {
                "id": "a",
                "client": "I can't breathe.",
                "depicts": "hyper",
                "choices": [
                    choice("numb", ["deepen"], effect={"arousal": drop}),
                    choice("good", ["regulate"]),
                ],
            },
            {
                "id": "numb",
                "client": "I don't feel anything.",
                "depicts": "hypo",
                "choices": [choice("good", ["regulate"]), choice("bad", ["persuade"])],
            },
        ],
        state={"arousal": 9, "alliance": 5, "shame": 3, "openness": 5},
    )


def test_a_beat_written_as_shut_down_must_be_reached_below_the_window() -> None:
    """Window of tolerance: grounding a 'numb' client earns credit only if the numbers say numb."""
    disagree = scoring_findings(_numb_beat(-4), {"numb": 20})  # type: ignore[arg-type]
    found = [f for f in disagree if f.code == "depicted-state-disagrees"]
    assert found and found[0].node == "numb" and found[0].line == 20 and "0%" in found[0].message
    agree = scoring_findings(_numb_beat(-8), {})  # type: ignore[arg-type]
    assert not [f for f in agree if f.code == "depicted-state-disagrees"]


def test_words_that_show_a_state_ask_for_it_to_be_declared() -> None:
    v = _numb_beat(-8)
    data = v.model_dump(by_alias=True, exclude_none=True)  # type: ignore[attr-defined]
    del data["beats"][1]["depicts"]
    data["beats"][1]["nonverbal"] = "She has gone very still, far away."
    undeclared = type(v).model_validate(data)
    found = [f for f in scoring_findings(undeclared, {}) if f.code == "undeclared-state"]
    assert found and found[0].node == "numb" and "depicts: hypo" in found[0].message


def test_a_beat_the_numbers_put_outside_the_window_must_show_it() -> None:
    """The reverse check: a beat reached below the window in most of its states, whose words say
    nothing of it, is reported, so grounding there is earned by what the trainee can read."""

    def undeclared(drop: int) -> list[Finding]:
        v = _numb_beat(drop)
        data = v.model_dump(by_alias=True, exclude_none=True)  # type: ignore[attr-defined]
        del data["beats"][1]["depicts"]
        found = scoring_findings(type(v).model_validate(data), {"numb": 20})
        return [f for f in found if f.code == "state-not-depicted"]

    found = undeclared(-8)
    assert len(found) == 1 and found[0].node == "numb" and found[0].line == 20
    assert "below the window" in found[0].message and "depicts: hypo" in found[0].message
    assert undeclared(-4) == []  # inside the window: nothing to show
