from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from simulator.content.loader import load_vignette
from tests.conftest import FIXTURES, MINI, ROOT, cli


def test_lint_fixtures_clean() -> None:
    result = cli("lint", str(FIXTURES))
    assert result.exit_code == 0, result.output
    assert "2 vignette(s): 0 error(s)" in result.stdout


def test_lint_shipped_vignettes_clean() -> None:
    result = cli("lint", str(ROOT / "vignettes"))
    assert result.exit_code == 0, result.output + result.stderr


def test_lint_json_shape() -> None:
    result = cli("lint", "--json", str(MINI))
    data = json.loads(result.stdout)
    (entry,) = data["vignettes"]
    assert {"id", "path", "beats", "choices", "endings", "findings"} <= set(entry)
    assert (
        entry["id"] == "mini"
        and entry["beats"] == 5
        and entry["choices"] == 12
        and entry["endings"] == 3
    )


def test_lint_exit_1_on_error_finding(tmp_path: Path) -> None:
    text = MINI.read_text().replace(
        "    choices:\n      - say: \"Let's pause.", "    choicez:\n      - say: \"Let's pause."
    )
    # a beat without choices that is not an ending: a structural error, not a parse error
    text = MINI.read_text().replace(
        '  - id: settled\n    client: "...Okay. I\'m here."\n    choices:',
        '  - id: settled\n    client: "...Okay. I\'m here."\n  - id: spare\n    client: x\n    choices:',
    )
    path = tmp_path / "deadend.yaml"
    path.write_text(text)
    result = cli("lint", "--json", str(path))
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["vignettes"][0]["findings"]
    dead = [f for f in findings if f["code"] == "dead-end"]
    assert (
        dead
        and dead[0]["severity"] == "error"
        and dead[0]["line"] == text.splitlines().index("  - id: settled") + 1
    )


def test_lint_exit_2_beats_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("[")
    result = cli("lint", str(bad), str(MINI))
    assert result.exit_code == 2
    assert "[mini]" in result.stdout


