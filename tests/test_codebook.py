from __future__ import annotations

from simulator.content.codebook import codebook

INSTRUMENTS = (
    "MITI 4.2.1",
    "3RS",
    "Window of tolerance",
    "Rogers",
    "Safran",
    "Phase-oriented",
    "Kathy Steele",
    "Carolyn Spring",
    "How to Work With Client Resistance",
    "Bordin",
    "attachment",
    "Kiesler",
)


def test_every_code_names_its_instrument() -> None:
    cb = codebook()
    for code, move in cb.moves.items():
        assert any(i.lower() in move.source.lower() for i in INSTRUMENTS), code
        assert len(move.meaning) > 20, code
    for code, marker in cb.markers.items():
        assert any(i.lower() in marker.source.lower() for i in INSTRUMENTS), code


def test_starting_codebook_is_covered() -> None:
    cb = codebook()
    expected = {
        "complex_reflection": "A",
        "simple_reflection": "N",
        "validate": "A",
        "affirm": "A",
        "question": "N",
        "deepen": "A",
        "seeking_collaboration": "A",
        "emphasizing_autonomy": "A",
        "giving_information": "N",
        "advise_with_permission": "N",
        "persuade": "P",
        "confront": "P",
        "defend": "P",
        "repair_immediate": "A",
        "metacommunicate": "A",
        "own_contribution": "A",
        "regulate": "N",
        "accommodate": "W",
    }
    for code, valence in expected.items():
        assert cb.moves[code].valence == valence, code
    kinds = {m.kind for m in cb.markers.values()}
    assert {"withdrawal", "confrontation"} <= kinds


def test_combined_valence_pushing_dominates() -> None:
    cb = codebook()
    assert cb.combined_valence(["complex_reflection", "persuade"]) == "P"
    assert cb.combined_valence(["complex_reflection", "accommodate"]) == "W"
    assert cb.combined_valence(["simple_reflection", "affirm"]) == "A"
    assert cb.combined_valence([]) == "N"
