"""The one error type the core raises for bad input: a list of problems a person can act on."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple


class Problem(NamedTuple):
    """One thing wrong with an input file, located as precisely as we can."""

    path: str
    """The file, as the user named it."""
    message: str
    """What is wrong, in plain words."""
    line: int | None = None
    """1-based line, when known."""
    column: int | None = None
    """1-based column, when known."""
    field: str | None = None
    """The field, as a dotted path such as `beats[3].choices[1].to`."""
    hint: str | None = None
    """How to fix it."""

    def render(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        head = f"{where}: "
        if self.field:
            head += f"{self.field}: "
        text = head + self.message
        if self.hint:
            text += f"\n    fix: {self.hint}"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
        }


class AttuneError(Exception):
    """Bad input: a file, a flag, a transcript or a database URL. Carries every problem found."""

    exit_code = 2

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(p.render() for p in self.problems))

    @classmethod
    def single(cls, path: str, message: str, **kw: object) -> AttuneError:
        return cls([Problem(path, message, **kw)])  # type: ignore[arg-type]


def nearest(word: str, options: Iterable[str]) -> str | None:
    """The closest valid spelling of `word`, for a 'did you mean' hint."""
    import difflib  # only needed when something is misspelt

    matches = difflib.get_close_matches(word, list(options), n=1, cutoff=0.5)
    return matches[0] if matches else None


def did_you_mean(word: str, options: Iterable[str], what: str) -> str:
    opts = sorted(set(options))
    guess = nearest(word, opts)
    if guess:
        return f"did you mean '{guess}'?"
    shown = ", ".join(opts[:12]) + (", ..." if len(opts) > 12 else "")
    return f"use one of the known {what}: {shown}"
