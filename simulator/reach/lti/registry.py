"""Registered platforms (`attune lti register`) and the tool's own RSA keys.

The tool's key pair is made on first use and kept in the course database; `rotate_key` makes a
new one. The newest unretired key signs; keys retired within `RETIRED_PUBLISHED` stay in the
JWKS, so a token signed just before a rotation still verifies at the platform.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa

from simulator.course.courses import record
from simulator.errors import AttuneError
from simulator.play.transcript import now
from simulator.store.database import Database
from simulator.store.schema import lti_deployments, lti_keys, lti_platforms

RETIRED_PUBLISHED = timedelta(days=1)


@dataclass(frozen=True)
class Platform:
    id: int
    issuer: str
    client_id: str
    auth_url: str
    token_url: str
    jwks_url: str
    deployments: tuple[str, ...]


def _check_url(name: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise AttuneError.single(
            f"--{name}",
            f"'{url}' is not an http(s) URL",
            hint="copy it from the LMS's tool registration page, e.g. https://lms.example.edu/...",
        )


def register(
    db: Database,
    *,
    issuer: str,
    client_id: str,
    deployments: list[str],
    auth_url: str,
    token_url: str,
    jwks_url: str,
    actor: str | None,
) -> Platform:
    """Store a platform (or add deployments and update the URLs of one already registered)."""
    for name, url in (
        ("issuer", issuer),
        ("auth-url", auth_url),
        ("token-url", token_url),
        ("jwks-url", jwks_url),
    ):
        _check_url(name, url)
    if not deployments or not all(d.strip() for d in deployments):
        raise AttuneError.single(
            "--deployment-id",
            "at least one deployment id is needed",
            hint="the LMS shows it after the tool is added; repeat --deployment-id for more",
        )
    urls = {"auth_url": auth_url, "token_url": token_url, "jwks_url": jwks_url}
    with db.begin() as conn:
        found = conn.execute(
            sa.select(lti_platforms.c.id).where(
                lti_platforms.c.issuer == issuer, lti_platforms.c.client_id == client_id
            )
        ).scalar()
        if found is None:
            found = conn.execute(
                lti_platforms.insert()
                .values(
                    issuer=issuer, client_id=client_id, created_at=now(), created_by=actor, **urls
                )
                .returning(lti_platforms.c.id)
            ).scalar_one()
        else:
            conn.execute(lti_platforms.update().where(lti_platforms.c.id == found).values(urls))
        known = set(
            conn.execute(
                sa.select(lti_deployments.c.deployment_id).where(
                    lti_deployments.c.platform_id == found
                )
            ).scalars()
        )
        new = [d for d in dict.fromkeys(deployments) if d not in known]
        if new:
            conn.execute(
                lti_deployments.insert(), [{"platform_id": found, "deployment_id": d} for d in new]
            )
        record(conn, actor, "lti.register", issuer, client_id=client_id, deployments=new, **urls)
    return platform(db, int(found))


def _platforms(db: Database, where: Any = None) -> list[Platform]:
    query = sa.select(lti_platforms).order_by(lti_platforms.c.id)
    if where is not None:
        query = query.where(where)
    with db.read() as conn:
        rows = conn.execute(query).mappings().all()
        deps: dict[int, list[str]] = {}
        for pid, dep in conn.execute(
            sa.select(lti_deployments.c.platform_id, lti_deployments.c.deployment_id).order_by(
                lti_deployments.c.deployment_id
            )
        ):
            deps.setdefault(int(pid), []).append(str(dep))
    return [
        Platform(
            int(r["id"]),
            r["issuer"],
            r["client_id"],
            r["auth_url"],
            r["token_url"],
            r["jwks_url"],
            tuple(deps.get(int(r["id"]), ())),
        )
        for r in rows
    ]


def platforms(db: Database) -> list[Platform]:
    return _platforms(db)


def platform(db: Database, platform_id: int) -> Platform:
    found = _platforms(db, lti_platforms.c.id == platform_id)
    if not found:
        raise AttuneError.single(f"platform {platform_id}", "no such platform")
    return found[0]


def find(db: Database, issuer: str, client_id: str | None) -> Platform | None:
    """The platform with this issuer (and client id, when the LMS sends one)."""
    where = lti_platforms.c.issuer == issuer
    if client_id:
        where = sa.and_(where, lti_platforms.c.client_id == client_id)
    found = _platforms(db, where)
    return found[0] if len(found) == 1 else None


def remove(db: Database, issuer: str, client_id: str | None, actor: str | None) -> int:
    """Forget a platform (its launches stop working; people, cohorts and sessions stay)."""
    found = [p for p in platforms(db) if p.issuer == issuer and client_id in (None, p.client_id)]
    if not found:
        known = ", ".join(f"{p.issuer} ({p.client_id})" for p in platforms(db)) or "none"
        raise AttuneError.single(
            f"platform '{issuer}'", "not registered", hint=f"registered platforms: {known}"
        )
    if len(found) > 1:
        raise AttuneError.single(
            f"platform '{issuer}'",
            f"{len(found)} registrations have this issuer",
            hint="name the one to remove with --client-id",
        )
    with db.begin() as conn:
        conn.execute(lti_deployments.delete().where(lti_deployments.c.platform_id == found[0].id))
        conn.execute(lti_platforms.delete().where(lti_platforms.c.id == found[0].id))
        record(conn, actor, "lti.remove", issuer, client_id=found[0].client_id)
    return 1


# ------------------------------------------------------------------ the tool's keys


def _new_key_row() -> dict[str, Any]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    return {"kid": secrets.token_urlsafe(16), "private_pem": pem, "created_at": now()}


def signing_key(db: Database) -> tuple[str, str]:
    """The kid and private PEM of the key that signs; made on first use."""
    with db.read() as conn:
        row = conn.execute(
            sa.select(lti_keys.c.kid, lti_keys.c.private_pem)
            .where(lti_keys.c.retired_at.is_(None))
            .order_by(lti_keys.c.created_at.desc())
            .limit(1)
        ).first()
    if row is not None:
        return str(row.kid), str(row.private_pem)
    with db.begin() as conn:
        row = conn.execute(  # another process may have made it meanwhile
            sa.select(lti_keys.c.kid, lti_keys.c.private_pem).where(lti_keys.c.retired_at.is_(None))
        ).first()
        if row is not None:
            return str(row.kid), str(row.private_pem)
        new = _new_key_row()
        conn.execute(lti_keys.insert().values(new))
        record(conn, None, "lti.key", new["kid"])
    return new["kid"], new["private_pem"]


def rotate_key(db: Database, actor: str | None) -> str:
    """Retire the signing key and make a new one; returns the new kid."""
    new = _new_key_row()
    with db.begin() as conn:
        conn.execute(
            lti_keys.update().where(lti_keys.c.retired_at.is_(None)).values(retired_at=now())
        )
        conn.execute(lti_keys.insert().values(new))
        record(conn, actor, "lti.key.rotate", new["kid"])
    return str(new["kid"])


def jwks(db: Database) -> dict[str, Any]:
    """The tool's public keys (no private part): the signing key and recently retired ones."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from jwt.algorithms import RSAAlgorithm

    signing_key(db)
    cutoff = (datetime.now(UTC) - RETIRED_PUBLISHED).isoformat()
    with db.read() as conn:
        rows = conn.execute(
            sa.select(lti_keys.c.kid, lti_keys.c.private_pem)
            .where(sa.or_(lti_keys.c.retired_at.is_(None), lti_keys.c.retired_at > cutoff))
            .order_by(lti_keys.c.created_at.desc())
        ).all()
    keys = []
    for kid, pem in rows:
        private = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
        assert isinstance(private, RSAPrivateKey)  # the tool makes only RSA keys
        jwk = RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
        keys.append({**jwk, "kid": kid, "alg": "RS256", "use": "sig"})
    return {"keys": keys}


def sign(db: Database, claims: dict[str, Any]) -> str:
    """A JWT of `claims`, RS256, signed with the tool's key (its kid in the header)."""
    import jwt

    kid, pem = signing_key(db)
    return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": kid})
