"""The exact search's results shared through the course database (`simulator.store.searches`):
looked up there before a session's background search starts, kept there once searched, so a
vignette is searched once per course rather than once per machine. A cache: a database that
cannot be reached, or a result that does not check out against the vignette, costs only the
time to search again."""

from __future__ import annotations

import contextlib

from scoring.bounds import Bounds
from scoring.story import Story
from simulator.errors import AttuneError

KIND = "bounds"


def recall_bounds(story: Story, db_url: str | None) -> Bounds | None:
    """The search's result from the course database (`db_url`; None: the default one), given
    to `story` once its best and worst routes score what it says; else None."""
    from scoring.bounds import bounds_from_json
    from simulator.store.database import open_database
    from simulator.store.searches import recall

    try:
        db = open_database(db_url)
    except AttuneError:
        return None
    try:
        body = recall(db, story.search_key(KIND))
    except AttuneError:
        return None
    finally:
        db.close()
    if body is None:
        return None
    try:
        found = bounds_from_json(body)
    except ValueError:
        return None
    return found if story.adopt_bounds(found) else None


def share_bounds(story: Story, db_url: str | None) -> None:
    """Keep `story`'s search result in the course database for every machine that shares it."""
    from scoring.bounds import bounds_json
    from simulator.store.database import open_database
    from simulator.store.searches import keep

    body = bounds_json(story.bounds())
    with contextlib.suppress(AttuneError):  # unreachable or locked: the next machine searches
        db = open_database(db_url)
        try:
            keep(db, story.search_key(KIND), KIND, body)
        finally:
            db.close()
