"""An LMS on loopback for the LTI tests: the platform side of LTI 1.3 (OIDC login, id_token,
JWKS, the OAuth 2 token endpoint with JWT client assertions, line items and scores, and the
deep-linking return), written with the same JWT library as the tool. It checks what the tool
sends and keeps it for the tests to read."""

from __future__ import annotations

import html
import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
TA = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
]


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Platform:
    """The stand-in. `url` is its base; `client_id` and `deployment` what it gave the tool."""

    def __init__(self, client_id: str = "attune-tool", deployment: str = "dep-1") -> None:
        self.key, self.kid = _key(), "platform-key-1"
        self.other_key = _key()  # signs the "wrong key" tokens: never published
        self.client_id, self.deployment = client_id, deployment
        self.tool_jwks_url = ""
        self.tool_login_url = ""
        self.next_launch: dict[str, Any] = {}
        """What the next /auth answer launches (sub, roles, custom, ...: see `id_token`)."""
        self.auth_requests: list[dict[str, str]] = []
        self.tokens_issued: list[dict[str, Any]] = []
        self.lineitems: list[dict[str, Any]] = []
        self.scores: list[dict[str, Any]] = []
        self.deep_link_responses: list[dict[str, Any]] = []
        self.refuse_scores = 0
        """Answer this many score posts with HTTP 503 (then accept)."""
        self._tokens: set[str] = set()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.issuer = self.url
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ------------------------------------------------------------ what the tool registers
    def register_args(self) -> list[str]:
        return [
            "--issuer", self.issuer, "--client-id", self.client_id,
            "--deployment-id", self.deployment, "--auth-url", f"{self.url}/auth",
            "--token-url", f"{self.url}/token", "--jwks-url", f"{self.url}/jwks",
        ]  # fmt: skip

    def jwks(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    # ------------------------------------------------------------ tokens the platform signs
    def claims(
        self,
        nonce: str,
        *,
        sub: str = "u-1",
        name: str = "Amy Learner",
        roles: list[str] | None = None,
        message_type: str = "LtiResourceLinkRequest",
        custom: dict[str, str] | None = None,
        link: str = "rl-1",
        context: str = "course-1",
        lineitem: str | None = None,
        ags: bool = True,
        deep_link_return: str | None = None,
    ) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": sub,
            "name": name,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            LTI + "message_type": message_type,
            LTI + "version": "1.3.0",
            LTI + "deployment_id": self.deployment,
            LTI + "roles": [LEARNER] if roles is None else roles,
            LTI + "context": {"id": context, "label": "PSY501", "title": "Working with resistance"},
            LTI + "target_link_uri": "",
        }
        if message_type == "LtiResourceLinkRequest":
            claims[LTI + "resource_link"] = {"id": link, "title": "Practice with Ray"}
            claims[LTI + "custom"] = custom if custom is not None else {"vignette": "ray"}
            if ags:
                endpoint: dict[str, Any] = {"scope": SCOPES, "lineitems": f"{self.url}/lineitems"}
                if lineitem:
                    endpoint["lineitem"] = lineitem
                claims[AGS] = endpoint
        else:
            claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
                "deep_link_return_url": deep_link_return or f"{self.url}/deeplink-return",
                "accept_types": ["ltiResourceLink"],
                "data": "opaque-dl-data",
            }
        return claims

    def sign(self, claims: dict[str, Any], *, wrong_key: bool = False) -> str:
        key = self.other_key if wrong_key else self.key
        kid = "not-published" if wrong_key else self.kid
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})

    def id_token(self, nonce: str, **kw: Any) -> str:
        return self.sign(self.claims(nonce, **kw))

    # ------------------------------------------------------------ checking what the tool sends
    def _check_tool_jwt(self, token: str, audience: str) -> dict[str, Any]:
        client = jwt.PyJWKClient(self.tool_jwks_url)
        key = client.get_signing_key_from_jwt(token).key
        return dict(jwt.decode(token, key, algorithms=["RS256"], audience=audience))

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: Any, kind: str = "application/json") -> None:
                data = (body if isinstance(body, str) else json.dumps(body)).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _form(self) -> dict[str, str]:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8")
                if self.headers.get("Content-Type", "").startswith("application/x-www-form"):
                    return dict(urllib.parse.parse_qsl(raw))
                return {"_body": raw}

            def _authorised(self) -> bool:
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                return token in platform._tokens

            def do_GET(self) -> None:
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                if parts.path == "/jwks":
                    self._send(200, platform.jwks())
                elif parts.path == "/auth":
                    with platform.lock:
                        platform.auth_requests.append(query)
                    token = platform.id_token(query.get("nonce", ""), **platform.next_launch)
                    fields = {"id_token": token, "state": query.get("state", "")}
                    self._send(200, _autopost(query.get("redirect_uri", ""), fields), "text/html")
                elif parts.path == "/start":  # the LMS page that starts a launch
                    fields = {
                        "iss": platform.issuer,
                        "login_hint": query.get("login_hint", "u-1"),
                        "target_link_uri": query.get("target", ""),
                        "lti_message_hint": "hint-" + secrets.token_hex(4),
                        "client_id": platform.client_id,
                        "lti_deployment_id": platform.deployment,
                    }
                    self._send(200, _autopost(platform.tool_login_url, fields), "text/html")
                else:
                    self._send(404, {"error": "not found"})

            def do_POST(self) -> None:
                path = urllib.parse.urlsplit(self.path).path
                form = self._form()
                if path == "/token":
                    try:
                        claims = platform._check_tool_jwt(
                            form["client_assertion"], f"{platform.url}/token"
                        )
                        assert claims["iss"] == claims["sub"] == platform.client_id
                        assert form["grant_type"] == "client_credentials"
                        assert form["client_assertion_type"].endswith("jwt-bearer")
                    except Exception as exc:
                        self._send(401, {"error": "invalid_client", "detail": str(exc)})
                        return
                    token = secrets.token_urlsafe(16)
                    with platform.lock:
                        platform._tokens.add(token)
                        platform.tokens_issued.append({"claims": claims, "scope": form["scope"]})
                    self._send(200, {"access_token": token, "token_type": "Bearer",
                                     "expires_in": 3600, "scope": form["scope"]})  # fmt: skip
                elif path == "/lineitems":
                    if not self._authorised():
                        self._send(401, {"error": "no token"})
                        return
                    item = json.loads(form["_body"])
                    with platform.lock:
                        item["id"] = f"{platform.url}/lineitems/{len(platform.lineitems) + 1}"
                        platform.lineitems.append(item)
                    self._send(201, item, "application/vnd.ims.lis.v2.lineitem+json")
                elif path.startswith("/lineitems/") and path.endswith("/scores"):
                    if not self._authorised():
                        self._send(401, {"error": "no token"})
                        return
                    with platform.lock:
                        if platform.refuse_scores > 0:
                            platform.refuse_scores -= 1
                            self._send(503, {"error": "gradebook unavailable"})
                            return
                        platform.scores.append(
                            {
                                "lineitem": platform.url + path.removesuffix("/scores"),
                                "content_type": self.headers.get("Content-Type"),
                                **json.loads(form["_body"]),
                            }
                        )
                    self._send(200, {})
                elif path == "/deeplink-return":
                    claims = platform._check_tool_jwt(form["JWT"], platform.issuer)
                    with platform.lock:
                        platform.deep_link_responses.append(claims)
                    self._send(200, "<p>Activity added</p>", "text/html")
                else:
                    self._send(404, {"error": "not found"})

        return Handler


def _autopost(action: str, fields: dict[str, str]) -> str:
    inputs = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in fields.items()
    )
    return (
        f'<html><body><form id="f" method="post" action="{html.escape(action)}">{inputs}</form>'
        '<script>document.getElementById("f").submit();</script></body></html>'
    )
