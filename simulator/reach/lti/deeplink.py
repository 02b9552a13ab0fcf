"""Deep linking (LTI Deep Linking 2.0): an instructor adding an activity picks a vignette, a mode
and the attempts; the tool answers with a signed LtiDeepLinkingResponse whose resource link
carries them as custom parameters, and a line item out of 100 for the gradebook."""

from __future__ import annotations

import secrets
import time
from typing import Any

from simulator.reach.lti import claims as c
from simulator.reach.lti.launch import MODES, Mapped, refuse
from simulator.reach.lti.registry import platform, sign
from simulator.store.database import Database

RESPONSE_LIFETIME_S = 300


def response(
    db: Database,
    request: Mapped,
    *,
    vignette_id: str,
    title: str,
    mode: str,
    attempts: int,
    launch_url: str,
) -> tuple[str, str]:
    """The return URL and the signed response JWT for the instructor's pick."""
    if mode not in MODES:
        raise refuse("mode", f"'{mode}' is not a mode", "choose practice or assessment")
    if attempts < 1:
        raise refuse("attempts", f"{attempts} is not a number of attempts", "use 1 or more")
    plat = platform(db, int(request.extra["platform_id"]))
    issued = int(time.time())
    item: dict[str, Any] = {
        "type": "ltiResourceLink",
        "title": title,
        "url": launch_url,
        "custom": {"vignette": vignette_id, "mode": mode, "attempts": str(attempts)},
        "lineItem": {
            "scoreMaximum": c.SCORE_MAXIMUM,
            "label": title,
            "resourceId": vignette_id,
            "tag": "attunement",
        },
    }
    claims: dict[str, Any] = {
        "iss": plat.client_id,
        "aud": plat.issuer,
        "iat": issued,
        "exp": issued + RESPONSE_LIFETIME_S,
        "nonce": secrets.token_urlsafe(16),
        c.MESSAGE_TYPE: c.DEEP_LINKING_RESPONSE,
        c.VERSION: c.LTI_VERSION,
        c.DEPLOYMENT_ID: request.extra["deployment_id"],
        c.DL_CONTENT_ITEMS: [item],
    }
    if request.extra.get("data") is not None:
        claims[c.DL_DATA] = request.extra["data"]
    return str(request.extra["return_url"]), sign(db, claims)
