"""The lint rules that come from scoring fire on vignettes built to trip each, and stay quiet on
one that spans the bands and tells its choices apart."""

from __future__ import annotations

from scoring.lintrules import scoring_findings
from tests.builders import choice, vignette


def codes(v: object) -> set[tuple[str, str | None]]:
    return {(f.code, f.node) for f in scoring_findings(v, {})}  # type: ignore[arg-type]


def two_beats(first: list[str], second: list[str]) -> object:
    """Two decision points, each with two choices carrying the given move codes."""
    return vignette(
        [
            {"id": "a", "choices": [choice("b", [first[0]]), choice("b", [first[1]], say="2")]},
            {
                "id": "b",
                "choices": [choice("good", [second[0]]), choice("bad", [second[1]], say="2")],
            },
        ]
    )


def test_only_attuned_options_cannot_reach_the_bottom_band() -> None:
    found = codes(two_beats(["complex_reflection"] * 2, ["complex_reflection"] * 2))
    assert ("worst-above-bottom-band", None) in found
    assert ("best-below-top-band", None) not in found


def test_only_pushing_options_cannot_reach_the_top_band() -> None:
    found = codes(two_beats(["persuade", "confront"], ["persuade", "confront"]))
    assert ("best-below-top-band", None) in found
    assert ("worst-above-bottom-band", None) not in found


def test_choices_the_rubric_scores_alike_are_named_by_beat() -> None:
    found = codes(two_beats(["complex_reflection"] * 2, ["complex_reflection", "confront"]))
    assert ("rubric-cannot-distinguish", "a") in found
    assert ("rubric-cannot-distinguish", "b") not in found


def test_a_vignette_that_spans_the_bands_is_clean() -> None:
    found = codes(two_beats(["complex_reflection", "confront"], ["complex_reflection", "confront"]))
    assert found == set()
