"""The statement rules of the xAPI specification 1.0.3 (Part Two, "Experience API Data"), as checks.

Each check cites the section it comes from. `problems(statement)` returns what is wrong.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]+$")
LANG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
DURATION = re.compile(
    r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$"
)
STATEMENT_KEYS = {"id", "actor", "verb", "object", "result", "context", "timestamp", "stored",
                  "authority", "version", "attachments"}  # fmt: skip
INTERACTION_TYPES = {"true-false", "choice", "fill-in", "long-fill-in", "matching", "performance",
                     "sequencing", "likert", "numeric", "other"}  # fmt: skip


def _lang_map(value: Any, where: str) -> list[str]:
    # 4.1.6 Language Map: keys are RFC 5646 tags, values strings
    if not isinstance(value, dict) or not value:
        return [f"{where}: a language map must be a non-empty object"]
    return [
        f"{where}: bad language map entry {k!r}"
        for k, v in value.items()
        if not LANG.match(k) or not isinstance(v, str)
    ]


def _extensions(value: Any, where: str) -> list[str]:
    # 4.1.9 Extensions: keys MUST be IRIs
    if not isinstance(value, dict):
        return [f"{where}: extensions must be an object"]
    return [f"{where}: extension key {k!r} is not an IRI" for k in value if not IRI.match(k)]


def _agent(a: Any, where: str) -> list[str]:
    # 2.4.2.1 / 2.4.2.3: an Agent has exactly one inverse functional identifier
    if not isinstance(a, dict):
        return [f"{where}: must be an object"]
    out = []
    if a.get("objectType", "Agent") != "Agent":
        out.append(f"{where}: objectType must be Agent")
    ifis = [k for k in ("mbox", "mbox_sha1sum", "openid", "account") if k in a]
    if len(ifis) != 1:
        out.append(f"{where}: exactly one inverse functional identifier is required, got {ifis}")
    acct = a.get("account")
    # 2.4.2.4 Account: homePage (an IRL) and name are both required
    if acct is not None and not (
        isinstance(acct, dict) and IRI.match(str(acct.get("homePage", ""))) and acct.get("name")
    ):
        out.append(f"{where}.account: needs homePage (an IRL) and name")
    return out


def _activity(o: Any, where: str) -> list[str]:
    # 2.4.4.1 When the Object is an Activity
    out = []
    if o.get("objectType", "Activity") != "Activity":
        out.append(f"{where}: objectType must be Activity")
    if not IRI.match(str(o.get("id", ""))):
        out.append(f"{where}.id must be an IRI")
    d = o.get("definition")
    if d is not None:
        for key in ("name", "description"):
            if key in d:
                out += _lang_map(d[key], f"{where}.definition.{key}")
        if "type" in d and not IRI.match(str(d["type"])):
            out.append(f"{where}.definition.type must be an IRI")
        if "interactionType" in d and d["interactionType"] not in INTERACTION_TYPES:
            out.append(f"{where}.definition.interactionType is not a defined type")
        for c in d.get("choices", []):
            if not c.get("id") or " " in c["id"]:
                out.append(f"{where}.definition.choices: each needs an id without spaces")
            out += _lang_map(c.get("description"), f"{where}.definition.choices.description")
        if "extensions" in d:
            out += _extensions(d["extensions"], f"{where}.definition.extensions")
    return out


def _timestamp(value: Any, where: str) -> list[str]:
    # 4.5 ISO 8601 timestamps; attunement always writes a timezone
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return [f"{where}: not an ISO 8601 timestamp"]
    return [] if parsed.tzinfo is not None else [f"{where}: no timezone"]


def problems(s: dict[str, Any]) -> list[str]:
    out = [f"unknown statement property {k!r}" for k in s if k not in STATEMENT_KEYS]
    for required in ("actor", "verb", "object"):
        if required not in s:
            out.append(f"missing {required}")
    if "id" in s and not UUID.match(str(s["id"])):
        out.append("id must be a UUID (2.4.1)")
    out += _agent(s.get("actor"), "actor")
    verb = s.get("verb", {})
    if not IRI.match(str(verb.get("id", ""))):
        out.append("verb.id must be an IRI (2.4.3)")
    if "display" in verb:
        out += _lang_map(verb["display"], "verb.display")
    out += _activity(s.get("object", {}), "object")
    result = s.get("result")
    if result is not None:
        score = result.get("score")
        if score is not None:
            # 2.4.5.1 Score: scaled in [-1, 1]; raw between min and max; min < max
            scaled = score.get("scaled")
            if scaled is not None and not -1 <= scaled <= 1:
                out.append("result.score.scaled must be between -1 and 1")
            lo, hi, raw = score.get("min"), score.get("max"), score.get("raw")
            if lo is not None and hi is not None and not lo < hi:
                out.append("result.score.min must be less than max")
            if raw is not None and ((lo is not None and raw < lo) or (hi is not None and raw > hi)):
                out.append("result.score.raw must lie between min and max")
        for flag in ("success", "completion"):
            if flag in result and not isinstance(result[flag], bool):
                out.append(f"result.{flag} must be a boolean")
        if "duration" in result and not DURATION.match(str(result["duration"])):
            out.append("result.duration must be an ISO 8601 duration")
        if "response" in result and not isinstance(result["response"], str):
            out.append("result.response must be a string")
        if "extensions" in result:
            out += _extensions(result["extensions"], "result.extensions")
    context = s.get("context")
    if context is not None:
        if "registration" in context and not UUID.match(str(context["registration"])):
            out.append("context.registration must be a UUID (2.4.6)")
        for kind, acts in context.get("contextActivities", {}).items():
            if kind not in ("parent", "grouping", "category", "other"):
                out.append(f"context.contextActivities.{kind} is not a defined key")
            for a in acts if isinstance(acts, list) else [acts]:
                out += _activity(a, f"context.contextActivities.{kind}")
        if "language" in context and not LANG.match(str(context["language"])):
            out.append("context.language must be an RFC 5646 tag")
        if "extensions" in context:
            out += _extensions(context["extensions"], "context.extensions")
    if "timestamp" in s:
        out += _timestamp(s["timestamp"], "timestamp")
    if "version" in s and not str(s["version"]).startswith("1.0."):
        out.append("version must be 1.0.x")
    return out
