"""Assessor review, headless: find transcripts, read them turn by turn, comment, override a turn's
move codes or points (the original stays; the audit trail records who, when and why), sign off,
and measure agreement between assessors.

Overrides never change the transcript or the vignette on disk. The effective score is the pure
scorer run on the vignette with the overridden turns' move codes replaced, with any overridden
points put in place of the scorer's; both the original and the effective score are shown.
Only registered assessors and course leaders may comment, override or sign off.
"""

from __future__ import annotations

from simulator.course.review.actions import (
    add_comment,
    move_codes_problem,
    override_moves,
    override_points,
    parse_move_codes,
    rate_reflection,
    sign_off,
)
from simulator.course.review.agreement import Agreement, agreement, cohen_kappa
from simulator.course.review.model import (
    REFLECTION_SCALE,
    STATUSES,
    Judgement,
    Listed,
    Override,
    Review,
)
from simulator.course.review.queries import (
    integrity_line,
    judgement_of,
    list_transcripts,
    load_review,
    require_reviewer,
)
from simulator.course.review.render import (
    judgement_text,
    reflection_notes,
    rewound_text,
    summary_text,
    turn_review_text,
)

__all__ = [
    "REFLECTION_SCALE",
    "STATUSES",
    "Agreement",
    "Judgement",
    "Listed",
    "Override",
    "Review",
    "add_comment",
    "agreement",
    "cohen_kappa",
    "integrity_line",
    "judgement_of",
    "judgement_text",
    "list_transcripts",
    "load_review",
    "move_codes_problem",
    "override_moves",
    "override_points",
    "parse_move_codes",
    "rate_reflection",
    "reflection_notes",
    "require_reviewer",
    "rewound_text",
    "sign_off",
    "summary_text",
    "turn_review_text",
]
