"""Vignettes in Twine: Twee 3 text and Twine 2's published or archived HTML, both ways.

The Twine form of a vignette (docs/authoring.md, "Drawing in Twine"):

    :: StoryTitle                      the vignette's title
    :: StoryData                       {"ifid", "format", "start", ...} as the Twee 3 spec has it
    :: About this vignette [attunement]
    id: sophie                         every other field of the vignette, as YAML
    :: open [beat asks_for_advice] {"position":"100,100"}
    I didn't do the worksheet.         the client's words: the first paragraph
                                       a blank line, then the beat's other fields, as YAML
    nonverbal: She says it quickly.
    [[Part of you expected me to be disappointed.->expecting]]
        moves: [complex_reflection]    each choice is a link on its own line; its words are
        effect: {shame: -1}            the label, its target the passage; its fields follow,
                                       indented, as YAML (`if`, `elif`, `else` for branches)
    :: dropout [ending dropout]        an ending: its kind as a tag, its fields as YAML

Passage tags carry what the story format need not show: `beat` or `ending`, the beat's client
markers and the ending's kind. Story formats show the YAML lines as plain text.

The Twee frame (headers, tags, metadata, links) follows the Twee 3 specification and is read
line by line here: its structure is a few fixed line shapes, and the one Python package for it
(pytwee) keeps no line numbers and ignores the spec's escapes. Everything structured inside it
goes through a kept parser: JSON through `json`, the fields through PyYAML (with every value's
line), Twine's HTML through the standard library's `html.parser`. The result is validated as any
vignette file is, so every problem names the Twee line (or, in an archive, the passage).
"""

from __future__ import annotations

import json
import re
import uuid
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import yaml

from simulator.content.model import Vignette
from simulator.content.yamlsource import Loc, Marks, parse_yaml
from simulator.errors import AttuneError, Problem

HEADER_PASSAGE = "About this vignette"
HEADER_TAG = "attunement"
STORY_FORMAT = ("Harlowe", "3.3.9")
"""The story format named in StoryData: Twine's default, which shows the field lines as text."""
GRID = (200, 150)
"""Map spacing of the generated layout: columns by distance from the start, rows within."""
_NAMESPACE = uuid.UUID("5b0e3c8a-5f5e-4a36-9a51-0f9d3e4c2b17")
_LINK = re.compile(r"^\[\[(.+)\]\]\s*$")
_BRANCH_KEYS = ("if", "elif", "else")
_REQUIRED = ("client", "setting", "attachment", "minutes", "objectives", "window", "state")


# ------------------------------------------------------------------ writing


class _Dumper(yaml.SafeDumper):
    """Block style, with short lists and maps of plain values on one line (`moves: [a, b]`)."""

    def represent(self, data: Any) -> None:
        self._root = data
        super().represent(data)


def _short(data: list[Any] | dict[str, Any]) -> bool:
    items = data.values() if isinstance(data, dict) else data
    plain = all(isinstance(x, (str, int, float, bool)) or x is None for x in items)
    return plain and len(repr(data)) <= 72


def _represent_list(dumper: _Dumper, data: list[Any]) -> Any:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=_short(data))


def _represent_dict(dumper: _Dumper, data: dict[str, Any]) -> Any:
    flow = data is not dumper._root and _short(data)
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(dict, _represent_dict)


