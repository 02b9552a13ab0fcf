"""Draw a vignette's graph as Mermaid (renders on GitHub) or Graphviz DOT.

Choices are labelled by number and move code and coloured by valence; endings are marked.
An optional route (the beats and ending a transcript passed through) is highlighted, and an
optional heat overlay (cohort hot spots: beat -> (share of choices that pushed or left a rupture
unrepaired, label)) shades each beat from white to red.
"""

from __future__ import annotations

import re

from simulator.content.codebook import codebook
from simulator.content.model import Vignette

COLOURS = {"A": "#2a9d8f", "N": "#8d99ae", "P": "#e76f51", "W": "#e9c46a"}
LEGEND = "green attuned · grey neutral · red pushing · amber therapist withdrawal"
_MOVE_ABBR = {
    "complex_reflection": "CR",
    "simple_reflection": "SR",
    "question": "Q",
    "seeking_collaboration": "Seek",
    "emphasizing_autonomy": "Auton",
    "giving_information": "GI",
    "advise_with_permission": "PwP",
    "persuade": "Pers",
    "confront": "Conf",
}


def _abbr(code: str) -> str:
    return _MOVE_ABBR.get(code, code.replace("_", " "))


def _short(text: str, n: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _mermaid_text(text: str) -> str:
    return re.sub(r'["<>#`]', lambda m: f"#{ord(m.group(0))};", text)


def _mermaid_id(ident: str) -> str:
    return "n_" + re.sub(r"[^A-Za-z0-9_]", "_", ident)


Heat = dict[str, tuple[float, str]]


def heat_colour(x: float) -> str:
    """White (0) to a strong red (1)."""
    x = min(1.0, max(0.0, x))
    g = round(255 - (255 - 80) * x)
    return f"#ff{g:02x}{g:02x}"


def to_mermaid(v: Vignette, route: list[str] | None = None, heat: Heat | None = None) -> str:
    cb = codebook()
    out = ["flowchart TD", f"  %% {v.title} — {LEGEND}"]
    heat = heat or {}
    for b in v.beats:
        extra = f" ({heat[b.id][1]})" if b.id in heat else ""
        label = _mermaid_text(f"{b.id}: {_short(b.client)}{extra}")
        out.append(f'  {_mermaid_id(b.id)}["{label}"]')
        if b.id in heat:
            out.append(f"  style {_mermaid_id(b.id)} fill:{heat_colour(heat[b.id][0])}")
    for e in v.endings:
        label = _mermaid_text(f"END {e.kind}: {_short(e.title)}")
        out.append(f'  {_mermaid_id(e.id)}(["{label}"]):::ending')
    styles = []
    edge = 0
    for b in v.beats:
        for i, c in enumerate(b.choices, 1):
            valence = cb.combined_valence(c.moves) if c.moves else "N"
            label = _mermaid_text(f"{i} " + "+".join(_abbr(m) for m in c.moves) or str(i))
            for target in c.targets():
                out.append(f'  {_mermaid_id(b.id)} -->|"{label}"| {_mermaid_id(target)}')
                styles.append(f"  linkStyle {edge} stroke:{COLOURS[valence]},stroke-width:2px")
                edge += 1
    out.extend(styles)
    out.append("  classDef ending fill:#264653,color:#ffffff,stroke:#264653")
    if route:
        out.append("  classDef route stroke:#1d3557,stroke-width:4px")
        out.append("  class " + ",".join(_mermaid_id(n) for n in dict.fromkeys(route)) + " route")
    return "\n".join(out) + "\n"


def _dot(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def to_dot(v: Vignette, route: list[str] | None = None, heat: Heat | None = None) -> str:
    cb = codebook()
    on_route = set(route or [])
    heat = heat or {}
    out = [
        f"digraph {_dot(v.id)} {{",
        f"  label={_dot(v.title + ' — ' + LEGEND)}; labelloc=t;",
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for b in v.beats:
        extra = chr(10) + heat[b.id][1] if b.id in heat else ""
        attrs = [f"label={_dot(b.id + chr(10) + _short(b.client) + extra)}"]
        if b.id in heat:
            attrs.append(f'fillcolor="{heat_colour(heat[b.id][0])}"')
        if b.id in on_route:
            attrs.append("penwidth=3")
        out.append(f"  {_dot(b.id)} [{', '.join(attrs)}];")
    for e in v.endings:
        pen = ", penwidth=3" if e.id in on_route else ""
        label = _dot(f"END: {e.kind}\n{_short(e.title)}")
        out.append(
            f'  {_dot(e.id)} [shape=doubleoctagon, fillcolor="#264653", fontcolor="#ffffff", label={label}{pen}];'
        )
    for b in v.beats:
        for i, c in enumerate(b.choices, 1):
            valence = cb.combined_valence(c.moves) if c.moves else "N"
            label = _dot(f"{i} " + "+".join(_abbr(m) for m in c.moves))
            for target in c.targets():
                out.append(
                    f'  {_dot(b.id)} -> {_dot(target)} [label={label}, color="{COLOURS[valence]}"];'
                )
    out.append("}")
    return "\n".join(out) + "\n"
