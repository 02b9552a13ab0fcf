"""`attune lint`: load, analyse and report on vignette files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from simulator.content.analysis import Analysis, Finding, analyse
from simulator.content.loader import find_vignette_files, load_with_lines
from simulator.content.model import Vignette
from simulator.errors import AttuneError, Problem

if TYPE_CHECKING:
    from scoring.cues import CueAudit


class Linted(NamedTuple):
    path: str
    vignette: Vignette
    analysis: Analysis
    findings: list[Finding]
    cues: CueAudit | None = None


class LintReport:
    def __init__(self) -> None:
        self.results: list[Linted] = []
        self.unreadable: list[Problem] = []

    @property
    def exit_code(self) -> int:
        if self.unreadable:
            return 2
        if any(f.severity == "error" for r in self.results for f in r.findings):
            return 1
        return 0

    def as_json(self) -> dict[str, Any]:
        return {
            "vignettes": [
                {
                    "id": r.vignette.id,
                    "path": r.path,
                    "beats": r.analysis.stats.beats,
                    "choices": r.analysis.stats.choices,
                    "endings": r.analysis.stats.endings,
                    "decision_points": r.analysis.stats.decision_points,
                    "shortest_route": r.analysis.stats.shortest_route,
                    "longest_route": r.analysis.stats.longest_route,
                    "findings": [f.as_dict() for f in r.findings],
                    **({"cue_audit": _audit_json(r.cues)} if r.cues else {}),
                }
                for r in self.results
            ],
            "unreadable": [p.as_dict() for p in self.unreadable],
        }


def _audit_json(audit: CueAudit) -> dict[str, Any]:
    return {
        "sessions": audit.sessions,
        "random_mean": round(audit.random_mean, 1),
        "policies": [
            {"policy": p.name, "means": p.description, "mean": round(p.mean, 1), "best": p.best}
            for p in audit.results
        ],
    }


def lint_structure(v: Vignette, lines: dict[str, int] | None = None) -> Analysis:
    """The format and graph checks, without scoring (what the analysis benchmark measures)."""
    return analyse(v, lines)


def lint_vignette(
    v: Vignette, lines: dict[str, int] | None = None
) -> tuple[Analysis, list[Finding]]:
    """Structure findings plus the scoring lint rules."""
    analysis = lint_structure(v, lines)
    findings = list(analysis.findings)
    if not analysis.errors:
        from scoring.cues import length_findings
        from scoring.lintrules import scoring_findings
        from scoring.rubric import default_rubric
        from scoring.story import Story

        story = Story(v, default_rubric())  # compiled once for both
        findings.extend(scoring_findings(v, lines or {}, story))
        findings.extend(length_findings(v, lines, story=story))
    findings.sort(key=lambda f: (f.severity != "error", f.line or 0, f.code))
    return analysis, findings


def lint_paths(paths: list[Path], *, cues: bool = False, jobs: int = 1) -> LintReport:
    """Lint every vignette file under `paths`; `cues` adds the surface-policy audit
    (`scoring.cues.cue_audit`). `jobs` > 1 lints that many files at once, each in a process of
    its own (forked, so nothing is imported again); the report is the same, in the same order."""
    report = LintReport()
    files = find_vignette_files(paths)
    missing = [p for p in paths if not p.exists()]
    for p in missing:
        report.unreadable.append(Problem(str(p), "no such file or folder", hint="check the path"))
    if not files and not missing:
        report.unreadable.append(
            Problem(
                ", ".join(map(str, paths)),
                "no vignette files (.yaml) found",
                hint="name a .yaml file or a folder of them",
            )
        )
    if files:
        _ready()
    for linted, problems in _each(_lint_file, [p for p in files if p.exists()], cues, jobs):
        report.unreadable.extend(problems)
        if linted is not None:
            report.results.append(linted)
    return report


def _ready() -> None:
    """Import and load what linting a file needs, once: forked workers inherit it rather than
    each doing it again."""
    import scoring.cues
    import scoring.lintrules  # noqa: F401
    from scoring.rubric import default_rubric

    default_rubric()


def default_jobs() -> int:
    """One file at a time per core this process may run on."""
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


_Result = tuple[Linted | None, list[Problem]]


def _each(
    work: Callable[[Path, bool], _Result], files: list[Path], cues: bool, jobs: int
) -> list[_Result]:
    """`work` on each file, in order; in `jobs` forked processes when there is more than one
    file, the platform forks (elsewhere a fresh interpreter per worker would cost more than it
    saves) and this process runs one thread (the command line does; a host may not)."""
    import multiprocessing
    import threading

    jobs = min(jobs, len(files))
    if (
        jobs < 2
        or "fork" not in multiprocessing.get_all_start_methods()
        # a fork copies only the calling thread: a lock another thread holds would stay held
        or threading.active_count() > 1
    ):
        return [work(path, cues) for path in files]
    from concurrent.futures import ProcessPoolExecutor

    # the largest files first, so that no worker is left with a large one at the end
    by_size = sorted(files, key=lambda p: -p.stat().st_size)
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        running = {path: pool.submit(work, path, cues) for path in by_size}
        return [running[path].result() for path in files]


def _lint_file(path: Path, cues: bool) -> _Result:
    try:
        v, lines = load_with_lines(path)
    except AttuneError as exc:
        return None, exc.problems
    analysis, findings = lint_vignette(v, lines)
    if v.id != path.stem:
        findings.insert(
            0,
            Finding(
                "warning",
                "id-not-file-name",
                f"the vignette's id '{v.id}' differs from its file name '{path.name}': "
                f"`attune play {v.id}` finds vignettes by file name; rename the file to "
                f"{v.id}.yaml or change the id",
                None,
                lines.get("id"),
            ),
        )
    audit = None
    if cues and not analysis.errors:
        from scoring.cues import cue_audit
        from scoring.rubric import default_rubric

        audit = cue_audit(v, default_rubric())
        findings.extend(audit.findings())
    return Linted(str(path), v, analysis, findings, audit), []


def render_text(report: LintReport) -> str:
    out = []
    for r in report.results:
        s = r.analysis.stats
        route = (
            f"routes {s.shortest_route}–{s.longest_route} choices"
            if s.longest_route is not None
            else f"shortest route {s.shortest_route} choices (has cycles)"
        )
        out.append(
            f"{r.path}  [{r.vignette.id}]  {s.beats} beats, {s.choices} choices, {s.endings} endings, "
            f"{s.decision_points} decision points, {route}"
        )
        for f in r.findings:
            where = f"{r.path}:{f.line}" if f.line else r.path
            out.append(f"  {f.severity:<7} {f.code:<22} {where}: {f.message}")
        if r.cues is not None:
            a = r.cues
            out.append(
                f"  cue audit, {a.sessions} shuffled sessions per policy: "
                f"random choices average {a.random_mean:.0f}/100"
            )
            for p in a.results:
                out.append(
                    f"    {p.name:<14} mean {p.mean:5.1f}  best {p.best:3d}  ({p.description})"
                )
    errors = sum(1 for r in report.results for f in r.findings if f.severity == "error")
    warnings = sum(1 for r in report.results for f in r.findings if f.severity == "warning")
    summary = f"{len(report.results)} vignette(s): {errors} error(s), {warnings} warning(s)"
    if report.unreadable:
        summary += f"; {len(report.unreadable)} problem(s) reading files (see above)"
    out.append(summary)
    return "\n".join(out) + "\n"
