"""`python -m simulator.service.warm VIGNETTE`: search a vignette's best and worst routes under
the shipped rubric and keep them in the user's cache. The play service starts it in the
background when a session starts, so that the debrief finds the expert route ready."""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    from scoring.rubric import default_rubric
    from scoring.story import Story
    from simulator.content.loader import load_vignette
    from simulator.errors import AttuneError

    try:
        Story(load_vignette(Path(argv[0])), default_rubric()).bounds()
    except (AttuneError, IndexError):
        return 2  # the player reports problems with the vignette; the debrief searches itself
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
