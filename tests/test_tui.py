"""Pilot tests of the Textual player: assert on state first (session, transcript on disk, screens)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simulator.content.loader import load_vignette
from simulator.hosts.tui.app import make_app
from simulator.hosts.tui.screens.closing import ClosingScreen
from simulator.hosts.tui.screens.debrief import DebriefScreen
from simulator.hosts.tui.screens.play import PlayScreen
from simulator.play.engine import Plan, step
from simulator.play.transcript import load_transcript
from tests.conftest import LOOP, MINI, wait_until

SIZE = (120, 40)


def routes_to_endings(v: Any, limit: int = 6) -> dict[str, list[int]]:
    """One route (as 1-based key presses) to each reachable ending."""
    found: dict[str, list[int]] = {}
    plan = Plan(v)

    def walk(node: str, state: Any, keys: list[int]) -> None:
        if len(keys) >= limit:
            return
        for i in range(len(v.beat_map[node].choices)):
            r = plan.step(node, state, i)
            if r.ended:
                found.setdefault(r.ending, [*keys, i + 1])
            else:
                walk(r.node, r.state, [*keys, i + 1])

    walk(*plan.begin(), [])
    return found


@pytest.fixture(autouse=True)
def fresh_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ATTUNE_DATA_DIR", str(tmp_path))
    return tmp_path


async def _settle(pilot: Any) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


CASES = [
    (path, mode, ending, keys)
    for path in (MINI, LOOP)
    for mode in ("practice", "assessment")
    for ending, keys in routes_to_endings(load_vignette(path)).items()
]


@pytest.mark.parametrize(
    ("path", "mode", "ending", "keys"), CASES, ids=[f"{p.stem}-{m}-{e}" for p, m, e, _ in CASES]
)
async def test_play_to_every_ending(
    path: Path, mode: str, ending: str, keys: list[int], fresh_data_dir: Path
) -> None:
    v = load_vignette(path)
    app = make_app(in_order=True, library_paths=[path], start=(path, v), mode=mode)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("enter")  # briefing -> play
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        practice_widgets = app.screen.query("#meters")
        assert bool(practice_widgets) == (mode == "practice")
        for key in keys:
            await pilot.press(str(key))
        await _settle(pilot)
        session = app.session
        assert session is not None and session.ended and session.ending == ending
        # the closing scene: the ending's title and the client's last words, before the debrief
        assert isinstance(app.screen, ClosingScreen)
        shown = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert v.ending_map[ending].title in shown
        if v.ending_map[ending].client:
            assert str(v.ending_map[ending].client) in shown
        await pilot.press("enter")
        await _settle(pilot)
        assert isinstance(app.screen, DebriefScreen)
        assert app.screen.report is not None and app.screen.report.ending == ending
        assert "An expert route" in str(app.screen.query_one("#expert-route").render())
        (saved,) = list((fresh_data_dir / "sessions").glob("*.json"))
        t = load_transcript(saved).transcript
        assert t.mode == mode and t.ending == ending
        assert [e.choice for e in t.route()] == keys


async def test_rewind_rationale_and_checkin(fresh_data_dir: Path) -> None:
    v = load_vignette(MINI)
    app = make_app(in_order=True, library_paths=[MINI], start=(MINI, v), mode="practice")
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("enter")
        await pilot.press("c")  # the first beat has a check-in
        await pilot.press(*"tight", "enter")
        await pilot.press("r")
        await pilot.press(*"why", "enter")
        await pilot.press("2")
        await pilot.press("b")  # rewind
        await pilot.press("1", "1")
        await _settle(pilot)
        (saved,) = list((fresh_data_dir / "sessions").glob("*.json"))
        t = load_transcript(saved).transcript
        (undone,) = t.rewound()
        assert (undone.choice, undone.checkin, undone.rationale) == (2, "tight", "why")
        assert [e.choice for e in t.route()] == [1, 1] and t.ending == "repaired"


async def test_assessment_has_no_rewind(fresh_data_dir: Path) -> None:
    v = load_vignette(MINI)
    app = make_app(in_order=True, library_paths=[MINI], start=(MINI, v), mode="assessment")
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("enter", "2", "b")
        await _settle(pilot)
        assert app.session is not None and app.session.turn == 1 and app.session.node == "flooded"
        # the key that does nothing here says why
        notices = [n.message for n in app._notifications]
        assert any("Rewind is for practice mode" in m for m in notices), notices


async def test_enter_in_the_search_opens_its_only_match(fresh_data_dir: Path) -> None:
    from simulator.hosts.tui.screens.briefing import BriefingScreen

    app = make_app(in_order=True, library_paths=[MINI, LOOP])
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.query("DataTable")), "the library")
        await pilot.press("slash", *load_vignette(LOOP).title[:6], "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, BriefingScreen), "the briefing")
        assert app.screen.vignette.id == load_vignette(LOOP).id  # type: ignore[attr-defined]


async def test_markup_in_vignette_text_is_literal(tmp_path: Path) -> None:
    text = (
        MINI.read_text()
        .replace(
            "I tried the breathing thing. Useless. Just tell me what actually works.",
            "[bold]Useless[/bold] [@click=app.quit]click me[/]",
        )
        .replace("Leans forward, voice tight.", "'[red]tight[/red]'")
    )
    path = tmp_path / "markup.yaml"
    path.write_text(text)
    v = load_vignette(path)
    app = make_app(in_order=True, library_paths=[path], start=(path, v))
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        statement = str(app.screen.query_one("#statement").render())
        assert "[bold]Useless[/bold] [@click=app.quit]click me[/]" in statement
        assert "[red]tight[/red]" in str(app.screen.query_one("#nonverbal").render())
        await pilot.click("#statement")  # clicking the text must not trigger the embedded action
        await pilot.pause()
        assert app.is_running


async def test_library_search_and_resume(fresh_data_dir: Path) -> None:
    app = make_app(in_order=True, library_paths=[MINI, LOOP])
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        table = app.screen.query_one("DataTable")
        assert table.row_count == 2
        await pilot.press("/", *"sam")
        await pilot.pause()
        assert table.row_count == 1
        await pilot.press("enter", "enter", "1")  # the only match opens; start; choose 1
        await _settle(pilot)
        assert app.session is not None and app.session.turn == 1
    # a new app finds the unfinished session and resumes it with u
    app = make_app(in_order=True, library_paths=[MINI, LOOP])
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        assert "Unfinished" in str(app.screen.query_one("#resume-hint").render())
        await pilot.press("u")
        await _settle(pilot)
        assert (
            isinstance(app.screen, PlayScreen) and app.session is not None and app.session.turn == 1
        )


async def test_help_and_theme() -> None:
    app = make_app(in_order=True, library_paths=[MINI])
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        dark = app.current_theme.dark
        await pilot.press("ctrl+t")
        assert app.current_theme.dark is not dark
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        assert "Resume your most recent unfinished session" in str(
            app.screen.query_one("Static").render()
        )


async def test_help_names_keys_as_people_read_them_and_only_the_choices_offered(
    fresh_data_dir: Path,
) -> None:
    from simulator.hosts.tui.screens.help import HelpScreen

    v = load_vignette(MINI)
    app = make_app(in_order=True, library_paths=[MINI], start=(MINI, v), mode="assessment")
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("enter")
        await _settle(pilot)
        assert isinstance(app.screen, PlayScreen)
        offered = len(app.session.offered())  # type: ignore[union-attr]
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Rationale"} <= titles and "Rewind" not in titles  # no rewind in assessment
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        text = str(app.screen.query_one("Static").render())
        assert f"1 to {offered}" in text and f"Choose {offered + 1}" not in text
        assert "question_mark" not in text and "f1," not in text
        assert "(not available now)" in text  # rewind, in assessment mode


def test_every_binding_has_an_id_and_a_tooltip() -> None:
    from textual.binding import Binding

    from simulator.hosts.tui.app import AttuneApp
    from simulator.hosts.tui.screens import briefing, closing, debrief, help, library, note, play

    classes = [
        AttuneApp,
        library.LibraryScreen,
        briefing.BriefingScreen,
        play.PlayScreen,
        closing.ClosingScreen,
        debrief.DebriefScreen,
        help.HelpScreen,
        note.NoteDialog,
    ]
    ids = []
    for cls in classes:
        for b in cls.BINDINGS:
            assert isinstance(b, Binding) and b.id and b.tooltip, (cls.__name__, b)
            ids.append(b.id)
    assert len(ids) == len(set(ids))


async def test_tui_and_plain_debrief_share_the_turn_text(fresh_data_dir: Path) -> None:
    import io

    from scoring.rubric import default_rubric
    from simulator.hosts.plain import Console, debrief
    from simulator.play.session import Session
    from simulator.service.play import Play

    v = load_vignette(MINI)
    app = make_app(in_order=True, library_paths=[MINI], start=(MINI, v), mode="assessment")
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("enter", "2", "1", "1")
        await _settle(pilot)
        await pilot.press("enter")  # from the closing scene to the debrief
        await _settle(pilot)
        tui_turns = [
            str(item.query_one("Static").render()) for item in app.screen.query("TurnItem")
        ]
    plain = Session(v, rubric_version=default_rubric().version, mode="assessment", in_order=True)
    for index in (1, 0, 0):
        plain.choose(index)
    run = Play(plain, default_rubric(), lambda t: None)
    text = debrief(run, Console(io.StringIO(), io.StringIO()))
    assert len(tui_turns) == 3
    for turn in tui_turns:
        assert turn.replace("\n", "\n  ") in text


async def test_assignments_come_first_and_rationale_is_required(
    fresh_data_dir: Path, tmp_path: Path
) -> None:
    from datetime import date, timedelta

    import sqlalchemy as sa

    from simulator.course.courses import add_members, assign, create_cohort
    from simulator.store.database import open_database
    from simulator.store.schema import sessions

    url = f"sqlite:///{tmp_path / 'course.db'}"
    db = open_database(url)
    create_cohort(db, "C", "lead")
    add_members(db, "C", ["amy"], "trainee", "lead")
    loop_id = load_vignette(LOOP).id
    due = date.today() + timedelta(days=30)
    assign(
        db,
        "C",
        loop_id,
        mode="assessment",
        due=due,
        attempts=1,
        rationale_required=True,
        actor="lead",
    )
    app = make_app(in_order=True, library_paths=[MINI, LOOP], trainee="amy", db_url=url)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        table = app.screen.query_one("DataTable")
        first = [str(c) for c in table.get_row_at(0)]
        assert first[0].startswith(f"due {due.isoformat()} · assessment") and loop_id != ""
        assert str(table.get_row_at(1)[0]) == ""  # the unassigned vignette comes after
        await pilot.press("enter", "enter")  # open the assigned vignette, start it
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen) and app.session is not None
        assert app.session.mode == "assessment"  # the assignment's mode
        await pilot.press("1")  # no rationale yet: refused
        await pilot.pause()
        assert app.session.turn == 0
        await pilot.press("r", *"why", "enter", "1")
        await _settle(pilot)
        assert app.session.turn == 1
        assert app.session.transcript.route()[0].rationale == "why"
    with db.read() as conn:
        row = conn.execute(sa.select(sessions.c.assignment_id, sessions.c.mode)).one()
    assert row.assignment_id is not None and row.mode == "assessment"


async def test_the_collector_resumes_once_the_first_frame_is_up(fresh_data_dir: Path) -> None:
    """`attune` pauses the cyclic garbage collector for a fast start; a long session needs it."""
    import gc

    gc.disable()
    try:
        app = make_app(in_order=True, library_paths=[MINI])
        async with app.run_test(size=SIZE) as pilot:
            await _settle(pilot)
            assert gc.isenabled()
            assert app.screen.query_one("DataTable").row_count == 1  # mounted once loaded
    finally:
        gc.enable()


def _feedback_shown(app: Any) -> str:
    """The feedback lines on the last response, as the conversation shows them (grouped under
    the exchange they are about)."""
    text = app.screen.query_one("#conversation").text
    if "Feedback on your last response:\n" not in text:
        return ""
    block = text.split("Feedback on your last response:\n", 1)[1]
    lines = []
    for line in block.split("\n"):
        if not line.startswith("  "):
            break
        lines.append(line[2:])
    return "\n".join(lines)


async def test_practice_feedback_scores_the_route_as_it_stands(fresh_data_dir: Path) -> None:
    """The feedback line after each choice is the scorer's verdict on that turn of the route
    standing then: after a rewind, and in a session resumed part-way."""
    from scoring.rubric import default_rubric
    from scoring.scorer import score_route
    from simulator.service.play import feedback_lines

    v, rubric = load_vignette(LOOP), default_rubric()

    def expected(app: Any) -> str:
        lines = feedback_lines(score_route(v, app.session.route, rubric).turns[-1].lines)
        return "\n".join(f"{ln.points:+d}  {ln.rule}: {ln.text}  ({ln.source})" for ln in lines)

    async def choose(app: Any, pilot: Any, i: int) -> None:
        node, state = app.session.node, app.session.state
        count = len(v.beat_map[node].choices)
        # from the i-th choice on, the first one that does not end the session
        key = next(k for k in (*range(i, count), *range(i)) if not step(v, node, state, k).ended)
        await pilot.press(str(key + 1))
        await pilot.pause()
        assert _feedback_shown(app) == expected(app)

    app = make_app(in_order=True, library_paths=[LOOP], start=(LOOP, v), mode="practice")
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("enter")
        for i in (1, 0):
            await choose(app, pilot, i)
        await pilot.press("b")  # rewind the second choice, then take another
        await pilot.pause()
        await choose(app, pilot, 1)
        assert not app.session.ended and app.session.turn == 2
        await _settle(pilot)
    (saved,) = list((fresh_data_dir / "sessions").glob("*.json"))
    app = make_app(in_order=True, library_paths=[LOOP], resume=(LOOP, v, load_transcript(saved)))
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        assert app.session is not None and app.session.turn == 2
        await choose(app, pilot, 0)


async def test_tui_and_plain_give_the_same_practice_feedback(fresh_data_dir: Path) -> None:
    """Both hosts show what the play service returns for a choice: every rule that moved the
    score, the most telling first."""
    import io
    import re

    from simulator.hosts.plain import Console, play
    from simulator.service import play as service
    from simulator.service.scores import default_rubric

    v = load_vignette(LOOP)
    keys = [2, 1, 2]
    app = make_app(in_order=True, library_paths=[LOOP], start=(LOOP, v), mode="practice")
    tui: list[list[tuple[str, str]]] = []
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await pilot.press("enter")
        await _settle(pilot)
        for key in keys:
            await pilot.press(str(key))
            await _settle(pilot)
            shown = _feedback_shown(app)
            tui.append(re.findall(r"^([+-]\d+)  ([\w-]+):", shown, re.M))
    out = io.StringIO()
    run = service.start(
        LOOP, v, default_rubric(), mode="practice", use_database=False, in_order=True
    )
    play(run, Console(out, io.StringIO("".join(f"{k}\n" for k in keys))))
    plain = [
        re.findall(r"feedback: ([+-]\d+) ([\w-]+):", block)
        for block in out.getvalue().split("\n> ")[1:]
    ]
    assert tui and all(tui)
    assert plain[: len(tui)] == tui


async def test_a_screen_removed_as_it_opens_does_not_stop_the_app() -> None:
    """The shared-mode gate replaces a just-opened briefing with the login: a header removed
    before its first title update must not raise (Textual's own Header raised NoMatches)."""
    from textual.app import App, ComposeResult
    from textual.screen import Screen

    from simulator.hosts.tui.widgets.header import SafeHeader

    class Brief(Screen[None]):
        def compose(self) -> ComposeResult:
            yield SafeHeader()

    class Gate(App[None]):
        def on_mount(self) -> None:
            for _ in range(30):
                self.push_screen(Brief())
                self.pop_screen()
            self.push_screen(Brief())

    app = Gate()
    async with app.run_test() as pilot:
        for _ in range(5):
            await pilot.pause()
        assert isinstance(app.screen, Brief)
    assert app.return_code in (None, 0)


async def test_a_very_long_conversation_keeps_the_latest_exchanges_on_screen() -> None:
    """Every turn redraws the conversation: past a cap, the oldest exchanges are left to the
    debrief, and the screen says how many."""
    from textual.app import App, ComposeResult

    from simulator.hosts.tui.widgets.conversation import SHOWN, Conversation
    from simulator.service.play import Exchange

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield Conversation("Ray", id="conversation")

    app = Host()
    async with app.run_test() as pilot:
        said = [Exchange(n, f"line {n}", None, f"answer {n}") for n in range(1, SHOWN + 11)]
        app.query_one(Conversation).show(said, [], None)
        await pilot.pause()
        convo = app.query_one(Conversation)
        assert len(convo.query(".exchange")) == SHOWN
        assert (
            convo.text.startswith("… 10 earlier exchanges") and f"line {SHOWN + 10}" in convo.text
        )
        assert '"line 10"' not in convo.text and '"line 11"' in convo.text
