"""Who is asking, what they may do, CSRF tokens and the audit log.

- Sessions are signed cookies (Starlette's SessionMiddleware, key from
  :func:`jsna.web.settings.secret_key`) holding the user id, the user's
  session epoch (bumped to end every session of a user) and a CSRF token.
- :func:`require` is the dependency every write route uses: no user -> 401
  (pages redirect to the sign-in form), a user without the role -> 403.
- Every form that writes carries ``csrf_token`` (:func:`csrf_token`), checked by
  :func:`check_csrf` against the session: a mismatch is 403 and changes nothing.
  Scripts send it in the ``X-CSRF-Token`` header instead.
- :func:`audit` writes one ``audit_log`` row per write, in the write's transaction.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import Depends, HTTPException, Request
from sqlalchemy import Connection

from jsna.store.schema import audit_log

from .users import User, get_user

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "audit",
    "check_csrf",
    "csrf_token",
    "current_user",
    "require",
    "sign_in",
    "sign_out",
]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def current_user(request: Request) -> User | None:
    """The signed-in user, or None (also when their session was ended or they were disabled)."""
    if "jsna_user" in request.scope:
        cached: User | None = request.scope["jsna_user"]
        return cached
    user = None
    session = request.session
    user_id = session.get("uid")
    if isinstance(user_id, int):
        with request.app.state.jsna.engine.connect() as connection:
            found = get_user(connection, user_id)
        if found is not None and found.active and found.session_epoch == session.get("epoch"):
            user = found
        else:
            session.pop("uid", None)
    request.scope["jsna_user"] = user
    return user


def sign_in(request: Request, user: User) -> None:
    """Start a session for ``user`` (a new CSRF token too: no session fixation)."""
    request.session.clear()
    request.session.update(
        {"uid": user.id, "epoch": user.session_epoch, "csrf": secrets.token_urlsafe(32)}
    )
    request.scope["jsna_user"] = user


def sign_out(request: Request) -> None:
    """End this session."""
    request.session.clear()
    request.scope["jsna_user"] = None


def csrf_token(request: Request) -> str:
    """This session's CSRF token (made on first use), for a hidden form field."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    """403 unless ``submitted`` (form field, else the header) equals the session's token."""
    expected = request.session.get("csrf")
    given = submitted or request.headers.get(CSRF_HEADER) or ""
    if not isinstance(expected, str) or not hmac.compare_digest(expected, given):
        raise HTTPException(
            403, "The form has expired or did not come from this site: reload it and try again."
        )


def require(role: str) -> Callable[[Request], User]:
    """A dependency giving the signed-in user holding ``role``; 401 or 403 otherwise."""

    def dependency(request: Request) -> User:
        user = current_user(request)
        if user is None:
            raise HTTPException(401, "Sign in to do this.")
        if not user.can(role):
            raise HTTPException(403, f"You need the {role} role to do this.")
        return user

    dependency.__name__ = f"require_{role}"
    return dependency


def optional_user() -> Any:
    """A dependency giving the signed-in user or None (for pages anyone may read)."""
    return Depends(current_user)


def audit(
    connection: Connection,
    actor: User | str,
    action: str,
    entity: str,
    entity_id: str | int,
    **detail: Any,
) -> None:
    """Record one write in ``audit_log`` (inside the caller's transaction)."""
    connection.execute(
        audit_log.insert().values(
            at=datetime.now(UTC),
            actor=actor.username if isinstance(actor, User) else actor,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            detail=json.dumps(detail, ensure_ascii=False, default=str),
        )
    )
