"""Debrief: the score and what it rests on, turn by turn, with the road not taken."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, ListView, Static

from simulator.hosts.tui.screens.base import AttuneScreen
from simulator.hosts.tui.widgets.header import SafeHeader
from simulator.hosts.tui.widgets.route_map import RouteMap
from simulator.hosts.tui.widgets.timeline import Timeline
from simulator.hosts.tui.widgets.turns import TurnItem
from simulator.service.play import Play
from simulator.service.scores import (
    Bound,
    ScoreReport,
    counted,
    expert_route_text,
    rupture_text,
    turn_text,
)


class DebriefScreen(AttuneScreen):
    BINDINGS = [
        Binding(
            "l,escape", "library", "Library", id="debrief.library", tooltip="Back to the library"
        ),
    ]

    def __init__(self, run: Play) -> None:
        super().__init__()
        self.session, self.rubric = run, run.rubric
        self.report: ScoreReport | None = None
        self.expert: Bound | None = None
        """The expert route, once its search is done."""

    def compose(self) -> ComposeResult:
        yield SafeHeader()
        with VerticalScroll(id="debrief"):
            yield Static("Debrief", classes="title")
            yield Static("Scoring…", id="summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"Debrief — {self.session.vignette.title}"
        self.score()

    @work(thread=True, exclusive=True, group="score")
    def score(self) -> None:
        """The score at once; the expert route when its search is done (usually begun in the
        background when the session started)."""
        report = self.session.report()
        self.app.call_from_thread(self._show, report)
        if not self.session.answer_key.key:
            return  # a course vignette's expert route is for staff (`AnswerKey`)
        best = self.session.expert()
        self.app.call_from_thread(self._show_expert, best)

    def _show_expert(self, best: Bound) -> None:
        self.expert = best
        found = self.query("#expert-route")
        if found:  # else the rest of the debrief, still to come, shows it
            found.first(Static).update(self._expert_text(best))

    def _expert_text(self, best: Bound) -> str:
        return expert_route_text(self.session.vignette, best, self.session.answer_key.codes)

    def _show(self, report: ScoreReport) -> None:
        self.report = report
        v = self.session.vignette
        ending = v.ending_map.get(report.ending or "")
        prov = " (provisional band)" if report.band_provisional else ""
        summary = [
            f"Overall {report.overall}/100 — {report.band}{prov}. Net points {report.net:+d} over {counted(len(report.turns), 'choice')}."
        ]
        if ending:
            summary.append(
                f"Ending: {ending.title} ({ending.kind}). {ending.debrief or ''}".strip()
            )
            if ending.inner:
                summary.append(f"What {v.client.name} may have felt: {ending.inner}")
        else:
            summary.append(
                f"Ending: the session reached its limit of {counted(v.turn_limit, 'choice')} "
                "without an ending, which scores as stalled."
            )
        summary.append("")
        summary.append(
            "Dimensions: " + ", ".join(f"{k} {p:+d}" for k, p in report.dimensions.items())
        )
        for m in report.metrics.values():
            band = m.band + (" (provisional)" if m.provisional and m.band != "n/a" else "")
            summary.append(f"  {m.name.replace('_', ' ')}: {m.display} — {band}")
        self.query_one("#summary", Static).update("\n".join(summary))
        # the score is the first frame; the chart, the turns and the map follow on the next
        self.call_after_refresh(self._show_rest, report)

    def _show_rest(self, report: ScoreReport) -> None:
        v = self.session.vignette
        states = [t.state for t in report.turns] + [report.final_state]
        box = self.query_one("#debrief", VerticalScroll)
        box.mount(
            Timeline(
                [s["alliance"] for s in states],
                [s["arousal"] for s in states],
                (v.window.low, v.window.high),
                id="timeline",
            )
        )
        ruptures = [rupture_text(r, v) for r in report.ruptures] or ["No ruptures opened."]
        box.mount(Static("Ruptures\n" + "\n".join(ruptures), id="ruptures", markup=False))
        box.mount(Static("Turns (select one to see the road not taken)", classes="heading"))
        codes, typed = self.session.answer_key.codes, self.session.typed()
        items = [
            TurnItem(
                t.turn,
                turn_text(t, v, codes=codes, own_words=typed.get(t.turn)),
                t.points < 0,
            )
            for t in report.turns
        ]
        row = Horizontal(id="turn-row")
        box.mount(row)
        row.mount(ListView(*items, id="turns"))
        row.mount(Static("", id="road", markup=False))
        route_map = RouteMap(id="route-map")
        box.mount(Static("Your route on the vignette map", classes="heading"))
        box.mount(route_map)
        route_map.show(self._route_rows(report))
        key = self.session.answer_key
        if not key.key:
            expert = key.withheld
        elif self.expert is not None:
            expert = self._expert_text(self.expert)
        else:
            expert = "Finding the expert route…"
        box.mount(Static(expert, id="expert-route", markup=False))
        if items:
            self._road(1)

    def _place(self, node: str) -> str:
        """Where a choice leads, as the trainee met it: the client's words or the ending."""
        v = self.session.vignette
        beat = v.beat_map.get(node)
        if beat is not None:
            words = beat.client if len(beat.client) <= 40 else beat.client[:39] + "…"
            return f"“{words}”"
        ending = v.ending_map.get(node)
        return f"the ending “{ending.title}”" if ending is not None else node

    def _route_rows(self, report: ScoreReport) -> list[str]:
        v, key = self.session.vignette, self.session.answer_key
        rows = []
        for t in report.turns:
            beat = v.beat_map[t.beat]
            code = f" [{'+'.join(t.moves)}]" if key.codes else ""
            row = f"Turn {t.turn}: {self._place(t.beat)} ─ you chose {t.seen}{code} ─▶ {self._place(t.reached)}"
            if key.key:  # where the other choices lead is part of the answer key
                others = [
                    f"{report.shown(t.beat, i)}"
                    + (f" [{'+'.join(c.moves)}]" if key.codes else "")
                    + " → "
                    + " or ".join(self._place(x) for x in c.targets())
                    for i, c in enumerate(beat.choices)
                    if i != t.choice - 1
                ]
                row += f"\n    not taken: {'; '.join(others)}"
            rows.append(row)
        return rows

    def on_list_view_highlighted(self, event: ListView.Highlighted) -> None:
        if isinstance(event.item, TurnItem):
            self._road(event.item.turn)

    def _road(self, turn: int) -> None:
        key = self.session.answer_key
        if not key.key:
            self.query_one("#road", Static).update(key.withheld)
            return
        road = self.session.road_not_taken(turn)
        if road.difference <= 0:
            text = (
                f"Turn {turn}: your choice was the best-scoring one here ({road.chosen.points:+d})."
            )
        else:
            b = road.best
            text = (
                f"Turn {turn}: the road not taken\n"
                f'Choice {b.choice}: "{b.say}"'
                + (f" [{', '.join(b.moves)}]" if key.codes else "")
                + "\n"
                f'The client would have answered: "{b.reply}"\n'
                f"It scores {b.points:+d}, {road.difference:+d} over your choice ({road.chosen.points:+d})."
            )
        self.query_one("#road", Static).update(text)

    def action_library(self) -> None:
        self.attune.show_library()
