"""The cue audit: can a trainee who never reads the client score well by the surface of the
options? A score an assessor signs must measure skill, so the options must not give the key away by
their length, their position or a few tell-tale words.

Two checks:

- `length_findings` (always part of `attune lint`): is the attuned option the longest at many
  decision points, and do the lengths within a beat differ a lot?
- `cue_audit` (`attune lint --cues`): plays surface policies against the real scorer, with the
  options shuffled as the player shows them, and compares each policy's mean with choosing at
  random.

Thresholds are attunement's own (provisional): the attuned option longest at more than 40% of
decision points; a policy more than 15 points above random, or reaching 60 on a vignette.
"""

from __future__ import annotations

import random
import re
import statistics
import uuid
from collections.abc import Callable, Sequence
from typing import NamedTuple

from scoring.rubric import Rubric
from scoring.story import Story
from simulator.content.analysis import Finding
from simulator.content.model import Vignette
from simulator.play.transcript import display_order

LONGEST_SHARE = 0.40
"""Warn when the attuned option is the longest at more than this share of decision points."""
SPREAD = 2.5
"""Warn when, within one beat, the longest option is more than this many times the shortest."""
OVER_RANDOM = 15
"""Warn when a surface policy's mean beats the random policy's by more than this many points."""
CEILING = 60
"""Warn when a surface policy's mean reaches this on the vignette."""

_WORD = re.compile(r"[a-z']+")
# words a test-wise trainee learns to look for in "the therapist's answer"
_THERAPY_WORDS = frozenset(
    [
        "feel",
        "feels",
        "feeling",
        "feelings",
        "sounds",
        "sense",
        "hear",
        "hearing",
        "understand",
        "notice",
        "noticing",
        "slow",
        "breath",
        "together",
        "okay",
        "want",
        "wonder",
        "curious",
        "safe",
        "space",
        "pace",
        "choice",
    ]
)
_DIRECTIVE_WORDS = frozenset(["should", "must", "need", "needs", "have", "try", "just", "but"])

Policy = Callable[[Sequence[str], str], int]
"""Given the options' words in the order shown and the client's statement, the position (from 0)
the policy picks."""


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _most(options: Sequence[str], key: Callable[[str], float]) -> int:
    """The first shown option with the highest key."""
    best = max(key(o) for o in options)
    return next(i for i, o in enumerate(options) if key(o) == best)


