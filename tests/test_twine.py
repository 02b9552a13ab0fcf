"""`attune convert`: vignettes to Twee 3 and back, and Twine 2's HTML archives in."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from scoring.rubric import default_rubric
from scoring.story import Story
from simulator.content import twine
from simulator.content.analysis import analyse
from simulator.content.library import bundled_files
from simulator.content.loader import load_vignette
from simulator.content.model import Vignette
from simulator.errors import AttuneError
from tests.builders import random_routes
from tests.conftest import ROOT, run_attune

SHIPPED = bundled_files()
DRAFT = ROOT / "tests" / "fixtures" / "twine" / "draft-archive.html"


def round_trip(v: Vignette) -> Vignette:
    text = twine.to_twee(v)
    return twine.to_vignette(twine.read_twee(text.encode(), "x.twee"), "x.twee")


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_vignettes_round_trip_exactly(path: Path) -> None:
    v = load_vignette(path)
    back = round_trip(v)
    assert back.twine is not None  # the Twee's ifid and positions are kept
    assert back.model_copy(update={"twine": None}) == v
    # and through YAML again, as an author's file
    again = twine.to_vignette(twine.Draft(*_yaml_data(twine.to_yaml(back))), "again.yaml")
    assert again == back
    a, b = analyse(v), analyse(back)
    assert (a.stats, a.findings) == (b.stats, b.findings)
    rubric = default_rubric()
    first, second = Story(v, rubric), Story(back, rubric)
    assert first.bounds().best == second.bounds().best
    assert first.bounds().worst == second.bounds().worst
    for route in random_routes(first.plan, 100, seed=len(v.id)):
        assert first.score(route).as_json() == second.score(route).as_json()


def _yaml_data(text: str) -> tuple[object, object]:
    from simulator.content.yamlsource import parse_yaml

    return parse_yaml(text.encode(), "again.yaml")


def test_the_ifid_and_positions_survive_yaml(tmp_path: Path) -> None:
    v = load_vignette(SHIPPED[0])
    twee = twine.to_twee(v)
    moved = twee.replace('"position":"100,100"', '"position":"640,480"', 1)
    assert moved != twee
    out = tmp_path / "v.yaml"
    (tmp_path / "v.twee").write_text(moved, encoding="utf-8")
    assert (
        run_attune(
            "convert", str(tmp_path / "v.twee"), "--to", "yaml", "--out", str(out)
        ).returncode
        == 0
    )
    result = run_attune("convert", str(out), "--to", "twee")
    assert result.returncode == 0, result.stderr
    ifid = json.loads(twee.split(":: StoryData\n")[1].split("\n\n")[0])["ifid"]
    assert f'"ifid": "{ifid}"' in result.stdout
    assert '"position":"640,480"' in result.stdout


def test_twee_follows_the_specification() -> None:
    text = twine.to_twee(load_vignette(SHIPPED[0]))
    assert text.startswith(":: StoryTitle\n")
    data = json.loads(text.split(":: StoryData\n")[1].split("\n\n")[0])
    assert {"ifid", "format", "format-version", "start"} <= set(data)
    headers = [ln for ln in text.splitlines() if ln.startswith("::")]
    assert all(" [" in h and h.endswith('"size":"100,100"}') for h in headers[3:])


def _archive(v: Vignette) -> str:
    """The vignette in Twine 2's archive structure: <tw-storydata> holding <tw-passagedata>."""
    passages = twine.split_twee(twine.to_twee(v), "x.twee")
    story = {p.name: "\n".join(p.lines).strip() for p in passages[:2]}
    data = json.loads(story["StoryData"])
    rows, pid_of = [], {}
    for pid, p in enumerate(passages[2:], 1):
        pid_of[p.name] = pid
        position = p.meta.get("position", "")
        rows.append(
            f'<tw-passagedata pid="{pid}" name="{html.escape(p.name)}" '
            f'tags="{html.escape(" ".join(p.tags))}" position="{position}" size="100,100">'
            f"{html.escape(chr(10).join(p.lines).rstrip())}</tw-passagedata>"
        )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>\n"
        f'<tw-storydata name="{html.escape(story["StoryTitle"])}" startnode="{pid_of[data["start"]]}" '
        f'creator="Twine" creator-version="2.10.0" ifid="{data["ifid"]}" zoom="1" '
        f'format="Harlowe" format-version="3.3.9" options="" tags="" hidden>\n'
        '<style role="stylesheet" id="twine-user-stylesheet" type="text/twine-css"></style>\n'
        '<script role="script" id="twine-user-script" type="text/twine-javascript"></script>\n'
        + "\n".join(rows)
        + "\n</tw-storydata></body></html>\n"
    )


