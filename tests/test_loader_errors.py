"""Every kind of bad vignette gets a located, actionable error and exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.content.loader import load_vignette
from simulator.errors import AttuneError
from tests.conftest import MINI, cli, run_attune

SRC = MINI.read_text(encoding="utf-8")


def _edit(old: str, new: str) -> str:
    assert old in SRC, old
    return SRC.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    return text.splitlines().index(next(ln for ln in text.splitlines() if needle in ln)) + 1


CASES: list[tuple[str, bytes | str, str, int | None, str | None]] = [
    # (name, content, expected message fragment, expected line, expected hint fragment)
    ("empty", "", "the file is empty", None, "attune schema"),
    ("only-comments", "# nothing here\n\n", "the file is empty", None, None),
    ("not-yaml", "id: x\ntitle: [unclosed\n", "not valid YAML", 3, "indentation and quoting"),
    ("top-level-list", "- a\n- b\n", "the top level is a list", 1, "id: my-vignette"),
    ("top-level-scalar", "just some words\n", "the top level is a single value", 1, None),
    ("tabs", "id: x\n\ttitle: y\n", "a tab is used for indentation", 2, "spaces"),
    *[
        (
            f"tag-{tag[2:]}",
            _edit("minutes: 5", f"minutes: {tag} {value}"),
            f"'{value}' is tagged {tag}",
            line_of(SRC, "minutes: 5"),
            "remove the tag",
        )
        for tag, value in (("!!int", "five"), ("!!float", "one"), ("!!bool", "maybe"))
    ],
    (
        "duplicate-key",
        _edit("minutes: 5", "minutes: 5\nminutes: 6"),
        "duplicate key 'minutes'",
        line_of(SRC, "minutes: 5") + 1,
        "remove one",
    ),
    (
        "duplicate-beat",
        _edit("id: settled", "id: softer"),
        "duplicate id 'softer'",
        None,
        "its own id",
    ),
    (
        "missing-beat",
        _edit("to: softer", "to: sofer"),
        "leads to 'sofer'",
        None,
        "did you mean 'softer'",
    ),
    (
        "unknown-move",
        _edit("moves: [persuade]", "moves: [persaude]"),
        "unknown move code 'persaude'",
        None,
        "did you mean 'persuade'",
    ),
    (
        "unknown-state",
        _edit("effect: {alliance: 1, arousal: -1}", "effect: {aliance: 1, arousal: -1}"),
        "unknown state variable 'aliance'",
        None,
        "did you mean 'alliance'",
    ),
    (
        "bad-condition",
        _edit("if: alliance <= 3", "if: alliance = 3"),
        "does not parse",
        None,
        "use ==",
    ),
    (
        "condition-unknown-name",
        _edit("if: alliance <= 3", "if: trust <= 3"),
        "unknown name 'trust'",
        None,
        None,
    ),
    (
        "out-of-range",
        _edit("state: {arousal: 5,", "state: {arousal: 15,"),
        "less than or equal to 10",
        line_of(SRC, "state: {"),
        "range",
    ),
    (
        "missing-field",
        _edit("    title: Robin stays with it\n", ""),
        "required field 'title' is missing",
        None,
        "add `title:`",
    ),
    (
        "unknown-field",
        _edit("minutes: 5", "minutes: 5\nminuets: 5"),
        "unknown field 'minuets'",
        line_of(SRC, "minutes: 5") + 1,
        "did you mean 'minutes'",
    ),
    (
        "not-utf8",
        SRC.encode("utf-8").replace(b"Leans forward", b"Leans \xff forward"),
        "not valid UTF-8",
        None,
        "UTF-8",
    ),
    (
        "python-tag",
        "id: !!python/object/apply:os.system ['echo hi']\n",
        "tag '!!python/object/apply:os.system' is not allowed",
        1,
        "remove the tag",
    ),
    ("custom-tag", "id: !Ref x\n", "tag '!Ref' is not allowed", 1, None),
    (
        "billion-laughs",
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
            for i in range(9)
        ),
        "anchors and aliases",
        2,
        "in full",
    ),
    (
        "control-character",
        _edit(
            "nonverbal: Leans forward, voice tight.",
            'nonverbal: "Leans forward\\x1b[2J, voice tight."',
        ),
        "control character U+001B",
        line_of(SRC, "nonverbal: Leans forward"),
        "remove it",
    ),
    (
        "text-over-the-cap",
        _edit(
            "inner: Being understood is a relief and also frightening.",
            "inner: " + "very long " * 450,
        ),
        "at most 4000 characters",
        line_of(SRC, "inner: Being understood"),
        None,
    ),
    (
        "impossible-condition",
        _edit("if: alliance <= 3", "if: alliance > 20"),
        "'alliance > 20' can never be true",
        line_of(SRC, "if: alliance <= 3"),
        "between 0 and 10",
    ),
    (
        "case-only-id-clash",
        _edit("id: settled", "id: Softer"),
        "differs from 'softer'",
        None,
        "rename one",
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "fragment", "line", "hint"), CASES, ids=[c[0] for c in CASES]
)
def test_bad_input_gets_located_error(
    tmp_path: Path,
    name: str,
    content: bytes | str,
    fragment: str,
    line: int | None,
    hint: str | None,
) -> None:
    path = tmp_path / f"{name}.yaml"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    with pytest.raises(AttuneError) as info:
        load_vignette(path)
    problems = info.value.problems
    matching = [p for p in problems if fragment in p.message]
    assert matching, f"no problem mentions {fragment!r}: {[p.message for p in problems]}"
    problem = matching[0]
    assert problem.path == str(path)
    if line is not None:
        assert problem.line == line
    elif name not in ("empty", "only-comments"):
        assert problem.line is not None and problem.column is not None
    if hint is not None:
        assert problem.hint and hint in problem.hint
    # the CLI says the same thing on stderr and exits 2
    result = cli("lint", str(path))
    assert result.exit_code == 2
    assert fragment in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_fields_are_named(tmp_path: Path) -> None:
    path = tmp_path / "v.yaml"
    path.write_text(_edit("moves: [persuade]", "moves: [persaude]"), encoding="utf-8")
    with pytest.raises(AttuneError) as info:
        load_vignette(path)
    (problem,) = info.value.problems
    assert problem.field == "beats[0].choices[1].moves[0]"
    assert problem.line == line_of(SRC, "moves: [persuade]")


def test_all_errors_in_a_file_are_reported(tmp_path: Path) -> None:
    text = _edit("moves: [persuade]", "moves: [persaude]")
    text = text.replace("to: softer", "to: sofer").replace("minutes: 5", "minutes: 500")
    path = tmp_path / "many.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AttuneError) as info:
        load_vignette(path)
    messages = " | ".join(p.message for p in info.value.problems)
    assert (
        "persaude" in messages and "sofer" in messages and "less than or equal to 240" in messages
    )
    lines = [p.line for p in info.value.problems]
    assert lines == sorted(lines)


def test_oversized_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text(SRC + "#" * 3_000_000, encoding="utf-8")
    with pytest.raises(AttuneError) as info:
        load_vignette(path)
    assert "the limit is" in info.value.problems[0].message
    assert cli("lint", str(path)).exit_code == 2


def test_missing_file_is_exit_2() -> None:
    result = cli("lint", "no/such/file.yaml")
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_real_entry_point_prints_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("- not\n- a\n- vignette\n", encoding="utf-8")
    proc = run_attune("lint", str(path))
    assert proc.returncode == 2
    assert "top level is a list" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_valid_fixture_loads() -> None:
    v = load_vignette(MINI)
    assert v.id == "mini"
    assert v.beat_map["ask"].markers == ["rejects_intervention", "asks_for_advice"]
    with pytest.raises(Exception, match="frozen"):
        v.title = "changed"  # type: ignore[misc]


def test_unquoted_colon_gets_a_specific_hint(tmp_path: Path) -> None:
    path = tmp_path / "colon.yaml"
    path.write_text(
        SRC.replace(
            "inner: Being understood is a relief and also frightening.",
            "inner: Being understood: a relief.",
        )
    )
    with pytest.raises(AttuneError) as info:
        load_vignette(path)
    (problem,) = info.value.problems
    assert "double quotes" in (problem.hint or "")
    assert problem.line == line_of(SRC, "inner: Being understood is a relief")


def test_unquoted_colon_in_a_list_item_names_the_cause(tmp_path: Path) -> None:
    """In a list item, ': ' silently makes a one-key mapping; the error says why and how to fix it."""
    path = tmp_path / "colon-item.yaml"
    old = '  - Notice the pull to give advice after "just tell me what to do" (complementary enactment).'
    path.write_text(SRC.replace(old, "  - Notice the pull: advice after a demand."))
    with pytest.raises(AttuneError) as info:
        load_vignette(path)
    (problem,) = info.value.problems
    assert "contains ': '" in problem.message and "Notice the pull" in problem.message
    assert "double quotes" in (problem.hint or "")
    assert problem.line == line_of(SRC, old.strip())


def test_more_than_fifty_choices_on_a_beat(tmp_path: Path) -> None:
    import copy

    import yaml

    data = yaml.safe_load(SRC)
    beat = data["beats"][0]
    beat["choices"] = [
        dict(copy.deepcopy(beat["choices"][0]), say=f"Reply {i}.") for i in range(51)
    ]
    path = tmp_path / "mini.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(AttuneError) as err:
        load_vignette(path)
    assert any("at most 50" in p.message for p in err.value.problems), err.value.problems


def test_an_id_that_differs_from_the_file_name_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "robin.yaml"
    path.write_text(SRC, encoding="utf-8")
    result = run_attune("lint", str(path))
    assert result.returncode == 0, result.stderr
    assert "id-not-file-name" in result.stdout and "'mini'" in result.stdout


def test_control_characters_never_reach_the_plain_player(tmp_path: Path) -> None:
    path = tmp_path / "mini.yaml"
    path.write_text(_edit('client: "I tried', 'client: "\x1b]0;owned\x07I tried'), encoding="utf-8")
    result = run_attune("play", str(path), "--plain", input="q\n")
    assert result.returncode == 2 and "\x1b" not in result.stdout
    assert "control character" in result.stderr and "Traceback" not in result.stderr
