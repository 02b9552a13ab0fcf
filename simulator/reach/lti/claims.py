"""The LTI 1.3 claim names and roles attunement reads and writes (IMS LTI Core 1.3, Deep
Linking 2.0, Assignment and Grade Services 2.0)."""

from __future__ import annotations

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = LTI + "message_type"
VERSION = LTI + "version"
DEPLOYMENT_ID = LTI + "deployment_id"
ROLES = LTI + "roles"
CONTEXT = LTI + "context"
RESOURCE_LINK = LTI + "resource_link"
CUSTOM = LTI + "custom"
TARGET_LINK_URI = LTI + "target_link_uri"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
DL_CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
DL_DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"
LTI_VERSION = "1.3.0"

SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"

SCORE_MAXIMUM = 100
"""attunement's overall score is out of 100; the gradebook gets it as scoreGiven/100."""


def attune_role(roles: object) -> str | None:
    """The attunement role for an LMS membership (LIS vocabulary): an Instructor is a course
    leader, a TeachingAssistant or Mentor an assessor, a Learner a trainee. The plain
    Instructor role wins over its sub-roles; None when none of these is present."""
    if not isinstance(roles, list):
        return None
    names = [str(r) for r in roles]

    def has(*tails: str) -> bool:
        return any(
            r == t or r.endswith("#" + t) or r.endswith("/" + t) for r in names for t in tails
        )

    instructor = any(
        r in ("Instructor", "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor")
        for r in names
    )
    if instructor:
        return "course_leader"
    if has("TeachingAssistant", "Mentor"):
        return "assessor"
    if has("Learner"):
        return "trainee"
    return None
