"""Load a vignette file into a validated `Vignette`, or report every problem in it.

Each problem names the file, line, column and field, says what is wrong, and suggests a fix
(for a misspelt id or code, the nearest valid one).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simulator.content.model import Vignette
from simulator.content.yamlsource import MAX_BYTES, Loc, Marks, field_path, read_yaml
from simulator.errors import AttuneError, Problem, did_you_mean

VIGNETTE_SUFFIXES = (".yaml", ".yml")


def load_vignette(
    path: Path | str, *, label: str | None = None, max_bytes: int = MAX_BYTES
) -> Vignette:
    """Read, parse and validate one vignette file. Raises `AttuneError` with all its problems."""
    return load_with_lines(path, label=label, max_bytes=max_bytes)[0]


def load_with_lines(
    path: Path | str, *, label: str | None = None, max_bytes: int = MAX_BYTES
) -> tuple[Vignette, dict[str, int]]:
    """As `load_vignette`, with the line on which each beat and ending starts."""
    name = label or str(path)
    data, marks = read_yaml(path, label=name, max_bytes=max_bytes)
    vignette = validate_vignette(data, marks, name)
    lines: dict[str, int] = {}
    for section, ids in (
        ("beats", [b.id for b in vignette.beats]),
        ("endings", [e.id for e in vignette.endings]),
    ):
        for i, ident in enumerate(ids):
            line = marks.locate((section, i, "id"))[0]
            if line is not None:
                lines[ident] = line
    return vignette, lines


def validate_vignette(data: Any, marks: Marks, name: str) -> Vignette:
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({type(data).__name__})"
        raise AttuneError.single(
            name,
            f"the top level is {kind}; a vignette is a mapping of fields (id:, title:, beats:, ...)",
            line=1,
            column=1,
            hint="start the file with `id: my-vignette` and see `attune schema` for all fields",
        )
    problems = list(_cross_references(data, marks, name))
    try:
        vignette = Vignette.model_validate(data)
    except ValidationError as exc:
        problems.extend(_from_pydantic(exc, marks, name))
    else:
        if not problems:
            return vignette
    problems.sort(key=lambda p: (p.line or 0, p.column or 0))
    raise AttuneError(_dedupe(problems))


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[object, ...]] = set()
    out = []
    for p in problems:
        key = (p.line, p.column, p.field, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _problem(
    name: str, marks: Marks, loc: Loc, message: str, hint: str | None, key: bool = False
) -> Problem:
    line, col = marks.locate(loc, key=key)
    return Problem(name, message, line=line, column=col, field=field_path(loc) or None, hint=hint)


def _cross_references(data: dict[str, Any], marks: Marks, name: str) -> Iterator[Problem]:
    """Ids must be unique across beats and endings, and every reference must resolve."""
    first: dict[str, Loc] = {}
    folded: dict[str, str] = {}
    for section in ("beats", "endings"):
        items = data.get(section)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            ident = item.get("id") if isinstance(item, dict) else None
            if not isinstance(ident, str):
                continue
            loc: Loc = (section, i, "id")
            if ident in first:
                other = first[ident]
                line = marks.locate(other)[0]
                yield _problem(
                    name,
                    marks,
                    loc,
                    f"duplicate id '{ident}' (also used at line {line}, {field_path(other[:2])})",
                    "give each beat and ending its own id",
                )
            elif ident.casefold() in folded:
                twin = folded[ident.casefold()]
                line = marks.locate(first[twin])[0]
                yield _problem(
                    name,
                    marks,
                    loc,
                    f"id '{ident}' differs from '{twin}' (line {line}) only by case",
                    "ids name files, map nodes and database rows, where case may not count: "
                    "rename one",
                )
                first[ident] = loc
            else:
                first[ident] = loc
                folded[ident.casefold()] = ident
    known = set(first)
    if not known:
        return
    start = data.get("start")
    if isinstance(start, str) and start not in first:
        yield _problem(
            name,
            marks,
            ("start",),
            f"the start beat '{start}' does not exist",
            did_you_mean(start, known, "ids"),
        )
    beats = data.get("beats")
    if not isinstance(beats, list):
        return
    for i, beat in enumerate(beats):
        choices = beat.get("choices") if isinstance(beat, dict) else None
        if not isinstance(choices, list):
            continue
        for j, choice in enumerate(choices):
            if not isinstance(choice, dict):
                continue
            to = choice.get("to")
            refs: list[tuple[Loc, Any]] = []
            if isinstance(to, str):
                refs.append((("beats", i, "choices", j, "to"), to))
            elif isinstance(to, list):
                for k, branch in enumerate(to):
                    if isinstance(branch, dict) and isinstance(branch.get("go"), str):
                        refs.append((("beats", i, "choices", j, "to", k, "go"), branch["go"]))
            for loc, target in refs:
                if target not in known:
                    yield _problem(
                        name,
                        marks,
                        loc,
                        f"leads to '{target}', which is not a beat or ending",
                        did_you_mean(target, known, "beat and ending ids"),
                    )


_ROUTE_TAGS = ("target", "branches")


def _clean_loc(raw: tuple[str | int, ...], kind: str) -> tuple[Loc, bool]:
    """Drop pydantic's bookkeeping segments: '[key]' and the route's union tags.

    '[key]' marks an error in a mapping's key, except that a field may really be called that.
    """
    is_key = bool(raw) and raw[-1] == "[key]" and kind != "extra_forbidden"
    out: list[str | int] = []
    for i, part in enumerate(raw):
        if (is_key and i == len(raw) - 1) or (part in _ROUTE_TAGS and i > 0 and raw[i - 1] == "to"):
            continue
        out.append(part)
    return tuple(out), is_key


def problems_from_validation(
    exc: ValidationError, marks: Marks, name: str, root: Any = None
) -> list[Problem]:
    """Located problems for a pydantic error on data read with `read_yaml` (or JSON)."""
    return _dedupe(list(_from_pydantic(exc, marks, name, root)))


def _from_pydantic(
    exc: ValidationError, marks: Marks, name: str, root: Any = None
) -> Iterator[Problem]:
    for err in exc.errors(include_url=False):
        loc, is_key = _clean_loc(tuple(err["loc"]), err["type"])
        ctx = err.get("ctx") or {}
        hint = ctx.get("hint") or None
        kind = err["type"]
        msg = err["msg"]
        if kind == "missing":
            field = loc[-1] if loc else "?"
            yield _problem(
                name,
                marks,
                loc,
                f"the required field '{field}' is missing",
                f"add `{field}:` here (see `attune schema` or docs/authoring.md)",
                key=True,
            )
            continue
        if kind == "extra_forbidden":
            field = str(loc[-1])
            yield _problem(
                name,
                marks,
                loc,
                f"unknown field '{field}'",
                _field_hint(field, loc, root),
                key=True,
            )
            continue
        if kind in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
            hint = (
                hint
                or "use a value within the range given in simulator/content/codebook.yaml or docs/authoring.md"
            )
            msg = f"{msg} (got {err.get('input')!r})"
        elif kind == "literal_error":
            hint = hint or f"use {ctx.get('expected', 'one of the listed values')}"
        elif kind == "string_pattern_mismatch":
            msg = f"'{err.get('input')}' is not a valid id"
            hint = "ids use letters, digits, '-', '_' and '.', and start with a letter or digit"
        elif kind in ("int_type", "int_parsing", "int_from_float"):
            hint = hint or "write a whole number, e.g. 3"
        elif kind in (
            "string_type",
            "list_type",
            "dict_type",
            "model_type",
            "model_attributes_type",
        ):
            got = err.get("input")
            msg = f"{msg} (got {type(got).__name__})"
            if kind == "string_type" and isinstance(got, dict) and len(got) == 1:
                key = next(iter(got))
                msg = f"this text was read as a field '{key}', because it contains ': '"
                hint = f'put the whole text in double quotes, e.g. "{key}: {str(got[key])[:30]}..."'
            hint = hint or "see `attune schema` or docs/authoring.md for this field's shape"
        yield _problem(name, marks, loc, msg, hint, key=is_key)


def _field_hint(field: str, loc: Loc, root: Any = None) -> str:
    allowed = _allowed_fields(loc[:-1], root)
    if allowed:
        return f"remove it, or {did_you_mean(field, allowed, 'fields')}"
    return "remove it"


def _allowed_fields(parent: Loc, root: Any = None) -> list[str]:
    from simulator.content import model

    cls: Any = root or model.Vignette
    for part in parent:
        if isinstance(part, int):
            continue
        field = cls.model_fields.get(part) if hasattr(cls, "model_fields") else None
        if field is None:
            return []
        cls = _model_of(field.annotation)
        if cls is None:
            return []
    return [f.alias or n for n, f in cls.model_fields.items()]


def _model_of(annotation: Any) -> Any:
    from typing import get_args

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def find_vignette_files(paths: list[Path]) -> list[Path]:
    """Expand folders into the vignette files below them, in a stable order."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                sorted(p for p in path.rglob("*") if p.suffix in VIGNETTE_SUFFIXES and p.is_file())
            )
        else:
            out.append(path)
    return out
