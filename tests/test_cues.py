"""The cue audit: lint says when the surface of the options (length, position, tell-tale words)
gives the attuned one away, and `lint --cues` plays surface policies against the real scorer."""

from __future__ import annotations

import json
from pathlib import Path

from scoring.cues import POLICIES, attuned_options, cue_audit, length_findings
from scoring.rubric import default_rubric
from scoring.story import Story
from simulator.content.loader import load_vignette
from simulator.content.model import Vignette
from tests.conftest import LOOP, MINI, run_attune


def _bland(v: Vignette) -> Vignette:
    """The same vignette with every option's words made alike: only the client can tell them apart."""
    data = v.model_dump(by_alias=True, exclude_none=True)
    for beat in data["beats"]:
        for i, choice in enumerate(beat["choices"]):
            choice["say"] = f"Reply {chr(65 + i)}."
    return Vignette.model_validate(data)


def _key_length(v: Vignette, key: int, other: int) -> Vignette:
    """The vignette with each beat's attuned option `key` characters long and the rest `other`."""
    keys = attuned_options(Story(v, default_rubric()))
    data = v.model_dump(by_alias=True, exclude_none=True)
    for beat in data["beats"]:
        for i, choice in enumerate(beat["choices"]):
            size = key if i in keys.get(beat["id"], set()) else other
            choice["say"] = (f"Reply {chr(65 + i)} " * 40)[:size]
    return Vignette.model_validate(data)


def test_the_longest_option_being_attuned_is_a_warning() -> None:
    v = load_vignette(LOOP)
    assert "attuned-is-longest" in [f.code for f in length_findings(_key_length(v, 90, 70))]
    assert "attuned-is-longest" not in [f.code for f in length_findings(_key_length(v, 70, 90))]
    assert "attuned-is-longest" not in [f.code for f in length_findings(_bland(v))]


def test_options_of_very_different_lengths_are_located() -> None:
    v = load_vignette(LOOP)
    data = v.model_dump(by_alias=True, exclude_none=True)
    beat = data["beats"][0]
    beat["choices"][0]["say"] = "Yes."
    beat["choices"][1]["say"] = "x" * 60
    found = [f for f in length_findings(Vignette.model_validate(data), {beat["id"]: 7})]
    spread = [f for f in found if f.code == "option-lengths-differ"]
    assert spread and spread[0].node == beat["id"] and spread[0].line == 7


def test_a_surface_policy_that_beats_random_is_reported() -> None:
    audit = cue_audit(load_vignette(MINI), default_rubric(), sessions=30)
    longest = next(r for r in audit.results if r.name == "longest")
    assert longest.mean > audit.random_mean + 15
    assert any("always the longest option" in f.message for f in audit.findings())
    assert {r.name for r in audit.results} == set(POLICIES)


def test_position_gives_nothing_away_once_shuffled() -> None:
    audit = cue_audit(_bland(load_vignette(LOOP)), default_rubric(), sessions=60)
    assert audit.findings() == [], [(r.name, r.mean) for r in audit.results]


def test_lint_cues_prints_the_audit(tmp_path: Path) -> None:
    r = run_attune("lint", "--cues", str(MINI))
    assert r.returncode == 0, r.stderr
    assert "cue audit" in r.stdout and "surface-cue" in r.stdout
    assert "longest" in r.stdout and "random choices average" in r.stdout
    r = run_attune("lint", "--cues", "--json", str(MINI))
    audit = json.loads(r.stdout)["vignettes"][0]["cue_audit"]
    assert {p["policy"] for p in audit["policies"]} == set(POLICIES)
    assert (
        "cue_audit"
        not in json.loads(run_attune("lint", "--json", str(MINI)).stdout)["vignettes"][0]
    )
