"""Sending xAPI statements to a learning record store, with an outbox so that nothing is lost.

Statements are written to the outbox (a folder of JSON files in the user's data directory) before
they are sent, and removed only once the LRS has accepted them. An LRS that refuses, or does not
answer in time, leaves them there for `attune export --retry`.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from simulator.errors import AttuneError
from simulator.files import atomic_write

TIMEOUT_S = 10.0


def outbox_dir() -> Path:
    from simulator.store.paths import data_dir

    return data_dir() / "xapi-outbox"


def queue(statements: list[dict[str, Any]]) -> Path | None:
    """Keep statements in the outbox until the LRS accepts them. A statement already waiting
    there (the same id, from an export that failed before) is not kept twice."""
    waiting = {st.get("id") for path in pending() for st in _read(path)}
    fresh = [st for st in statements if st.get("id") not in waiting or st.get("id") is None]
    if not fresh:
        return None
    path = outbox_dir() / f"{uuid.uuid4()}.json"
    atomic_write(path, json.dumps(fresh, ensure_ascii=False))
    return path


def _read(path: Path) -> list[dict[str, Any]]:
    batch = json.loads(path.read_text(encoding="utf-8"))
    return batch if isinstance(batch, list) else []


def pending() -> list[Path]:
    folder = outbox_dir()
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def post(
    url: str, statements: list[dict[str, Any]], auth: str | None, timeout: float = TIMEOUT_S
) -> None:
    """POST one batch to `{url}/statements`; raises AttuneError (with what to do) if not accepted."""
    endpoint = url.rstrip("/") + "/statements"
    if not endpoint.startswith(("http://", "https://")):
        raise AttuneError.single(
            f"LRS {url}",
            "the LRS URL must start with http:// or https://",
            hint="e.g. https://lrs.example.org/xapi",
        )
    request = urllib.request.Request(
        endpoint,
        data=json.dumps(statements).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "X-Experience-API-Version": "1.0.3"},
    )
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if not 200 <= response.status < 300:
                raise AttuneError.single(
                    f"LRS {url}", f"answered {response.status}", hint="check the LRS"
                )
    except urllib.error.HTTPError as exc:
        if exc.code == 409:
            return  # xAPI 1.0.3: the LRS already has statements with these ids, so they are stored
        detail = exc.read(300).decode("utf-8", "replace").strip()
        hint = (
            "check the user and password (--lrs-auth or ATTUNE_LRS_AUTH)"
            if exc.code in (401, 403)
            else "see the LRS's message"
        )
        raise AttuneError.single(
            f"LRS {url}", f"refused the statements: {exc.code} {exc.reason}. {detail}", hint=hint
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise AttuneError.single(
            f"LRS {url}",
            f"could not be reached: {reason}",
            hint="check the URL and that the LRS is up",
        ) from None


def send(
    url: str, statements: list[dict[str, Any]], auth: str | None, timeout: float = TIMEOUT_S
) -> int:
    """Queue the statements, then send everything in the outbox. Returns how many were sent.
    Raises AttuneError after the first failure, saying how many statements are kept for a retry."""
    if statements:
        queue(statements)
    return flush(url, auth, timeout)


def flush(url: str, auth: str | None, timeout: float = TIMEOUT_S) -> int:
    """Send every batch in the outbox, oldest first; returns how many statements were sent."""
    sent = 0
    files = pending()
    for i, path in enumerate(files):
        batch = json.loads(path.read_text(encoding="utf-8"))
        try:
            post(url, batch, auth, timeout)
        except AttuneError as exc:
            kept = sum(len(json.loads(p.read_text(encoding="utf-8"))) for p in files[i:])
            problem = exc.problems[0]
            raise AttuneError.single(
                problem.path,
                f"{problem.message} ({kept} statement(s) kept in {outbox_dir()} for a retry)",
                hint=f"{problem.hint}; then run `attune export --retry --lrs {url}`",
            ) from None
        path.unlink()
        sent += len(batch)
    return sent
