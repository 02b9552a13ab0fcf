"""Read a YAML file safely, keeping the line and column of every value.

Only plain data comes out: mappings with text keys, lists, text, numbers, booleans and null.
Tags that construct objects, anchors and aliases, duplicate keys, tabs in indentation,
non-UTF-8 bytes and oversized files are refused with a located `Problem`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from simulator.errors import AttuneError, Problem

try:  # libyaml is much faster; both give the same nodes and marks.
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

MAX_BYTES = 2 * 1024 * 1024
"""Largest file we read. A long vignette is well under 200 KB."""
MAX_NODES = 200_000
MAX_DEPTH = 64

Loc = tuple[str | int, ...]

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null")}
_TIMESTAMP = _CORE + "timestamp"


class Marks:
    """Where each value (and each mapping key) stands in the file, 1-based."""

    __slots__ = ("keys", "values")

    def __init__(self) -> None:
        self.values: dict[Loc, tuple[int, int]] = {}
        self.keys: dict[Loc, tuple[int, int]] = {}

    def locate(self, loc: Loc, *, key: bool = False) -> tuple[int | None, int | None]:
        """The position of `loc`, or of its nearest ancestor that exists in the file."""
        probe = tuple(loc)
        while True:
            table = self.keys if key and probe in self.keys else self.values
            if probe in table:
                return table[probe]
            if not probe:
                return (None, None)
            probe = probe[:-1]
            key = True  # a missing child is best shown at its parent's key


def field_path(loc: Loc) -> str:
    """('beats', 3, 'choices', 0, 'to') -> 'beats[3].choices[0].to'"""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


_TAB_INDENT = re.compile(r"^[ ]*\t")


def read_yaml(
    path: Path | str, *, label: str | None = None, max_bytes: int = MAX_BYTES
) -> tuple[Any, Marks]:
    """Parse one YAML document into plain data and its marks, or raise `AttuneError`."""
    path = Path(path)
    name = label or str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise AttuneError.single(
            name, "file not found", hint="check the path and spelling"
        ) from None
    except OSError as exc:
        raise AttuneError.single(name, f"cannot read the file: {exc.strerror}") from None
    if path.is_dir():
        raise AttuneError.single(
            name, "is a folder, not a file", hint="name a .yaml file inside it"
        )
    if size > max_bytes:
        raise AttuneError.single(
            name,
            f"file is {size:,} bytes; the limit is {max_bytes:,}",
            hint="split the vignette into smaller ones, or check that this is the right file",
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise AttuneError.single(name, f"cannot read the file: {exc.strerror}") from None
    return parse_yaml(raw, name)


def parse_yaml(raw: bytes, name: str) -> tuple[Any, Marks]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise AttuneError.single(
            name,
            f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
            line=line,
            column=col,
            hint="save the file as UTF-8 (most editors offer this under 'Save with encoding')",
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise AttuneError.single(
            name, "the file is empty", hint="start from an example in vignettes/ or `attune schema`"
        )
    tabs = [
        Problem(
            name,
            "a tab is used for indentation; YAML allows only spaces",
            line=i,
            column=ln.index("\t") + 1,
            hint="replace the tab with spaces (set your editor to insert spaces)",
        )
        for i, ln in enumerate(text.splitlines(), 1)
        if _TAB_INDENT.match(ln)
    ]
    if tabs:
        raise AttuneError(tabs)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or "this is not valid YAML"
        if exc.context:
            what = f"{exc.context}, {what}"
        hint = (
            "check indentation and quoting near this spot; text containing ': ' or '#' needs quotes"
        )
        if "mapping values are not allowed" in what:
            hint = (
                "this line's text contains ': ', which YAML reads as a new field; "
                'put the whole text in double quotes, e.g. inner: "A test: will you stay?"'
            )
        raise AttuneError.single(
            name,
            f"not valid YAML: {what}",
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            hint=hint,
        ) from None
    except yaml.YAMLError as exc:
        raise AttuneError.single(name, f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    if node is None:
        raise AttuneError.single(
            name, "the file is empty", hint="start from an example in vignettes/"
        )
    walker = _Walker(name, loader)
    data = walker.convert(node, ())
    if walker.aliased:
        walker.problems = [p for p in walker.problems if p.message != _ALIAS] + _alias_problems(
            text, name
        )
    if walker.problems:
        raise AttuneError(walker.problems)
    return data, walker.marks


_ALIAS = "YAML anchors and aliases (&name, *name) are not allowed"


def _alias_problems(text: str, name: str) -> list[Problem]:
    """Locate each alias exactly, from the event stream (the composed nodes share the anchor's mark)."""
    out = []
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            mark = event.start_mark
            out.append(
                Problem(
                    name,
                    f"{_ALIAS}: *{event.anchor}",
                    line=mark.line + 1 if mark else None,
                    column=mark.column + 1 if mark else None,
                    hint="write the value out in full where it is needed",
                )
            )
            if len(out) >= 5:
                break
    return out


class _Walker:
    def __init__(self, name: str, loader: Any) -> None:
        self.name = name
        self.loader = loader
        self.marks = Marks()
        self.problems: list[Problem] = []
        self.seen: set[int] = set()
        self.count = 0
        self.aliased = False

    def _problem(self, node: Any, loc: Loc, message: str, hint: str) -> None:
        self.problems.append(
            Problem(
                self.name,
                message,
                line=node.start_mark.line + 1,
                column=node.start_mark.column + 1,
                field=field_path(loc) or None,
                hint=hint,
            )
        )

    def convert(self, node: Any, loc: Loc) -> Any:
        self.count += 1
        if self.count > MAX_NODES or len(loc) > MAX_DEPTH:
            if self.count == MAX_NODES + 1 or len(loc) == MAX_DEPTH + 1:
                self._problem(
                    node, loc, "the document is too large or too deeply nested", "simplify it"
                )
            return None
        if id(node) in self.seen:
            self.aliased = True
            return None
        self.seen.add(id(node))
        self.marks.values[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            if node.tag != _CORE + "map":
                return self._bad_tag(node, loc)
            out: dict[str, Any] = {}
            first: dict[str, Any] = {}
            for knode, vnode in node.value:
                if not isinstance(knode, yaml.ScalarNode) or knode.tag not in _SCALAR_TAGS:
                    if knode.tag == _CORE + "merge":
                        self._problem(
                            knode, loc, "YAML merge keys (<<) are not allowed", "write the keys out"
                        )
                    else:
                        self._problem(
                            knode, loc, "a key must be plain text", "write the key as a word"
                        )
                    continue
                key = str(knode.value)
                if key in first:
                    prev = first[key]
                    self._problem(
                        knode,
                        (*loc, key),
                        f"duplicate key '{key}' (first at line {prev.start_mark.line + 1})",
                        "remove one of them or rename it; YAML would silently keep only the last",
                    )
                    continue
                first[key] = knode
                self.marks.keys[(*loc, key)] = (
                    knode.start_mark.line + 1,
                    knode.start_mark.column + 1,
                )
                out[key] = self.convert(vnode, (*loc, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _CORE + "seq":
                return self._bad_tag(node, loc)
            return [self.convert(item, (*loc, i)) for i, item in enumerate(node.value)]
        if node.tag == _TIMESTAMP:
            return str(node.value)
        if node.tag not in _SCALAR_TAGS:
            return self._bad_tag(node, loc)
        try:
            return self.loader.construct_object(node)
        except (
            yaml.YAMLError,
            ValueError,
            KeyError,
            TypeError,
            IndexError,  # PyYAML indexes an empty scalar: `!!int` alone
            OverflowError,
        ):  # a tag that does not fit: `!!int five`
            tag = "!!" + str(node.tag)[len(_CORE) :]
            kind = {"!!int": "a whole number", "!!float": "a number", "!!bool": "true or false"}
            self._problem(
                node,
                loc,
                f"'{node.value}' is tagged {tag} but is not {kind.get(tag, 'of that type')}",
                "remove the tag and write the value plainly, e.g. minutes: 5",
            )
            return None

    def _bad_tag(self, node: Any, loc: Loc) -> None:
        tag = str(node.tag)
        shown = "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag
        self._problem(
            node,
            loc,
            f"the YAML tag '{shown}' is not allowed; vignettes hold only text, numbers, lists and mappings",
            "remove the tag",
        )
        return None
