"""Accounts: people who sign in, their roles and argon2id password hashes.

Roles (a user holds one or more)::

    viewer    reads internal and unpublished content
    analyst   uploads data and runs compute
    editor    drafts chapters they own and submits them for review
    approver  approves and publishes chapters
    admin     manages users and settings (and may do everything above)

Every role implies ``viewer``; ``admin`` implies every role. Usernames are
stored in lower case. Passwords are hashed with argon2id (argon2-cffi's
defaults) and re-hashed on sign-in when those defaults change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, select, update

from jsna.errors import JsnaError
from jsna.store.schema import app_user

__all__ = [
    "ROLES",
    "User",
    "create_user",
    "find_user",
    "get_user",
    "hash_password",
    "list_users",
    "set_password",
    "update_user",
    "verify_password",
]

ROLES = ("viewer", "analyst", "editor", "approver", "admin")
MIN_PASSWORD = 12
_HASHER = PasswordHasher()


@dataclass(frozen=True)
class User:
    """A signed-in person (never carries the password hash)."""

    id: int
    username: str
    display_name: str
    email: str
    roles: frozenset[str]
    active: bool
    session_epoch: int

    def can(self, role: str) -> bool:
        """Whether the user holds ``role`` (``admin`` holds every role, every role reads)."""
        if not self.active:
            return False
        return (
            role in self.roles or "admin" in self.roles or (role == "viewer" and bool(self.roles))
        )


def _user(row: Any) -> User:
    return User(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        email=row.email,
        roles=frozenset(r for r in row.roles.split(",") if r),
        active=bool(row.active),
        session_epoch=row.session_epoch,
    )


def _checked_roles(roles: Iterable[str]) -> str:
    chosen = sorted({r.strip().lower() for r in roles if r.strip()})
    unknown = [r for r in chosen if r not in ROLES]
    if unknown:
        raise JsnaError(f"unknown role {unknown[0]!r}: roles are {', '.join(ROLES)}")
    return ",".join(chosen)


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (at least MIN_PASSWORD characters)."""
    if len(password) < MIN_PASSWORD:
        raise JsnaError(f"a password needs at least {MIN_PASSWORD} characters")
    return _HASHER.hash(password)


def verify_password(hashed: str, password: str) -> bool:
    """Whether ``password`` matches ``hashed`` (never raises on a bad hash)."""
    try:
        return _HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(
    connection: Connection,
    username: str,
    password: str,
    *,
    display_name: str = "",
    email: str = "",
    roles: Iterable[str] = ("viewer",),
) -> User:
    """Add a user; refuses a taken username, an unknown role or a short password."""
    name = username.strip().lower()
    if (
        not name
        or len(name) > 64
        or not name.replace(".", "").replace("-", "").replace("_", "").isalnum()
    ):
        raise JsnaError(f"username {username!r}: use 1 to 64 letters, digits, '.', '-' or '_'")
    if find_user(connection, name) is not None:
        raise JsnaError(f"username {name!r} is taken")
    result = connection.execute(
        app_user.insert().values(
            username=name,
            display_name=display_name.strip() or name,
            email=email.strip(),
            password_hash=hash_password(password),
            roles=_checked_roles(roles),
            active=True,
            session_epoch=0,
            created_at=datetime.now(UTC),
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    created = get_user(connection, int(key[0]))
    assert created is not None
    return created


def get_user(connection: Connection, user_id: int) -> User | None:
    """The user with ``user_id``, or None."""
    row = connection.execute(select(app_user).where(app_user.c.id == user_id)).first()
    return None if row is None else _user(row)


def find_user(connection: Connection, username: str) -> User | None:
    """The user called ``username`` (any case), or None."""
    row = connection.execute(
        select(app_user).where(app_user.c.username == username.strip().lower())
    ).first()
    return None if row is None else _user(row)


def password_hash(connection: Connection, user_id: int) -> str:
    """The stored hash of a user's password (for signing in only)."""
    return str(
        connection.execute(
            select(app_user.c.password_hash).where(app_user.c.id == user_id)
        ).scalar_one()
    )


def list_users(connection: Connection) -> list[User]:
    """Every user, by username."""
    return [_user(r) for r in connection.execute(select(app_user).order_by(app_user.c.username))]


def update_user(
    connection: Connection,
    user_id: int,
    *,
    roles: Iterable[str] | None = None,
    active: bool | None = None,
    display_name: str | None = None,
    email: str | None = None,
    end_sessions: bool = False,
) -> User:
    """Change a user's roles, state or details; ``end_sessions`` signs them out everywhere."""
    values: dict[str, Any] = {}
    if roles is not None:
        values["roles"] = _checked_roles(roles)
    if active is not None:
        values["active"] = active
    if display_name is not None:
        values["display_name"] = display_name.strip()
    if email is not None:
        values["email"] = email.strip()
    if end_sessions or active is False or roles is not None:
        values["session_epoch"] = app_user.c.session_epoch + 1
    if values:
        connection.execute(update(app_user).where(app_user.c.id == user_id).values(**values))
    user = get_user(connection, user_id)
    if user is None:
        raise JsnaError(f"no user with id {user_id}")
    return user


def set_password(connection: Connection, user_id: int, password: str) -> None:
    """Set a new password and end the user's other sessions."""
    connection.execute(
        update(app_user)
        .where(app_user.c.id == user_id)
        .values(password_hash=hash_password(password), session_epoch=app_user.c.session_epoch + 1)
    )


def record_sign_in(connection: Connection, user_id: int, password: str, hashed: str) -> None:
    """Note the time of a successful sign-in; re-hash when argon2's parameters changed."""
    values: dict[str, Any] = {"last_login_at": datetime.now(UTC)}
    if _HASHER.check_needs_rehash(hashed):
        values["password_hash"] = _HASHER.hash(password)
    connection.execute(update(app_user).where(app_user.c.id == user_id).values(**values))