def test_lint_prints_unreadable_files_above_the_summary_that_points_to_them(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("[")
    # unbuffered, as on a terminal: the merged output shows the order of the writes
    proc = subprocess.run(
        [sys.executable, "-u", "-m", "simulator", "lint", str(bad), str(MINI)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    out = proc.stdout
    assert proc.returncode == 2
    assert str(bad) in out and "(see above)" in out
    assert out.index(str(bad)) < out.index("(see above)")


def test_schema_is_json_schema_and_accepts_fixtures() -> None:
    import jsonschema

    from simulator.content.yamlsource import read_yaml

    result = cli("schema")
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    for path in (MINI, FIXTURES / "loop.yaml"):
        data, _ = read_yaml(path)
        jsonschema.validate(data, schema)
    assert "complex_reflection" in json.dumps(schema)  # move codes are offered for completion
    bad, _ = read_yaml(MINI)
    bad["beats"][0]["choices"][0]["moves"] = ["persaude"]
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(bad))


def test_map_mermaid_and_dot() -> None:
    mermaid = cli("map", str(MINI), "--format", "mermaid").stdout
    assert mermaid.startswith("flowchart TD")
    assert 'n_ask -->|"2 Pers"| n_flooded' in mermaid
    assert "linkStyle 1 stroke:#e76f51" in mermaid  # pushing edge is red
    assert "n_repaired([" in mermaid and ":::ending" in mermaid
    dot = cli("map", str(MINI), "--format", "dot").stdout
    assert dot.startswith('digraph "mini" {')
    assert '"ask" -> "softer" [label="1 CR", color="#2a9d8f"]' in dot
    assert "doubleoctagon" in dot


def test_map_escapes_quotes(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(
        MINI.read_text().replace('client: "OK. Fine. Go on."', "client: 'He said \"no\" <b>'")
    )
    dot = cli("map", str(path), "--format", "dot").stdout
    assert 'He said \\"no\\"' in dot
    mermaid = cli("map", str(path)).stdout
    assert "#34;no#34;" in mermaid and "<b>" not in mermaid


def test_map_bad_format_is_usage_error() -> None:
    result = cli("map", str(MINI), "--format", "svg")
    assert result.exit_code == 2 and "Invalid value" in result.stderr


def test_bundled_vignettes_are_found_by_id() -> None:
    from simulator.content.library import bundled_files

    files = bundled_files()
    assert files, "vignettes/ ships with the package"
    v = load_vignette(files[0])
    assert cli("map", v.id).exit_code == 0


def test_map_highlights_a_transcript_route(tmp_path: Path) -> None:
    out = tmp_path / "t.json"
    assert cli("autoplay", str(MINI), "--strategy", "worst", "--out", str(out)).exit_code == 0
    mermaid = cli("map", str(MINI), "--route", str(out)).stdout
    assert "class n_ask,n_flooded,n_dropout route" in mermaid
    dot = cli("map", str(MINI), "--format", "dot", "--route", str(out)).stdout
    assert '"flooded" [label="flooded' in dot and "penwidth=3" in dot
    result = cli("map", str(FIXTURES / "loop.yaml"), "--route", str(out))
    assert result.exit_code == 2 and "the transcript is for vignette 'mini'" in result.stderr


def test_every_lazy_command_is_listed() -> None:
    """The course and trust commands load on demand; each module's COMMANDS are all reachable."""
    import simulator.hosts.cli_courses as courses
    import simulator.hosts.cli_trust as trust
    from simulator.hosts.cli import LAZY, main

    for module in (courses, trust):
        for command in module.COMMANDS:
            assert LAZY.get(command.name or "") == module.__name__
            assert cli(command.name or "", "--help").exit_code == 0
    assert set(LAZY) <= set(main.list_commands(None))  # type: ignore[arg-type]


def test_long_running_commands_turn_the_collector_back_on(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`attune` pauses the cyclic collector for a fast start; `serve` runs for days and needs it.
    The web server itself is replaced here only to look at the collector when it would start."""
    import gc
    import socket

    import textual_serve.server

    seen: list[bool] = []
    monkeypatch.setattr(
        textual_serve.server.Server, "serve", lambda self, *a, **k: seen.append(gc.isenabled())
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    gc.disable()
    try:
        cli("serve", "--port", str(port), "--db", f"sqlite:///{tmp_path / 'c.db'}")
    finally:
        gc.enable()
    assert seen == [True]


def test_lint_on_several_cores_reports_as_on_one(tmp_path: Path) -> None:
    """`attune lint` lints files in forked processes, one per core by default: the report is
    the same, file for file and problem for problem, in the same order, as one at a time."""
    for name in ("liam", "ray", "nadia"):
        (tmp_path / f"{name}.yaml").write_text((ROOT / "vignettes" / f"{name}.yaml").read_text())
    (tmp_path / "broken.yaml").write_text("[")
    (tmp_path / "zz-deadend.yaml").write_text(
        MINI.read_text().replace(
            '  - id: settled\n    client: "...Okay. I\'m here."\n    choices:',
            '  - id: settled\n    client: "...Okay. I\'m here."\n  - id: spare\n    client: x\n'
            "    choices:",
        )
    )

    def lint(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "simulator", "lint", "--json", *args, str(tmp_path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )

    one, several = lint("-j", "1"), lint("-j", "3")
    assert several.returncode == one.returncode == 2
    assert several.stdout == one.stdout and several.stderr == one.stderr
    report = json.loads(several.stdout)
    assert [Path(v["path"]).name for v in report["vignettes"]] == [
        "liam.yaml", "nadia.yaml", "ray.yaml", "zz-deadend.yaml",
    ]  # fmt: skip
    assert "broken.yaml" in several.stderr


def test_files_are_linted_in_processes_of_their_own(tmp_path: Path) -> None:
    """Files are linted at the same time, each in a forked worker, and the results come back
    in file order: each piece of work waits at a barrier for another, which only a second
    process running at the same time can pass."""
    code = (
        "import multiprocessing, os\n"
        "from pathlib import Path\n"
        "from simulator.service.lint import _each\n"
        "together = multiprocessing.get_context('fork').Barrier(2)\n"
        "def work(path, cues):\n"
        "    together.wait(timeout=120)\n"
        "    return path.name, os.getpid()\n"
        "files = [Path(str(i)) for i in range(4)]\n"
        "for f in files: f.write_text(str(f))\n"
        "got = _each(work, files, False, 2)\n"
        "print([name for name, _ in got])\n"
        "print(len({pid for _, pid in got} - {os.getpid()}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    names, workers = done.stdout.splitlines()
    assert names == "['0', '1', '2', '3']"
    assert workers == "2"
