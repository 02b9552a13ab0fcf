"""Options are shown in a different order in each session: seeded by the session id, recorded in
the transcript, never changing a score, and shown back as the trainee saw them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from scoring.rubric import default_rubric
from scoring.scorer import score_route
from simulator.content.loader import load_vignette
from simulator.play.chain import check_chain
from simulator.play.session import Session, file_store
from simulator.play.transcript import Transcript, display_order, load_transcript
from simulator.service import play as service
from tests.conftest import LOOP, MINI, ROOT, run_attune, wait_until

RAY = load_vignette(ROOT / "vignettes" / "ray.yaml")


def test_each_session_has_its_own_order_and_keeps_it() -> None:
    seen = set()
    for _ in range(30):
        s = Session(RAY, rubric_version="t")
        assert s.transcript.order == "shuffled"
        order = s.order()
        assert sorted(order) == list(range(len(RAY.beat_map[RAY.start].choices)))
        assert order == display_order(s.transcript.session_id, RAY.start, len(order))
        seen.add(tuple(order))
    assert len(seen) > 1, "thirty sessions all showed the same order"


def test_the_order_is_recorded_and_survives_resume(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    s = Session(RAY, rubric_version="t", store=file_store(path))
    order = s.order()
    s.choose(order[0])  # the option shown first
    event = load_transcript(path).transcript.route()[0]
    assert event.order == [i + 1 for i in order]
    assert event.shown == 1 and event.choice == order[0] + 1
    resumed = Session.resume(RAY, load_transcript(path).transcript)
    assert resumed.order() == s.order()


def test_in_order_shows_the_authored_order(tmp_path: Path) -> None:
    s = Session(RAY, rubric_version="t", in_order=True, store=file_store(tmp_path / "s.json"))
    assert s.order() == list(range(len(s.offered())))
    s.choose(2)
    t = load_transcript(tmp_path / "s.json").transcript
    assert t.order == "authored" and t.route()[0].order is None and t.route()[0].shown == 3


def test_the_order_never_changes_a_score() -> None:
    s = Session(RAY, rubric_version="t")
    while not s.ended:
        s.choose(s.order()[-1])
    route = s.route
    plain = score_route(RAY, route, default_rubric())
    shown = score_route(RAY, route, default_rubric(), order=s.transcript.order_map())
    assert [t.points for t in plain.turns] == [t.points for t in shown.turns]
    assert plain.overall == shown.overall
    for t, (beat, index) in zip(shown.turns, route, strict=True):
        assert (
            t.seen
            == s.transcript.display_order(beat, len(RAY.beat_map[beat].choices)).index(index) + 1
        )
        assert t.choice == index + 1


def test_a_transcript_from_before_shuffling_keeps_its_bytes_and_chain(tmp_path: Path) -> None:
    s = Session(RAY, rubric_version="t", in_order=True)
    s.choose(0)
    # a header and events exactly as written before the order was recorded
    old = json.loads(s.transcript.to_json())
    del old["order"]
    from simulator.play.chain import extend, sealed

    t = sealed(Transcript.model_validate({**old, "events": [], "header_hash": None, "head": None}))
    event = s.transcript.events[0].model_copy(update={"hash": None})
    t = extend(t, [event])
    text = t.to_json()
    assert '"order"' not in text
    path = tmp_path / "old.json"
    path.write_text(text, encoding="utf-8")
    loaded = load_transcript(path).transcript
    assert loaded.to_json() == text
    assert check_chain(loaded, str(path)) == []
    assert loaded.display_order(RAY.start, 4) == [0, 1, 2, 3]


def test_plain_player_numbers_the_options_as_shown(tmp_path: Path) -> None:
    from simulator.hosts.plain import Console, debrief, play

    v = load_vignette(MINI)
    run = service.start(MINI, v, default_rubric(), out=tmp_path / "t.json", use_database=False)
    first = run.options()[0]
    out = io.StringIO()
    play(run, Console(out, io.StringIO("1\n" * 10)))
    text = out.getvalue()
    assert f"  1. {first.say}" in text
    event = run.transcript.route()[0]
    assert event.say == first.say and event.shown == 1
    assert run.transcript.events[0].order is not None
    report = debrief(run, Console(io.StringIO(), io.StringIO("")))
    assert f'You chose 1: "{first.say}"' in report


def test_autoplay_records_the_order_and_in_order_turns_it_off(tmp_path: Path) -> None:
    shuffled, authored = tmp_path / "s.json", tmp_path / "a.json"
    assert run_attune("autoplay", str(LOOP), "--out", str(shuffled)).returncode == 0
    r = run_attune("autoplay", str(LOOP), "--in-order", "--out", str(authored))
    assert r.returncode == 0, r.stderr
    s, a = load_transcript(shuffled).transcript, load_transcript(authored).transcript
    assert s.order == "shuffled" and all(e.order for e in s.route())
    assert a.order == "authored" and not any(e.order for e in a.route())
    # the same seed plays the same route, whatever the display order
    assert [(e.beat, e.choice) for e in s.route()] == [(e.beat, e.choice) for e in a.route()]


def test_csv_export_shows_the_number_the_trainee_saw(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    s = Session(RAY, rubric_version=default_rubric().version, store=file_store(path))
    second = s.order()[1]
    s.choose(second)
    r = run_attune("export", str(path), "--format", "csv", "--out", str(tmp_path / "o.csv"))
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader((tmp_path / "o.csv").open(encoding="utf-8")))
    assert rows[0]["shown"] == "2" and rows[0]["choice"] == str(second + 1)


@pytest.mark.asyncio
async def test_the_tui_shows_and_takes_the_shuffled_order() -> None:
    from simulator.hosts.tui.app import make_app
    from simulator.hosts.tui.widgets.choices import ChoiceList

    v = load_vignette(LOOP)
    app = make_app(library_paths=[LOOP], start=(LOOP, v), mode="practice")
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_until(pilot, lambda: type(app.screen).__name__ == "BriefingScreen", "briefing")
        await pilot.press("enter")  # past the briefing
        await wait_until(
            pilot,
            lambda: app.session is not None and bool(app.screen.query(ChoiceList)),
            "the play screen",
        )
        run = app.session
        assert run is not None
        shown = run.options()
        await pilot.press("2")
        await wait_until(pilot, lambda: bool(run.transcript.route()), "the choice to be saved")
        event = run.transcript.route()[0]
        assert event.say == shown[1].say and event.shown == 2