def test_a_twine_archive_imports_and_lints(tmp_path: Path) -> None:
    v = load_vignette(SHIPPED[-1])
    archive = tmp_path / "story.html"
    archive.write_text(_archive(v), encoding="utf-8")
    out = tmp_path / "story.yaml"
    result = run_attune("convert", str(archive), "--to", "yaml", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    assert load_vignette(out).model_copy(update={"twine": None}) == v
    lint = run_attune("lint", str(out))
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_an_uncoded_draft_imports_with_warnings_that_list_what_is_missing(tmp_path: Path) -> None:
    out = tmp_path / "draft.yaml"
    result = run_attune("convert", str(DRAFT), "--to", "yaml", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "6 choice(s) have no move codes yet: arrive (1), arrive (2)" in result.stderr
    assert "ending 'gone' has no kind" in result.stderr
    assert "the vignette's own fields are placeholders" in result.stderr
    v = load_vignette(out)
    assert v.start == "arrive" and [e.id for e in v.endings] == ["good-end", "gone"]
    assert v.ending_map["good-end"].kind == "repaired"
    assert v.beat_map["arrive"].client == "I nearly didn't come today. I don't see the point."
    assert v.twine is not None and v.twine.positions["gone"] == "500,250"
    lint = run_attune("lint", str(out))
    assert lint.returncode == 1 and lint.stdout.count("no-moves") == 6  # what is left to code


BAD_TWEE = {
    "duplicate": (
        ":: StoryTitle\nT\n\n:: a [beat]\nHi.\n\n[[Hello.->b]]\n\n:: a [beat]\nAgain.\n",
        9,
        "two passages named 'a' (the first on line 4)",
    ),
    "missing-target": (
        ':: StoryTitle\nT\n\n:: StoryData\n{"ifid": "0E3A4F3C-9D8B-4E0A-8B7C-2D1E6F5A4B3C", "start": "a"}\n\n'
        ":: a [beat]\nHi.\n\n[[Hello.->nowhere]]\n    moves: [complex_reflection]\n\n:: end [ending repaired]\ntitle: End\n",
        10,
        "nowhere",
    ),
    "story-data": (
        ':: StoryTitle\nT\n\n:: StoryData\n{"ifid": oops}\n\n:: a [beat]\nHi.\n',
        5,
        "StoryData is not valid JSON",
    ),
    "bad-move": (
        ":: StoryTitle\nT\n\n:: a [beat]\nHi.\n\n[[Hello.->end]]\n    moves: [complex_reflexion]\n\n:: end [ending repaired]\ntitle: End\n",
        8,
        "complex_reflexion",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_TWEE))
def test_bad_twee_is_located_and_writes_nothing(case: str, tmp_path: Path) -> None:
    text, line, fragment = BAD_TWEE[case]
    source = tmp_path / "bad.twee"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out.yaml"
    result = run_attune("convert", str(source), "--to", "yaml", "--out", str(out))
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{source}:{line}" in result.stderr and fragment in result.stderr, result.stderr
    assert "fix:" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == [source]


def test_an_archive_with_no_story_and_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    empty = tmp_path / "page.html"
    empty.write_text("<html><body><p>Not a story</p></body></html>", encoding="utf-8")
    latin = tmp_path / "latin.twee"
    latin.write_bytes(":: StoryTitle\nCaf\xe9\n".encode("latin-1"))
    for source, fragment in ((empty, "no Twine story"), (latin, "is not valid UTF-8")):
        out = tmp_path / "out.yaml"
        result = run_attune("convert", str(source), "--to", "yaml", "--out", str(out))
        assert result.returncode == 2 and fragment in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and not out.exists()
    assert f"{latin}:2:4" in result.stderr


def test_an_archive_problem_names_the_passage(tmp_path: Path) -> None:
    v = load_vignette(SHIPPED[0])
    text = _archive(v).replace("moves: [complex_reflection]", "moves: [complex_reflexion]", 1)
    source = tmp_path / "story.html"
    source.write_text(text, encoding="utf-8")
    with pytest.raises(AttuneError) as caught:
        twine.to_vignette(twine.read_archive(source.read_bytes(), str(source)), str(source))
    (problem,) = caught.value.problems
    assert problem.message.startswith("passage '") and "complex_reflexion" in problem.message


def test_passages_named_in_words_become_ids_and_links_follow(tmp_path: Path) -> None:
    source = ROOT / "tests" / "fixtures" / "twine" / "draft-words.twee"
    out = tmp_path / "words.yaml"
    result = run_attune("convert", str(source), "--to", "yaml", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "passage 'She arrives' becomes 'she-arrives'" in result.stderr
    v = load_vignette(out)
    assert v.start == "she-arrives"
    assert v.beat_map["she-arrives"].choices[0].to == "good-ending"
    assert v.ending_map["good-ending"].title == "Good ending"
    assert v.twine is not None and v.twine.positions == {"she-arrives": "100,100"}
