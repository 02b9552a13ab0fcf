"""Where sessions live: one versioned JSON transcript per session in the user's data directory.

(Issue 6 moves this to SQLite/PostgreSQL; the JSON transcripts stay as the export format.)
"""

from __future__ import annotations

import os
from pathlib import Path

from simulator.transcript import LoadedTranscript, load_transcript


def data_dir() -> Path:
    override = os.environ.get("ATTUNE_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("attunement", appauthor=False))


def sessions_dir() -> Path:
    return data_dir() / "sessions"


def session_path(session_id: str) -> Path:
    return sessions_dir() / f"{session_id}.json"


def unfinished_sessions(
    vignette_id: str | None = None, trainee: str | None = None
) -> list[LoadedTranscript]:
    """Saved sessions without an ending, newest first; only `trainee`'s when one is given (on a
    shared server, nobody resumes someone else's session)."""
    folder = sessions_dir()
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True):
        try:
            loaded = load_transcript(path)
        except Exception:
            continue
        t = loaded.transcript
        if (
            t.ending is None
            and (vignette_id is None or t.vignette_id == vignette_id)
            and (trainee is None or t.trainee == trainee)
        ):
            found.append(loaded)
    return found
