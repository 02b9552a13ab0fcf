"""The `attune` command line. Headless commands import only the core, lazily, to start fast."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from simulator.errors import AttuneError


def fail(error: AttuneError) -> NoReturn:
    for problem in error.problems:
        click.echo(problem.render(), err=True)
    sys.exit(error.exit_code)


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AttuneError as exc:
            fail(exc)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="attunement", prog_name="attune")
def main() -> None:
    """attunement: practise working with resistance, pacing and rupture repair."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report instead of text.")
def lint(paths: tuple[Path, ...], as_json: bool) -> None:
    """Check vignette files or folders: format, graph structure, scoring.

    Exit 0 when clean, 1 when a vignette has an error finding, 2 when a file cannot be read.
    """
    from simulator.lint import lint_paths, render_text

    report = lint_paths(list(paths))
    if as_json:
        click.echo(json.dumps(report.as_json(), indent=2))
        for problem in report.unreadable:
            click.echo(problem.render(), err=True)
    else:
        click.echo(render_text(report), nl=False)
        for problem in report.unreadable:
            click.echo(problem.render(), err=True)
    sys.exit(report.exit_code)


@main.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
def schema(out: Path | None) -> None:
    """Print the JSON Schema of the vignette format (for editor autocompletion)."""
    from simulator.model import Vignette

    text = json.dumps(vignette_schema(Vignette), indent=2) + "\n"
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def vignette_schema(model: Any) -> dict[str, Any]:
    data: dict[str, Any] = model.model_json_schema(by_alias=True)
    data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    data["$id"] = "https://attunement.invalid/schema/vignette-1.json"
    return data


@main.command("map")
@click.argument("vignette", type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid", show_default=True
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
def map_(vignette: Path, fmt: str, out: Path | None) -> None:
    """Draw a vignette's graph: choices coloured by valence, endings marked."""
    from simulator.loader import load_vignette
    from simulator.mapping import to_dot, to_mermaid

    v = load_vignette(resolve_vignette(vignette))
    text = to_mermaid(v) if fmt == "mermaid" else to_dot(v)
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def resolve_vignette(name: Path) -> Path:
    """A path, or the id of a shipped vignette."""
    if name.exists() or name.suffix:
        return name
    from simulator.library import bundled_path

    found = bundled_path(str(name))
    return found if found else name
