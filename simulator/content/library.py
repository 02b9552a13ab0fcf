"""Finding vignettes: the ones shipped with attunement (`vignettes/`, installed as the package
`simulator.bundled`), a name on the command line, and the vignette a transcript was played on."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from simulator.errors import AttuneError

if TYPE_CHECKING:
    from simulator.content.model import Vignette
    from simulator.errors import Problem


def bundled_dir() -> Path:
    try:
        return Path(str(resources.files("simulator.bundled")))
    except (
        ModuleNotFoundError
    ):  # an editable install runs from the checkout, where they sit at the top
        return Path(__file__).resolve().parents[2] / "vignettes"


def bundled_files() -> list[Path]:
    return sorted(p for p in bundled_dir().iterdir() if p.suffix in (".yaml", ".yml"))


def bundled_path(ident: str) -> Path | None:
    for path in bundled_files():
        if path.stem == ident:
            return path
    return None


DIFFICULTY_ORDER = {"introductory": 0, "intermediate": 1, "advanced": 2}


def load_library(
    paths: list[Path] | None = None,
) -> tuple[list[tuple[Path, Vignette]], list[Problem]]:
    """Every loadable vignette, and the problems of those that are not (never raises for one file)."""
    from simulator.content.loader import load_vignette

    found: list[tuple[Path, Vignette]] = []
    problems: list[Problem] = []
    for path in paths if paths is not None else bundled_files():
        try:
            found.append((path, load_vignette(path)))
        except AttuneError as exc:
            problems.extend(exc.problems)
    # gentlest first, so a newcomer meets the introductory vignette at the top of the list
    found.sort(key=lambda pv: (DIFFICULTY_ORDER.get(pv[1].difficulty, 1), pv[1].title))
    return found, problems


def is_shipped(path: Path) -> bool:
    """Whether `path` is one of the vignettes shipped with attunement (found again by id later)."""
    return path.resolve().parent == bundled_dir().resolve()


def resolve_vignette(name: Path) -> Path:
    """A path, or the id of a shipped vignette."""
    if name.exists() or name.suffix:
        return name
    found = bundled_path(str(name))
    return found if found else name


class Found(NamedTuple):
    """A transcript's vignette: where it was found, and whether the file has changed since the
    transcript recorded its sha256 (then it is scored against the current file)."""

    path: Path
    vignette: Vignette
    changed: bool


def find_vignette(
    vignette_id: str,
    recorded_path: str | None,
    recorded_sha256: str | None,
    where: str,
    named: Path | None = None,
    also: tuple[Path, ...] = (),
) -> Found:
    """The one lookup of the vignette a transcript was played on.

    A file the user `named` must be that vignette. Otherwise the path recorded when it was played
    and the shipped vignette of that id are tried, and a file whose sha256 matches the recorded
    one is preferred to one that has changed since.
    """
    from simulator.content.loader import load_vignette
    from simulator.files import file_sha256

    if named is not None:
        path = resolve_vignette(named)
        if not path.is_file():
            raise AttuneError.single(str(path), "file not found", hint="check the path")
        v = load_vignette(path)
        if v.id != vignette_id:
            raise AttuneError.single(
                where,
                f"the transcript is for vignette '{vignette_id}', but {path} is '{v.id}'",
                field="vignette_id",
                hint="name the right file with --vignette",
            )
        return Found(path, v, bool(recorded_sha256) and recorded_sha256 != file_sha256(path))
    candidates = [Path(recorded_path)] if recorded_path else []
    shipped = bundled_path(vignette_id)
    if shipped:
        candidates.append(shipped)
    candidates.extend(also)  # e.g. this machine's copy of a course vignette (store.vignettes)
    fallback: Found | None = None
    for path in candidates:
        if not path.is_file():
            continue
        v = load_vignette(path)
        if v.id != vignette_id:
            continue
        changed = bool(recorded_sha256) and recorded_sha256 != file_sha256(path)
        if not changed:
            return Found(path, v, False)
        fallback = fallback or Found(path, v, True)
    if fallback is not None:
        return fallback
    raise AttuneError.single(
        where,
        f"cannot find vignette '{vignette_id}' for this transcript",
        field="vignette_id",
        hint="put the vignette file back where it was played from, or name it with --vignette PATH",
    )
