"""`python -m simulator.service.warm VIGNETTE [--share]`: search a vignette's best and worst
routes under the shipped rubric and keep them in the user's cache (`--share`: and in the course
database, ATTUNE_DB or the default). The play service starts it in the background when a
session starts, so that the debrief finds the expert route ready."""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    from scoring.rubric import default_rubric
    from scoring.story import Story
    from simulator.content.loader import load_vignette
    from simulator.errors import AttuneError

    try:
        story = Story(load_vignette(Path(argv[0])), default_rubric())
        story.bounds()
    except (AttuneError, IndexError):
        return 2  # the player reports problems with the vignette; the debrief searches itself
    if "--share" in argv[1:]:
        from simulator.service.searches import share_bounds
        from simulator.settings import settings

        share_bounds(story, settings().db)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