def dump_yaml(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def _yaml(data: dict[str, Any], indent: str = "") -> list[str]:
    return [indent + line for line in dump_yaml(data).splitlines()]


def _escape(name: str) -> str:
    """A passage name or tag as the Twee 3 header needs it (backslash before []{} and \\)."""
    return re.sub(r"([\\\[\]{}])", r"\\\1", name)


def _layout(v: Vignette) -> dict[str, str]:
    """Columns by distance from the start (breadth first), rows in file order within a column."""
    depth = {v.start: 0}
    queue = deque([v.start])
    while queue:
        node = queue.popleft()
        beat = v.beat_map.get(node)
        for target in [t for c in beat.choices for t in c.targets()] if beat else []:
            if target not in depth:
                depth[target] = depth[node] + 1
                queue.append(target)
    last = max(depth.values(), default=0) + 1
    rows: dict[int, int] = {}
    out = {}
    for ident in [b.id for b in v.beats] + [e.id for e in v.endings]:
        col = depth.get(ident, last)
        row = rows[col] = rows.get(col, -1) + 1
        out[ident] = f"{100 + col * GRID[0]},{100 + row * GRID[1]}"
    return out


def _header(name: str, tags: list[str], position: str | None) -> str:
    line = ":: " + _escape(name)
    if tags:
        line += " [" + " ".join(_escape(t) for t in tags) + "]"
    if position:
        line += " " + json.dumps({"position": position, "size": "100,100"}, separators=(",", ":"))
    return line


def _safe_label(text: str) -> bool:
    return "\n" not in text and "]]" not in text and "[[" not in text and text.strip() == text


def to_twee(v: Vignette) -> str:
    """The vignette as Twee 3, for Twine (and back with `read_twee`)."""
    ifid = v.twine.ifid if v.twine else str(uuid.uuid5(_NAMESPACE, v.id)).upper()
    positions = {**_layout(v), **(v.twine.positions if v.twine else {})}
    out = [":: StoryTitle", v.title, ""]
    story_data = {
        "ifid": ifid,
        "format": STORY_FORMAT[0],
        "format-version": STORY_FORMAT[1],
        "start": v.start,
        "zoom": 1,
    }
    out += [":: StoryData", json.dumps(story_data, indent=2), ""]
    head = v.model_dump(
        mode="json",
        by_alias=True,
        exclude_none=True,
        exclude={"title", "start", "beats", "endings", "twine"},
    )
    out += [_header(HEADER_PASSAGE, [HEADER_TAG], None), *_yaml(head), ""]
    for beat in v.beats:
        out.append(_header(beat.id, ["beat", *beat.markers], positions.get(beat.id)))
        fields = beat.model_dump(
            mode="json", exclude_none=True, exclude={"id", "client", "markers", "choices"}
        )
        client_inline = "\n\n" not in beat.client and not beat.client.startswith(("::", "[["))
        if client_inline:
            out.append(beat.client)
        else:
            fields = {"client": beat.client, **fields}
        if fields:
            out += ["", *_yaml(fields)]
        if beat.choices:
            out.append("")
        for choice in beat.choices:
            props = choice.model_dump(
                mode="json", exclude_none=True, exclude_defaults=True, exclude={"say", "to"}
            )
            label = choice.say if _safe_label(choice.say) else None
            if label is None:
                props = {"say": choice.say, **props}
            branches = (
                [(None, choice.to)]
                if isinstance(choice.to, str)
                else [(b.if_, b.go) for b in choice.to]
            )
            for n, (condition, target) in enumerate(branches):
                link = f"[[{label}->{target}]]" if label is not None else f"[[{target}]]"
                out.append(link)
                extra: dict[str, Any] = dict(props) if n == 0 else {}
                if not isinstance(choice.to, str):
                    if n == 0:
                        extra["if"] = condition  # null on a lone fallback branch
                    elif condition is None:
                        extra["else"] = True
                    else:
                        extra["elif"] = condition
                if extra:
                    out += _yaml(extra, "    ")
        out.append("")
    for ending in v.endings:
        out.append(_header(ending.id, ["ending", ending.kind], positions.get(ending.id)))
        out += _yaml(ending.model_dump(mode="json", exclude_none=True, exclude={"id", "kind"}))
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


# ------------------------------------------------------------------ reading


@dataclass
class Passage:
    name: str
    tags: list[str]
    meta: dict[str, Any]
    lines: list[str]
    line: int | None
    """The header's line in a Twee file (None in an archive: the passage name says where)."""


@dataclass
class Draft:
    """What a Twine story says, as vignette data, with where each value came from."""

    data: dict[str, Any]
    marks: Marks
    warnings: list[Problem] = field(default_factory=list)
    where: dict[Loc, str] = field(default_factory=dict)
    """The passage each beat and ending came from, for messages about an archive."""


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _split_header(rest: str) -> tuple[str, list[str], str | None]:
    """Name, tags and the metadata text of a header (after `::`), honouring backslash escapes."""
    name, i = [], 0
    while i < len(rest) and rest[i] not in "[{":
        if rest[i] == "\\" and i + 1 < len(rest):
            name.append(rest[i : i + 2])
            i += 2
            continue
        name.append(rest[i])
        i += 1
    tail = rest[i:]
    tags: list[str] = []
    if tail.startswith("["):
        close = re.search(r"(?<!\\)\]", tail)
        if close is None:
            raise ValueError("the tag block has no closing ']'")
        tags = [_unescape(t) for t in tail[1 : close.start()].split()]
        tail = tail[close.end() :].lstrip()
    meta = tail.strip() or None
    return _unescape("".join(name).strip()), tags, meta


def split_twee(text: str, name: str) -> list[Passage]:
    passages: list[Passage] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.startswith("::"):
            if passages:
                passages[-1].lines.append(raw)
            elif raw.strip():
                problems.append(
                    Problem(
                        name,
                        "text before the first passage",
                        line=number,
                        hint="start the file with a passage header, e.g. `:: StoryTitle`",
                    )
                )
            continue
        try:
            pname, tags, meta_text = _split_header(raw[2:])
        except ValueError as exc:
            problems.append(Problem(name, str(exc), line=number, hint="close it: [tag1 tag2]"))
            continue
        meta: dict[str, Any] = {}
        if meta_text:
            try:
                meta = json.loads(meta_text)
            except json.JSONDecodeError as exc:
                problems.append(
                    Problem(
                        name,
                        f"the passage's metadata is not valid JSON ({exc.msg})",
                        line=number,
                        column=raw.find(meta_text) + 1 + exc.pos,
                        hint='write it as {"position":"100,100","size":"100,100"}',
                    )
                )
                continue
        if not pname:
            problems.append(Problem(name, "a passage has no name", line=number, hint=":: name"))
            continue
        if pname in seen:
            problems.append(
                Problem(
                    name,
                    f"there are two passages named '{pname}' (the first on line {seen[pname]})",
                    line=number,
                    hint="rename one of them: passage names must be unique",
                )
            )
            continue
        seen[pname] = number
        passages.append(Passage(pname, tags, meta if isinstance(meta, dict) else {}, [], number))
    if problems:
        raise AttuneError(problems)
    return passages


def read_twee(raw: bytes, name: str) -> Draft:
    text = _decode(raw, name)
    return build(split_twee(text, name), name)


def _decode(raw: bytes, name: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        raise AttuneError.single(
            name,
            f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
            line=before.count(b"\n") + 1,
            column=exc.start - (before.rfind(b"\n") + 1) + 1,
            hint="save the file as UTF-8 (Twine's own files always are)",
        ) from None
    return text.removeprefix("\ufeff")


class _Archive(HTMLParser):
    """The `<tw-storydata>` and `<tw-passagedata>` elements of Twine 2's HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stories: list[dict[str, str]] = []
        self.passages: list[tuple[dict[str, str], list[str]]] = []
        self._text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "tw-storydata":
            self.stories.append(values)
        elif tag == "tw-passagedata" and len(self.stories) == 1:
            self._text = []
            self.passages.append((values, self._text))

    def handle_endtag(self, tag: str) -> None:
        if tag == "tw-passagedata":
            self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def read_archive(raw: bytes, name: str) -> Draft:
    """A story from Twine 2's published or archived HTML (the first story in an archive)."""
    parser = _Archive()
    parser.feed(_decode(raw, name))
    parser.close()
    if not parser.stories:
        raise AttuneError.single(
            name,
            "this HTML holds no Twine story (no <tw-storydata> element)",
            hint="in Twine, use Library > Archive, or Build > Publish to File, and convert that file",
        )
    story = parser.stories[0]
    by_pid = {attrs.get("pid"): attrs.get("name", "") for attrs, _ in parser.passages}
    passages = [Passage("StoryTitle", [], {}, [story.get("name", "")], None)]
    data = {"ifid": story.get("ifid", ""), "start": by_pid.get(story.get("startnode"), "")}
    passages.append(Passage("StoryData", [], {}, [json.dumps(data)], None))
    seen = set()
    for attrs, text in parser.passages:
        pname = attrs.get("name", "")
        if pname in seen:
            raise AttuneError.single(
                name,
                f"there are two passages named '{pname}'",
                hint="rename one of them in Twine: passage names must be unique",
            )
        seen.add(pname)
        meta = {"position": attrs["position"]} if attrs.get("position") else {}
        passages.append(
            Passage(pname, attrs.get("tags", "").split(), meta, "".join(text).split("\n"), None)
        )
    return build(passages, name)


# ------------------------------------------------------------------ passages to vignette data


class _Builder:
    def __init__(self, name: str) -> None:
        self.name = name
        self.marks = Marks()
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.where: dict[Loc, str] = {}
        self.ids: dict[str, str] = {}
        """Passage name -> beat or ending id, where a drafted passage's name is not an id."""

    def at(self, p: Passage, offset: int = 0) -> int | None:
        return None if p.line is None else p.line + 1 + offset

    def problem(self, p: Passage, message: str, hint: str, offset: int = 0) -> None:
        where = "" if p.line is not None else f"passage '{p.name}': "
        self.problems.append(
            Problem(self.name, where + message, line=self.at(p, offset), hint=hint)
        )

    def warn(self, p: Passage | None, message: str, hint: str) -> None:
        where = "" if p is None or p.line is not None else f"passage '{p.name}': "
        line = None if p is None else p.line
        self.warnings.append(Problem(self.name, where + message, line=line, hint=hint))

    def fields(self, p: Passage, lines: list[str], offset: int, loc: Loc) -> Any:
        """YAML `lines` (starting `offset` lines into the passage) with marks under `loc`."""
        if not any(ln.strip() for ln in lines):
            return {}
        start = (p.line or 0) + 1 + offset
        text = "\n" * (start - 1) + "\n".join(lines) + "\n"
        label = self.name if p.line is not None else f"{self.name} (passage '{p.name}')"
        try:
            data, marks = parse_yaml(text.encode("utf-8"), label)
        except AttuneError as exc:
            if p.line is None:  # an archive: lines within the passage mean nothing to the author
                exc = AttuneError([q._replace(line=None, column=None) for q in exc.problems])
            self.problems.extend(exc.problems)
            return None
        if p.line is not None:
            for table, own in ((self.marks.values, marks.values), (self.marks.keys, marks.keys)):
                for sub, pos in own.items():
                    table[(*loc, *sub)] = pos
        return data

    def mark(self, loc: Loc, p: Passage, offset: int = -1) -> None:
        line = self.at(p, offset)
        if line is not None:
            self.marks.values[loc] = (line, 1)
            self.marks.keys[loc] = (line, 1)


_BEAT_FIELDS = re.compile(r"^(client|nonverbal|inner|checkin|markers|id|choices)\s*:")


def _looks_like_fields(lines: list[str]) -> bool:
    """Whether a beat's second paragraph is its fields (YAML), not more of a draft's prose."""
    first = next((ln for ln in lines if ln.strip()), "")
    return bool(_BEAT_FIELDS.match(first))


def _links(p: Passage) -> int | None:
    """The index of the passage's first link line, if any."""
    return next((i for i, ln in enumerate(p.lines) if _LINK.match(ln.strip())), None)


def _is_ending(p: Passage) -> bool:
    if "ending" in p.tags:
        return True
    return "beat" not in p.tags and _links(p) is None


def build(passages: list[Passage], name: str) -> Draft:
    b = _Builder(name)
    special = {p.name: p for p in passages if p.name in ("StoryTitle", "StoryData")}
    header = next((p for p in passages if HEADER_TAG in p.tags), None)
    story = [p for p in passages if p.name not in special and p is not header]
    story = [p for p in story if not {"script", "stylesheet"} & set(p.tags)]
    data: dict[str, Any] = {"format": 1}
    if header is not None:
        head = b.fields(header, header.lines, 0, ())
        if isinstance(head, dict):
            data.update(head)
        elif head is not None:
            b.problem(
                header, "this passage should hold the vignette's fields as YAML", "id: my-vignette"
            )
    title_passage = special.get("StoryTitle")
    title = "\n".join(title_passage.lines).strip() if title_passage else ""
    if title:
        data["title"] = title
        b.mark(("title",), title_passage, 0)  # type: ignore[arg-type]
    story_data: dict[str, Any] = {}
    if "StoryData" in special:
        sd = special["StoryData"]
        try:
            story_data = json.loads("\n".join(sd.lines) or "{}")
        except json.JSONDecodeError as exc:
            b.problem(
                sd,
                f"StoryData is not valid JSON ({exc.msg})",
                'e.g. {"ifid": "...", "start": "open"}',
                exc.lineno - 1,
            )
        if not isinstance(story_data, dict):
            b.problem(sd, "StoryData should be a JSON object", '{"ifid": "...", "start": "open"}')
            story_data = {}
    if story_data.get("start"):
        data["start"] = story_data["start"]
        b.mark(("start",), special["StoryData"])
    b.ids = _ids(b, story)
    if "start" in data:
        data["start"] = b.ids.get(data["start"], data["start"])
    beats = [p for p in story if not _is_ending(p)]
    endings = [p for p in story if _is_ending(p)]
    data["beats"] = [_beat(b, p, i) for i, p in enumerate(beats)]
    data["endings"] = [_ending(b, p, i) for i, p in enumerate(endings)]
    positions = {
        b.ids[p.name]: p.meta["position"] for p in story if isinstance(p.meta.get("position"), str)
    }
    ifid = story_data.get("ifid")
    if isinstance(ifid, str) and ifid:
        data["twine"] = {"ifid": ifid, **({"positions": positions} if positions else {})}
    _draft_defaults(b, data, header, beats)
    if b.problems:
        raise AttuneError(b.problems)
    return Draft(data, b.marks, b.warnings, b.where)


_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")


def _ids(b: _Builder, story: list[Passage]) -> dict[str, str]:
    """Each passage's id: its name, or for a drafted passage named in words ("She arrives") a
    slug of it ("she-arrives"), with a warning, and links follow the rename."""
    taken = {p.name for p in story if _ID.match(p.name)}
    ids: dict[str, str] = {}
    for p in story:
        if _ID.match(p.name):
            ids[p.name] = p.name
            continue
        base = re.sub(r"[^A-Za-z0-9_.-]+", "-", p.name).strip("-_.").lower()[:70] or "passage"
        ident, n = base, 1
        while ident in taken:
            n += 1
            ident = f"{base}-{n}"
        taken.add(ident)
        ids[p.name] = ident
        b.warn(
            p,
            f"passage '{p.name}' becomes '{ident}': ids use letters, digits, '-', '_' and '.'",
            "rename the passage in Twine if you prefer another id",
        )
    return ids


def _beat(b: _Builder, p: Passage, i: int) -> dict[str, Any]:
    loc: Loc = ("beats", i)
    b.where[loc] = p.name
    b.mark((*loc, "id"), p)
    b.mark(loc, p)
    beat: dict[str, Any] = {"id": b.ids.get(p.name, p.name)}
    markers = [t for t in p.tags if t != "beat"]
    if markers:
        beat["markers"] = markers
        b.mark((*loc, "markers"), p)
    first_link = _links(p)
    body = p.lines[:first_link] if first_link is not None else p.lines
    blank = next((n for n, ln in enumerate(body) if not ln.strip()), None)
    words = body[:blank] if blank is not None else body
    rest = body[blank + 1 :] if blank is not None else []
    fields: Any = {}
    if _looks_like_fields(rest):
        fields = b.fields(p, rest, (blank or 0) + 1, loc)
    elif any(ln.strip() for ln in rest):  # a drafted passage's prose: all of it is the client's
        words = body
    while words and not words[-1].strip():
        words = words[:-1]
    if words:
        beat["client"] = "\n".join(words)
        b.mark((*loc, "client"), p, 0)
    if fields:
        beat.update(fields)
    if first_link is not None:
        beat["choices"] = _choices(b, p, first_link, loc)
    return beat


def _choices(b: _Builder, p: Passage, start: int, loc: Loc) -> list[dict[str, Any]]:
    choices: list[dict[str, Any]] = []
    n = start
    lines = p.lines
    while n < len(lines):
        line = lines[n]
        match = _LINK.match(line.strip())
        if match is None:
            if line.strip():
                b.problem(
                    p,
                    "after the first response link, each line is a link or an indented field of the one before",
                    "indent the choice's fields (moves:, effect:) by four spaces under its link",
                    n,
                )
            n += 1
            continue
        label, target = _link_parts(match.group(1))
        target = b.ids.get(target, target)
        block_end = n + 1
        while (
            block_end < len(lines)
            and lines[block_end].startswith((" ", "\t"))
            and not _LINK.match(lines[block_end].strip())
        ):
            block_end += 1
        index = len(choices)
        props = b.fields(p, lines[n + 1 : block_end], n + 1, (*loc, "choices", index))
        props = props if isinstance(props, dict) else {}
        branch = next((k for k in _BRANCH_KEYS if k in props), None)
        if branch in ("elif", "else"):
            if not choices or not isinstance(choices[-1]["to"], list):
                b.problem(
                    p,
                    f"'{branch}' with no 'if' before it",
                    "give the first link of the choice an `if:`",
                    n,
                )
            else:
                condition = props.pop(branch)
                choices[-1]["to"].append(
                    {"if": condition, "go": target} if branch == "elif" else {"go": target}
                )
                if props:
                    b.problem(
                        p,
                        f"a branch link carries only '{branch}'",
                        "put moves and effect on the first link of the choice",
                        n,
                    )
            n = block_end
            continue
        choice: dict[str, Any] = {"say": props.pop("say", label)}
        if "if" in props:
            choice["to"] = [{"if": props.pop("if"), "go": target}]
        else:
            choice["to"] = target
        choice.update(props)
        if choice["say"] is None:
            b.problem(
                p,
                f"the link to '{target}' has no words",
                "write it as [[what the therapist says->" + target + "]]",
                n,
            )
        cloc = (*loc, "choices", index)
        b.mark(cloc, p, n)
        for key in ("say", "to"):
            b.mark((*cloc, key), p, n)
        choices.append(choice)
        n = block_end
    return choices


def _link_parts(inner: str) -> tuple[str | None, str]:
    """Label and target of a link's text, as Twine's story formats read it."""
    if "->" in inner:
        label, _, target = inner.rpartition("->")
        return label, target.strip()
    if "<-" in inner:
        target, _, label = inner.partition("<-")
        return label, target.strip()
    if "|" in inner:
        label, _, target = inner.rpartition("|")
        return label, target.strip()
    return None, inner.strip()


def _ending(b: _Builder, p: Passage, i: int) -> dict[str, Any]:
    loc: Loc = ("endings", i)
    b.where[loc] = p.name
    b.mark((*loc, "id"), p)
    b.mark(loc, p)
    ending: dict[str, Any] = {"id": b.ids.get(p.name, p.name)}
    kinds = [t for t in p.tags if t != "ending"]
    if kinds:
        ending["kind"] = kinds[0]
        b.mark((*loc, "kind"), p)
    fields = b.fields(p, p.lines, 0, loc)
    if isinstance(fields, dict):
        ending.update(fields)
    elif fields is not None:  # a drafted ending: its text is the client's last words
        ending["client"] = "\n".join(p.lines).strip()
    if "title" not in ending:
        ending["title"] = p.name
        b.warn(p, f"ending '{p.name}' has no title; its passage name stands in", "add `title: ...`")
    if "kind" not in ending:
        ending["kind"] = "stalled"
        b.warn(
            p,
            f"ending '{p.name}' has no kind; 'stalled' stands in, and it decides how the ending scores",
            "tag the passage with its kind: repaired, partial, compliance, stalled, dropout or crisis",
        )
    return ending


_PLACEHOLDERS: dict[str, Any] = {
    "client": {"name": "TODO", "background": "TODO: a short background, shown at the briefing."},
    "setting": "TODO: where and when",
    "attachment": "secure",
    "minutes": 10,
    "objectives": ["TODO: what the trainee practises here"],
    "window": {"low": 3, "high": 7},
    "state": {"arousal": 5, "alliance": 5, "shame": 3, "openness": 5},
}


def _draft_defaults(
    b: _Builder, data: dict[str, Any], header: Passage | None, beats: list[Passage]
) -> None:
    """A story drafted in Twine, not yet coded: placeholders where a vignette needs a value, each
    listed in a warning, so the draft imports and lints and can be coded later."""
    if header is None:
        b.warn(
            None,
            f"no '{HEADER_PASSAGE}' passage (tagged '{HEADER_TAG}'): the vignette's own fields are placeholders",
            "fill in client, setting, attachment, minutes, objectives, window and state in the YAML",
        )
    if "id" not in data:
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", data.get("title", "")).strip("-").lower()[:80]
        data["id"] = slug or "draft"
    if "title" not in data:
        data["title"] = data["id"]
    missing = [k for k in _REQUIRED if k not in data]
    for key in missing:
        data[key] = _PLACEHOLDERS[key]
    if header is not None and missing:
        b.warn(header, "placeholders stand in for " + ", ".join(missing), "fill them in")
    if "start" not in data and data["beats"]:
        data["start"] = data["beats"][0]["id"]
    uncoded = [
        f"{beat['id']} ({n})"
        for beat in data["beats"]
        for n, c in enumerate(beat.get("choices", []), 1)
        if not c.get("moves")
    ]
    if uncoded:
        shown = ", ".join(uncoded[:8]) + (
            f" and {len(uncoded) - 8} more" if len(uncoded) > 8 else ""
        )
        b.warn(
            None,
            f"{len(uncoded)} choice(s) have no move codes yet: {shown}",
            "add `moves: [...]` under each link (see simulator/content/codebook.yaml); until then they score nothing",
        )
    for p, beat in zip(beats, data["beats"], strict=True):
        if "client" not in beat:
            beat["client"] = "TODO"
            b.warn(
                p,
                f"beat '{p.name}' has no client words",
                "write what the client says as the passage's first line",
            )


def to_vignette(draft: Draft, name: str) -> Vignette:
    """Validate a draft as any vignette file is validated; problems name the Twee line, or in an
    archive the passage."""
    from simulator.content.loader import validate_vignette

    try:
        return validate_vignette(draft.data, draft.marks, name)
    except AttuneError as exc:
        raise AttuneError([_name_passage(p, draft) for p in exc.problems]) from None


def _name_passage(problem: Problem, draft: Draft) -> Problem:
    field_path = problem.field or ""
    match = re.match(r"(beats|endings)\[(\d+)\]", field_path)
    if match is None or problem.line is not None:
        return problem
    passage = draft.where.get((match.group(1), int(match.group(2))))
    return (
        problem._replace(message=f"passage '{passage}': {problem.message}") if passage else problem
    )


def to_yaml(v: Vignette) -> str:
    """The vignette as a YAML file for `attune lint` and git."""
    data = v.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)
    return dump_yaml({"format": 1, **data})
