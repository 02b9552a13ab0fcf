"""Own words first: the trainee types what they would say, then the options appear and they
choose the closest. Both are saved; the score comes only from the choice; the debrief, the
review and the exports show the typed words beside the choice."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from scoring.rubric import default_rubric
from simulator.content.library import bundled_path
from simulator.content.loader import load_vignette
from simulator.errors import AttuneError
from simulator.play.transcript import load_transcript
from tests.conftest import ROOT, wait_until

RAY_PATH = bundled_path("ray")
assert RAY_PATH is not None
RAY = load_vignette(RAY_PATH)


def test_the_plain_player_asks_for_own_words_before_the_options(tmp_path: Path) -> None:
    env = {**os.environ, "ATTUNE_DATA_DIR": str(tmp_path)}
    env.pop("ATTUNE_DB", None)
    said = "Sounds like being here is the last thing you want"
    # an empty answer is asked again; a number typed first is words, not a choice
    answers = "\n" + "".join(f"{said} {n}\n1\n" for n in range(14))
    played = subprocess.run(
        [sys.executable, "-m", "simulator", "play", "ray", "--plain", "--in-order",
         "--own-words"], input=answers, capture_output=True, cwd=ROOT, env=env, text=True,
        timeout=120,
    )  # fmt: skip
    assert played.returncode == 0, played.stderr
    out = played.stdout
    first_words = out.index("In your own words, what would you say?")
    assert first_words < out.index("  1. ")  # the words come before the options
    assert "Type what you would say first" in out
    assert "Closest to your words:" in out and "a suggestion only" in out
    (journal,) = (tmp_path / "sessions").glob("*.json")
    t = load_transcript(journal).transcript
    assert t.own_words is True
    route = t.route()
    assert route and all(e.own_words == f"{said} {i}" for i, e in enumerate(route))
    assert f'In your own words first: "{said} 0"' in out.split("Debrief", 1)[1]


def test_the_choice_is_scored_never_the_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simulator.service import play as service

    monkeypatch.setenv("ATTUNE_DATA_DIR", str(tmp_path))
    runs = []
    for words in ("You hate this", "Completely different words, nothing alike"):
        run = service.start(RAY_PATH, RAY, default_rubric(), use_database=False, in_order=True,
                            own_words=True)  # fmt: skip
        with pytest.raises(AttuneError, match="own words first"):
            run.pick(1)
        while not run.ended:
            run.pick(1, own_words=words)
        runs.append(run.report().overall)
        run.close()
    assert runs[0] == runs[1]


def test_the_suggestion_is_the_closest_option() -> None:
    from simulator.play.session import Session
    from simulator.service.play import Play

    s = Session(RAY, rubric_version=default_rubric().version, own_words=True)
    run = Play(s, default_rubric(), lambda t: None)
    options = run.options()
    for n, option in enumerate(options, 1):
        assert run.suggest(option.say.upper() + " ") == n
    assert run.suggest("   ") is None


def test_an_assignment_can_ask_for_own_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simulator.course.courses import add_members, assign, create_cohort
    from simulator.service import play as service
    from simulator.store.database import open_database

    monkeypatch.setenv("ATTUNE_DATA_DIR", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'c.db'}"
    db = open_database(url)
    create_cohort(db, "C", "lead")
    add_members(db, "C", ["amy"], "trainee", "lead")
    assign(db, "C", "ray", mode="practice", due=date(2099, 1, 1), attempts=2,
           rationale_required=False, actor="lead", own_words=True)  # fmt: skip
    robot = service.start(RAY_PATH, RAY, default_rubric(), trainee="amy", db_url=url,
                          source="autoplay", strategy="best")  # fmt: skip
    assert not robot.own_words  # autoplay never types words
    robot.close()
    run = service.start(RAY_PATH, RAY, default_rubric(), trainee="amy", db_url=url)
    assert run.own_words
    run.pick(1, own_words="I can hear how fed up you are")
    run.close()
    from simulator.course.review import load_review, turn_review_text
    from simulator.reach.export import scored, to_csv

    review = load_review(db, run.transcript.session_id, default_rubric())
    assert 'In their own words first: "I can hear how fed up you are"' in turn_review_text(
        review, 1
    )
    rows = list(
        csv.DictReader(io.StringIO(to_csv([scored(run.transcript, RAY, default_rubric())])))
    )
    assert rows[0]["own_words"] == "I can hear how fed up you are"
    assert json.loads(run.transcript.to_json())["own_words"] is True


async def test_the_terminal_player_shows_the_options_after_the_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from simulator.hosts.tui.app import make_app
    from simulator.hosts.tui.screens.play import PlayScreen
    from simulator.hosts.tui.widgets.choices import ChoiceList

    monkeypatch.setenv("ATTUNE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ATTUNE_DB", raising=False)
    app = make_app(start=(RAY_PATH, RAY), in_order=True, own_words=True)
    async with app.run_test(size=(110, 36)) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.query("#own-words-mode")), "the briefing")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PlayScreen), "the play screen")
        choices = app.screen.query_one(ChoiceList)
        assert not choices.display  # the options wait for the trainee's words
        await pilot.press("1")  # typed into the words box, not taken as a choice
        assert app.session is not None and app.session.turn == 0
        await pilot.press("backspace")
        for key in "you do not want to be here":
            await pilot.press("space" if key == " " else key)
        await pilot.press("enter")
        await wait_until(pilot, lambda: choices.display, "the options")
        hint = str(app.screen.query_one("#own-words-hint").render())
        assert "only a suggestion" in hint and "you do not want to be here" in hint
        await pilot.press("1")
        await wait_until(pilot, lambda: app.session.turn == 1, "the choice")  # type: ignore[union-attr]
        assert not app.screen.query_one(ChoiceList).display  # the next beat: words first again
        assert "you do not want to be here" in app.screen.query_one("#conversation").text
    (journal,) = (tmp_path / "sessions").glob("*.json")
    (event,) = load_transcript(journal).transcript.route()
    assert event.own_words == "you do not want to be here"
