"""attunement as an LTI 1.3 tool: an LMS (Moodle, Canvas, Blackboard, Brightspace) launches
trainees into the served app, instructors pick vignettes by deep linking, and grades go back to
the gradebook through Assignment and Grade Services, pending until an assessor signs off.

- `registry`: platforms and their deployments, and the tool's own RSA keys (JWKS);
- `launch`: the OpenID Connect login, the validation of the launch's id_token, and the mapping
  of the LMS's people, contexts and resource links to people, cohorts and assignments;
- `deeplink`: the instructor's pick, answered with a signed deep-linking response;
- `grades`: the score outbox and its delivery (client-credentials token, line items, scores).

JWTs and JWKs come from PyJWT with the cryptography backend (the `lti` extra): nothing here
signs or checks a signature by hand. Specifications: IMS LTI Core 1.3, LTI Advantage Deep
Linking 2.0 and Assignment and Grade Services 2.0, IMS Security Framework 1.0.
"""

from __future__ import annotations

from simulator.errors import AttuneError


def require_jwt() -> None:
    """A clear answer when the `lti` extra is not installed."""
    try:
        import jwt  # noqa: F401
    except ImportError:
        raise AttuneError.single(
            "attune lti",
            "the LTI tool needs PyJWT with cryptography, which is not installed",
            hint="pip install 'attunement[lti]' (make test installs it)",
        ) from None
