"""Assessor review: listing, overrides with an audit trail, sign-off, agreement, and the screen."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from scoring.rubric import default_rubric
from scoring.scorer import overall
from simulator.content.library import bundled_path
from simulator.content.loader import load_vignette
from simulator.course.courses import add_members, create_cohort
from simulator.course.review import (
    add_comment,
    cohen_kappa,
    list_transcripts,
    load_review,
    override_moves,
    override_points,
    rate_reflection,
    rewound_text,
    sign_off,
    summary_text,
    turn_review_text,
)
from simulator.errors import AttuneError
from simulator.play.session import Session
from simulator.store.database import open_database
from simulator.store.dbstore import DbStore
from simulator.store.schema import audit, overrides
from tests.conftest import wait_until

RAY = load_vignette(bundled_path("ray"))  # type: ignore[arg-type]


def _course(db_url: str) -> tuple[object, str]:
    """A cohort with a trainee who played Ray to the end (with a rewind), and two assessors."""
    db = open_database(db_url)
    create_cohort(db, "C", "lead")
    add_members(db, "C", ["amy"], "trainee", "lead")
    add_members(db, "C", ["rao", "lee"], "assessor", "lead")
    s = Session(RAY, rubric_version=default_rubric().version, trainee="amy", cohort_id=1)
    s.store = DbStore(db, RAY, default_rubric())  # type: ignore[arg-type]
    s.store(s.transcript)
    s.choose(1, rationale="to get him on board", elapsed_ms=4200, checkin="irritated")
    s.rewind(0)
    while not s.ended:
        s.choose(0, rationale="stay with him")
    return db, s.transcript.session_id


def test_review_shows_every_turn_with_its_notes_and_the_rewound_branch(db_url: str) -> None:
    db, sid = _course(db_url)
    review = load_review(db, sid, default_rubric())  # type: ignore[arg-type]
    first = turn_review_text(review, 1)
    assert "Rationale: stay with him" in first and "valence-A" in first
    assert "rewound" in rewound_text(review).lower() and "to get him on board" in rewound_text(
        review
    )
    assert "Not signed off yet." in summary_text(review)
    assert "Integrity: intact" in summary_text(review)


def test_overrides_keep_the_original_and_leave_an_audit_trail(db_url: str) -> None:
    db, sid = _course(db_url)
    rubric = default_rubric()
    review = load_review(db, sid, rubric)  # type: ignore[arg-type]
    before = review.original.overall
    override_moves(db, review, 1, ["persuade"], "rao", "this reads as arguing")  # type: ignore[arg-type]
    override_points(db, review, 2, -5, "rao", "a clear push")  # type: ignore[arg-type]
    after = load_review(db, sid, rubric)  # type: ignore[arg-type]
    assert after.original.overall == before  # the scorer's own result stays
    assert after.effective_overall < before
    assert after.effective.turns[0].valence == "P"  # re-scored with the assessor's codes
    with db.read() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(sa.select(overrides.c.field, overrides.c.original)).all()
        trail = conn.execute(sa.select(audit.c.actor, audit.c.action, audit.c.detail)).all()
    assert {r.field for r in rows} == {"moves", "points"}
    assert any(
        a.actor == "rao" and a.action == "override.moves" and "arguing" in a.detail for a in trail
    )
    text = turn_review_text(after, 1)
    assert "Override (moves) by rao" in text and "was validate, complex_reflection" in text


def test_refusals(db_url: str) -> None:
    db, sid = _course(db_url)
    review = load_review(db, sid, default_rubric())  # type: ignore[arg-type]
    with pytest.raises(AttuneError, match="only assessors and course leaders"):
        add_comment(db, sid, 1, "amy", "my own comment")  # type: ignore[arg-type]
    with pytest.raises(AttuneError, match="reason"):
        override_points(db, review, 1, 0, "rao", " ")  # type: ignore[arg-type]
    with pytest.raises(AttuneError) as info:
        override_moves(db, review, 1, ["persuaed"], "rao", "typo")  # type: ignore[arg-type]
    assert "did you mean 'persuade'" in (info.value.problems[0].hint or "")
    with pytest.raises(AttuneError, match="no turn 99"):
        override_points(db, review, 99, 0, "rao", "x")  # type: ignore[arg-type]
    with pytest.raises(AttuneError, match="summary"):
        sign_off(db, sid, "rao", "competent", "")  # type: ignore[arg-type]
    with pytest.raises(AttuneError, match="only assessors and course leaders"):
        override_points(db, review, 1, 3, "amy", "my own score")  # type: ignore[arg-type]
    with pytest.raises(AttuneError, match="only assessors and course leaders"):
        rate_reflection(db, sid, "amy", 2, "")  # type: ignore[arg-type]
    with pytest.raises(AttuneError, match="not on the scale"):
        rate_reflection(db, sid, "rao", 3, "")  # type: ignore[arg-type]
    assert load_review(db, sid, default_rubric()).judgement().status == "pending"  # type: ignore[arg-type]


def test_sign_off_filters_and_agreement(db_url: str) -> None:
    db, sid = _course(db_url)
    assert [t.status for t in list_transcripts(db, cohort="C")] == ["to review"]  # type: ignore[arg-type]
    review = load_review(db, sid, default_rubric())  # type: ignore[arg-type]
    override_moves(db, review, 2, ["affirm"], "lee", "recoded")  # type: ignore[arg-type]
    sign_off(db, sid, "rao", "competent", "Steady throughout.")  # type: ignore[arg-type]
    sign_off(db, sid, "lee", "not_yet", "Turn 2 pushed.")  # type: ignore[arg-type]
    with pytest.raises(AttuneError, match="rao signed this session off already"):
        sign_off(db, sid, "rao", "not_yet", "Changed my mind.")  # type: ignore[arg-type]
    assert list_transcripts(db, status="not yet")[0].session_id == sid  # type: ignore[arg-type]
    assert list_transcripts(db, status="competent") == []  # type: ignore[arg-type]
    assert list_transcripts(db, trainee="ben") == []  # type: ignore[arg-type]
    review = load_review(db, sid, default_rubric())  # type: ignore[arg-type]
    a = review.agreement
    assert a is not None and set(a.raters) == {"rao", "lee"}
    assert a.observed == (a.turns - 1) / a.turns and a.kappa is not None and a.kappa < 1
    assert "Cohen's kappa" in summary_text(review)


def test_cohen_kappa_matches_a_worked_example() -> None:
    # two raters, 10 items, categories x/y: 7 agreements; p_o = .7, p_e = .5*.6 + .5*.4 = .5
    a = list("xxxxxyyyyy")
    b = list("xxxxyyyyxx")
    assert cohen_kappa(a, b) == pytest.approx((0.7 - 0.5) / 0.5)
    assert cohen_kappa(a, a) == 1.0
    assert cohen_kappa(list("xx"), list("xx")) is None


async def test_review_screen_comment_and_sign_off(tmp_path: object) -> None:
    from textual.widgets import Input, ListView, RadioButton

    from simulator.hosts.tui.app import make_app

    url = f"sqlite:///{tmp_path}/c.db"
    db, sid = _course(url)
    app = make_app(review={"cohort": "C"}, reviewer="rao", db_url=url)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        await app.workers.wait_for_complete()
        await pilot.press("enter")
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        assert app.screen.query_one(ListView).index == 0
        await pilot.press("c")
        await pilot.pause(0.1)
        app.screen.query_one(Input).value = "Nice reflection here."
        await pilot.press("enter")
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        await pilot.press("f")  # rate the reflective practice: no default level
        await wait_until(pilot, lambda: bool(app.screen.query("#reflection-note")), "the dialog")
        assert "Turn 1 rationale: stay with him" in str(
            app.screen.query_one("#reflection-notes").render()
        )
        app.screen.query_one("#reflection-note", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert "Choose a level first" in str(app.screen.query_one("#reflection-error").render())
        app.screen.query_one("#level-1", RadioButton).value = True
        app.screen.query_one("#reflection-note", Input).value = "Names it."
        app.screen.query_one("#reflection-note", Input).focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: not app.screen.query("#reflection-note"), "it to close")
        await app.workers.wait_for_complete()
        await pilot.press("s")
        await wait_until(pilot, lambda: bool(app.screen.query("#summary")), "the sign-off dialog")
        app.screen.query_one("#summary", Input).value = "Competent work."
        app.screen.query_one("#summary", Input).focus()
        await pilot.press("enter")  # no verdict chosen yet: the dialog stays, and says so
        await pilot.pause()
        assert "Choose Competent or Not yet" in str(app.screen.query_one("#signoff-error").render())
        app.screen.query_one("#competent", RadioButton).value = True
        app.screen.query_one("#summary", Input).focus()
        await pilot.press("enter")
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
    review = load_review(db, sid, default_rubric())  # type: ignore[arg-type]
    assert [(c["turn"], c["author"], c["text"]) for c in review.comments] == [
        (1, "rao", "Nice reflection here.")
    ]
    assert [(s["assessor"], s["verdict"]) for s in review.signoffs] == [("rao", "competent")]
    assert [(r["assessor"], r["level"], r["note"]) for r in review.ratings] == [(
        "rao", 1, "Names it.")]  # fmt: skip


async def test_review_screen_overrides_codes_and_points(tmp_path: object) -> None:
    from textual.widgets import Input, ListView

    from simulator.hosts.tui.app import make_app
    from simulator.hosts.tui.screens.override import OverrideDialog
    from simulator.hosts.tui.screens.review import TranscriptReviewScreen

    url = f"sqlite:///{tmp_path}/c.db"
    db, sid = _course(url)
    app = make_app(review={"cohort": "C"}, reviewer="rao", db_url=url)

    def loaded() -> bool:
        screen = app.screen
        return isinstance(screen, TranscriptReviewScreen) and screen.review is not None

    async def override(key: str, value: str, reason: str) -> None:
        await pilot.press(key)
        await wait_until(pilot, lambda: isinstance(app.screen, OverrideDialog), "the dialog")
        app.screen.query_one("#override-value", Input).value = value
        app.screen.query_one("#override-reason", Input).value = reason
        app.screen.query_one("#override-reason", Input).focus()
        await pilot.press("enter")
        await wait_until(pilot, loaded, "the review to reload")

    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.query("DataTable")), "the transcript list")
        await pilot.press("enter")
        await wait_until(pilot, loaded, "the review")
        app.screen.query_one(ListView).index = 1  # turn 2
        await pilot.pause()
        # a mistyped code: the dialog stays open with what was typed, and suggests the code
        await pilot.press("m")
        await wait_until(pilot, lambda: isinstance(app.screen, OverrideDialog), "the dialog")
        app.screen.query_one("#override-value", Input).value = "persuaed"
        app.screen.query_one("#override-reason", Input).value = "typed in a hurry"
        app.screen.query_one("#override-reason", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, OverrideDialog)
        said = str(app.screen.query_one("#override-error").render())
        assert "unknown move code 'persuaed'" in said and "persuade" in said.split("'persuaed'")[1]
        assert app.screen.query_one("#override-reason", Input).value == "typed in a hurry"
        await pilot.press("escape")
        await wait_until(pilot, loaded, "the review again")
        await override("m", "complex_reflection", "it reflects his meaning")
        await wait_until(pilot, lambda: len(app.screen.review.overrides) == 1, "the codes override")  # type: ignore[attr-defined]
        app.screen.query_one(ListView).index = 0  # turn 1
        await pilot.pause()
        await override("p", "-3", "too fast for where he was")
        await wait_until(
            pilot,
            lambda: len(app.screen.review.overrides) == 2,  # type: ignore[attr-defined]
            "the points override",
        )
    review = load_review(db, sid, default_rubric())  # type: ignore[arg-type]
    made = {(o.turn, o.field, str(o.value), o.reason, o.author) for o in review.overrides}
    assert made == {
        (2, "moves", str(["complex_reflection"]), "it reflects his meaning", "rao"),
        (1, "points", "-3", "too fast for where he was", "rao"),
    }
    assert review.effective.turns[1].moves == ["complex_reflection"]  # the assessor's codes
    assert review.effective.turns[1].points > review.original.turns[1].points
    # the effective overall puts the assessor's points in place of the scorer's for turn 1
    net = review.effective.net - review.effective.turns[0].points - 3
    assert review.effective_overall == overall(default_rubric(), net, len(review.effective.turns))


def test_the_queue_shows_an_assessors_own_cohorts_and_practice_behind_a_filter(
    db_url: str,
) -> None:
    db, sid = _course(db_url)
    create_cohort(db, "D", "lead")  # type: ignore[arg-type]
    add_members(db, "D", ["dan"], "trainee", "lead")  # type: ignore[arg-type]
    add_members(db, "D", ["lead"], "course_leader", "lead")  # type: ignore[arg-type]
    d_id = 2  # the second cohort of a fresh database
    ids = {}
    for name, cohort in (("dan", d_id), ("pat", None)):
        s = Session(RAY, rubric_version=default_rubric().version, trainee=name, cohort_id=cohort)
        s.store = DbStore(db, RAY, default_rubric())  # type: ignore[arg-type]
        while not s.ended:
            s.choose(0)
        ids[name] = s.transcript.session_id
    queue = list_transcripts(db, reviewer="rao", practice=False)  # type: ignore[arg-type]
    assert [t.session_id for t in queue] == [sid]  # rao assesses C only; pat's is practice
    practice = list_transcripts(db, reviewer="rao", practice=True)  # type: ignore[arg-type]
    assert [t.session_id for t in practice] == [ids["pat"]]
    leader = list_transcripts(db, reviewer="lead", practice=False)  # type: ignore[arg-type]
    assert {t.session_id for t in leader} == {sid, ids["dan"]}