def _middle(options: Sequence[str]) -> int:
    ranked = sorted(range(len(options)), key=lambda i: (len(options[i]), i))
    return ranked[(len(ranked) - 1) // 2]


def _echo(options: Sequence[str], client: str) -> int:
    heard = set(_words(client))
    return _most(options, lambda t: len(heard & set(_words(t))))


POLICIES: dict[str, tuple[Policy, str]] = {
    "longest": (lambda o, _c: _most(o, len), "always the longest option"),
    "shortest": (lambda o, _c: _most(o, lambda t: -len(t)), "always the shortest option"),
    "middle": (lambda o, _c: _middle(o), "always the option of middle length"),
    "first": (lambda o, _c: 0, "always the option shown first"),
    "last": (lambda o, _c: len(o) - 1, "always the option shown last"),
    "therapy-words": (
        lambda o, _c: _most(o, lambda t: sum(w in _THERAPY_WORDS for w in _words(t))),
        "the most words like feel, sounds, sense, notice, slow",
    ),
    "you-words": (
        lambda o, _c: _most(o, lambda t: sum(w in ("you", "you're", "your") for w in _words(t))),
        "the most second-person words",
    ),
    "soft": (
        lambda o, _c: _most(
            o, lambda t: -10 * sum(w in _DIRECTIVE_WORDS for w in _words(t)) + len(t)
        ),
        "the fewest directive words (should, need, try, but), then the longest",
    ),
    "question": (
        lambda o, _c: _most(o, lambda t: t.count("?") * 1000 + len(t)),
        "a question if there is one, then the longest",
    ),
    "no-question": (
        lambda o, _c: _most(o, lambda t: -t.count("?") * 1000 + len(t)),
        "a statement rather than a question, then the longest",
    ),
    "echo": (_echo, "the option sharing the most words with what the client just said"),
}


class PolicyResult(NamedTuple):
    name: str
    description: str
    mean: float
    best: int
    """The highest score the policy reached in any session."""


class CueAudit(NamedTuple):
    vignette_id: str
    sessions: int
    random_mean: float
    results: list[PolicyResult]

    def findings(self) -> list[Finding]:
        out = []
        for r in self.results:
            if r.mean > self.random_mean + OVER_RANDOM or r.mean >= CEILING:
                out.append(
                    Finding(
                        "warning",
                        "surface-cue",
                        f"choosing {r.description} averages {r.mean:.0f}/100 over "
                        f"{self.sessions} shuffled sessions, against {self.random_mean:.0f} for "
                        "random choices: the options' surface gives the key away. Make the "
                        "distractors as long, as kind and as plausible as the attuned option "
                        f"(the audit warns above random + {OVER_RANDOM} or at {CEILING}; "
                        "provisional thresholds)",
                    )
                )
        return out


def _play(story: Story, pick: Callable[[str, list[int]], int]) -> int:
    """Play one session to its end, `pick` choosing a position among the shown options."""
    v, plan = story.vignette, story.plan
    node, state = plan.begin()
    route: list[tuple[str, int]] = []
    while True:
        count = len(v.beat_map[node].choices)
        index = pick(node, list(range(count)))
        route.append((node, index))
        result = plan.step(node, state, index)
        node, state = result.node, result.state
        if result.ended:
            return story.score(route).overall


def cue_audit(v: Vignette, rubric: Rubric, sessions: int = 60, seed: int = 0) -> CueAudit:
    """Play every surface policy through `sessions` sessions with the options shuffled as the
    player would show them (seeded, so the audit is repeatable), and as many random sessions."""
    story = Story(v, rubric)
    ids = [
        str(uuid.UUID(int=random.Random(f"{seed}:{v.id}:{i}").getrandbits(128)))
        for i in range(sessions)
    ]
    results = []
    for name, (policy, description) in POLICIES.items():
        scores = []
        for sid in ids:

            def pick(node: str, indices: list[int], sid: str = sid, policy: Policy = policy) -> int:
                order = display_order(sid, node, len(indices))
                beat = v.beat_map[node]
                return order[policy([beat.choices[i].say for i in order], beat.client)]

            scores.append(_play(story, pick))
        results.append(PolicyResult(name, description, statistics.fmean(scores), max(scores)))
    rng = random.Random(f"{seed}:{v.id}:random")
    randoms = [_play(story, lambda _n, idx: rng.choice(idx)) for _ in range(sessions * 2)]
    return CueAudit(v.id, sessions, statistics.fmean(randoms), results)


def attuned_options(story: Story, samples: int = 120, seed: int = 0) -> dict[str, set[int]]:
    """The attuned option(s) at each beat: the choice that scores best in most of the states the
    beat is reached in (sampled along random routes), so a beat with two codes of valence A still
    has one key. Ties keep every option that shares the top."""
    from collections import Counter

    from scoring.context import base_env
    from scoring.scorer import choice_points

    v, ctx, plan = story.vignette, story.context, story.plan
    rng = random.Random(f"{seed}:{v.id}:attuned")
    wins: dict[str, Counter[int]] = {}
    for _ in range(samples):
        node, state = plan.begin()
        memo = 0
        while True:
            beat = v.beat_map[node]
            base = base_env(ctx, state, memo)
            points = [
                choice_points(ctx, node, state, memo, i, base)[0] for i in range(len(beat.choices))
            ]
            top = max(points)
            wins.setdefault(node, Counter()).update(i for i, p in enumerate(points) if p == top)
            index = rng.randrange(len(beat.choices))
            memo = choice_points(ctx, node, state, memo, index, base)[1]
            result = plan.step(node, state, index)
            node, state = result.node, result.state
            if result.ended:
                break
    out = {}
    for node, counts in wins.items():
        most = max(counts.values())
        out[node] = {i for i, n in counts.items() if n == most}
    return out


def length_findings(
    v: Vignette,
    lines: dict[str, int] | None = None,
    rubric: Rubric | None = None,
    story: Story | None = None,
) -> list[Finding]:
    """Does the length of the options give the attuned one away? (`story`: `v` compiled with
    `rubric`, if the caller holds one.)"""
    from scoring.rubric import default_rubric

    lines = lines or {}
    keys = attuned_options(story or Story(v, rubric or default_rubric()))
    points = longest_attuned = 0
    out: list[Finding] = []
    for beat in v.beats:
        if len(beat.choices) < 2:
            continue
        lengths = [len(c.say) for c in beat.choices]
        key = keys.get(beat.id, set())
        if min(lengths) and max(lengths) / min(lengths) > SPREAD:
            out.append(
                Finding(
                    "warning",
                    "option-lengths-differ",
                    f"at beat '{beat.id}' the longest option has {max(lengths)} characters and the "
                    f"shortest {min(lengths)}: length alone may point to the answer; bring them "
                    "closer",
                    beat.id,
                    lines.get(beat.id),
                )
            )
        if not key or len(key) == len(beat.choices):
            continue  # not reached, or every option scores alike: no key to give away
        points += 1
        top = max(lengths)
        if lengths.count(top) == 1 and lengths.index(top) in key:
            longest_attuned += 1  # strictly the longest: a tie tells the trainee nothing
    if points and longest_attuned / points > LONGEST_SHARE:
        out.insert(
            0,
            Finding(
                "warning",
                "attuned-is-longest",
                f"the attuned option (the best-scoring one in most states the beat is reached in) "
                f"is the longest at {longest_attuned} of {points} decision points "
                f"({100 * longest_attuned / points:.0f}%, more than {100 * LONGEST_SHARE:.0f}%): "
                "a trainee who picks the longest option does well without reading the client; "
                "lengthen the distractors or shorten the attuned options",
            ),
        )
    return out
