"""Accounts: sign in and out, one's own account and password, user administration.

- ``/account/sign-in``: username and password (CSRF-checked). One generic message for a
  wrong password, an unknown or a disabled user (an unknown user is checked against a
  dummy hash, so timing tells nothing). Attempts are recorded and throttled
  (:mod:`.throttle`); ``next`` is followed only when it is a local path.
- ``/account/sign-out``, ``/account`` and ``/account/password``.
- ``/account/users`` (admin): list, create and change users; an admin cannot remove their
  own admin role or disable themselves. Every write is audited in its transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from jsna.errors import JsnaError
from jsna.store.schema import app_user

from . import auth, users
from .templating import render
from .throttle import blocked_until, record_attempt

__all__ = ["ROLE_WORDS", "router", "safe_next"]

router = APIRouter(prefix="/account", include_in_schema=False)

ROLE_WORDS = {
    "viewer": "Read internal and unpublished content.",
    "analyst": "Upload data and run the calculations.",
    "editor": "Draft the chapters you own and send them for review.",
    "approver": "Approve and publish chapters.",
    "admin": "Manage users and settings, and do everything the other roles can.",
}
"""What each role allows, in words."""

GENERIC_FAILURE = "The username or password is not right"

_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = users.hash_password("not a password of anyone at all")
    return _DUMMY_HASH


def safe_next(target: str | None) -> str:
    """``target`` when it is a path on this site (one leading '/'), else '/account'."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(c) < 32 for c in target)
    ):
        return "/account"
    return target


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _signed_in(request: Request) -> users.User:
    user = auth.current_user(request)
    if user is None:
        raise HTTPException(401, "Sign in to see this page.")
    return user


Errors = list[tuple[str, str]]


def _sign_in_page(
    request: Request,
    *,
    next_: str,
    username: str = "",
    errors: Errors | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "account_sign_in.html",
        status_code=status,
        next=safe_next(next_) if next_ else "",
        username=username,
        errors=errors or [],
    )


@router.get("/sign-in")
def sign_in_form(request: Request, next: str = "") -> Response:
    """The sign-in form."""
    return _sign_in_page(request, next_=next)


@router.post("/sign-in")
def sign_in(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Check the username and password; on success start a session and go to ``next``."""
    auth.check_csrf(request, csrf_token)
    name = username.strip().lower()
    if not name or not password:
        errors: Errors = []
        if not name:
            errors.append(("username", "Enter your username"))
        if not password:
            errors.append(("password", "Enter your password"))
        return _sign_in_page(request, next_=next, username=username, errors=errors, status=400)
    client = _client(request)
    engine = request.app.state.jsna.engine
    with engine.begin() as connection:
        until = blocked_until(connection, name, client)
        if until is not None:
            minutes = max(1, int((until - datetime.now(UTC)).total_seconds() // 60) + 1)
            message = (
                f"Too many failed attempts to sign in. Try again in {minutes} minutes "
                f"(after {until.strftime('%H:%M')} UTC)."
            )
            return _sign_in_page(
                request, next_=next, username=username, errors=[("username", message)], status=429
            )
        user = users.find_user(connection, name)
        hashed = users.password_hash(connection, user.id) if user else _dummy_hash()
        matches = users.verify_password(hashed, password)
        succeeded = matches and user is not None and user.active
        record_attempt(connection, name, client, succeeded)
        if succeeded:
            assert user is not None
            users.record_sign_in(connection, user.id, password, hashed)
    if not succeeded:
        return _sign_in_page(
            request,
            next_=next,
            username=username,
            errors=[("username", GENERIC_FAILURE)],
            status=400,
        )
    assert user is not None
    auth.sign_in(request, user)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/sign-out")
def sign_out(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    """End this session and go to the home page."""
    auth.check_csrf(request, csrf_token)
    auth.sign_out(request)
    return RedirectResponse("/", status_code=303)


def _account_page(
    request: Request,
    user: users.User,
    *,
    errors: Errors | None = None,
    done: bool = False,
    status: int = 200,
) -> Response:
    roles = [(r, ROLE_WORDS[r]) for r in users.ROLES if r in user.roles]
    return render(
        request,
        "account_home.html",
        status_code=status,
        me=user,
        roles=roles,
        errors=errors or [],
        done=done,
    )


@router.get("")
def account(request: Request, user: Annotated[users.User, Depends(_signed_in)]) -> Response:
    """My name, my roles and the password form."""
    return _account_page(request, user, done=request.query_params.get("changed") == "1")


@router.post("/password")
def change_password(
    request: Request,
    user: Annotated[users.User, Depends(_signed_in)],
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    confirm_password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Change my password (other sessions end; this one goes on)."""
    auth.check_csrf(request, csrf_token)
    errors: Errors = []
    engine = request.app.state.jsna.engine
    with engine.begin() as connection:
        hashed = users.password_hash(connection, user.id)
        if not users.verify_password(hashed, current_password):
            errors.append(("current_password", "Your current password is not right"))
        if len(new_password) < users.MIN_PASSWORD:
            errors.append(
                ("new_password", f"A new password needs at least {users.MIN_PASSWORD} characters")
            )
        elif new_password != confirm_password:
            errors.append(("confirm_password", "The two new passwords are not the same"))
        if errors:
            return _account_page(request, user, errors=errors, status=400)
        users.set_password(connection, user.id, new_password)
        auth.audit(connection, user, "change-password", "user", user.id)
        fresh = users.get_user(connection, user.id)
    assert fresh is not None
    auth.sign_in(request, fresh)
    return RedirectResponse("/account?changed=1", status_code=303)


# --- administration ------------------------------------------------------------------


def _field_of(message: str) -> str:
    if "password" in message:
        return "password"
    if "role" in message:
        return "roles"
    return "username"


def _users_page(
    request: Request,
    *,
    errors: Errors | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
    notice: str = "",
) -> Response:
    with request.app.state.jsna.engine.connect() as connection:
        everyone = users.list_users(connection)
        seen = {
            row.id: row.last_login_at
            for row in connection.execute(select(app_user.c.id, app_user.c.last_login_at))
        }
    return render(
        request,
        "account_users.html",
        status_code=status,
        people=everyone,
        last_seen=seen,
        all_roles=[(r, ROLE_WORDS[r]) for r in users.ROLES],
        errors=errors or [],
        form=form or {"username": "", "display_name": "", "email": "", "roles": ["viewer"]},
        notice=notice or request.query_params.get("done", ""),
    )


Admin = Annotated[users.User, Depends(auth.require("admin"))]


@router.get("/users")
def list_users(request: Request, admin: Admin) -> Response:
    """Every user: username, name, roles, state and last sign-in."""
    return _users_page(request)


@router.post("/users")
def create_user(
    request: Request,
    admin: Admin,
    username: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    roles: Annotated[list[str] | None, Form()] = None,
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Add a user with an initial password."""
    auth.check_csrf(request, csrf_token)
    chosen = roles or []
    form = {"username": username, "display_name": display_name, "email": email, "roles": chosen}
    errors: Errors = []
    if not chosen:
        errors.append(("roles", "Choose at least one role"))
    if not errors:
        try:
            with request.app.state.jsna.engine.begin() as connection:
                made = users.create_user(
                    connection,
                    username,
                    password,
                    display_name=display_name,
                    email=email,
                    roles=chosen,
                )
                auth.audit(
                    connection,
                    admin,
                    "create",
                    "user",
                    made.id,
                    username=made.username,
                    roles=sorted(made.roles),
                )
        except JsnaError as error:
            text = str(error)
            errors.append((_field_of(text), text[:1].upper() + text[1:]))
    if errors:
        return _users_page(request, errors=errors, form=form, status=400)
    return RedirectResponse(f"/account/users?done=Added+{made.username}", status_code=303)


@router.post("/users/{user_id}")
def change_user(
    request: Request,
    user_id: int,
    admin: Admin,
    roles: Annotated[list[str] | None, Form()] = None,
    active: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Change a user's roles and state; a new password when given (ends their sessions)."""
    auth.check_csrf(request, csrf_token)
    chosen = set(roles or [])
    is_active = active == "yes"
    errors: Errors = []
    field = f"user-{user_id}"
    if not chosen:
        errors.append((f"{field}-roles", "Choose at least one role"))
    if user_id == admin.id and "admin" not in chosen:
        errors.append((f"{field}-roles", "You cannot remove your own admin role"))
    if user_id == admin.id and not is_active:
        errors.append((f"{field}-active", "You cannot disable your own account"))
    if new_password and len(new_password) < users.MIN_PASSWORD:
        errors.append(
            (f"{field}-password", f"A password needs at least {users.MIN_PASSWORD} characters")
        )
    if errors:
        return _users_page(request, errors=errors, status=400)
    with request.app.state.jsna.engine.begin() as connection:
        before = users.get_user(connection, user_id)
        if before is None:
            raise HTTPException(404, f"There is no user {user_id}.")
        try:
            after = users.update_user(
                connection,
                user_id,
                roles=chosen if chosen != set(before.roles) else None,
                active=is_active if is_active != before.active else None,
            )
        except JsnaError as error:
            text = str(error)
            return _users_page(request, errors=[(f"{field}-roles", text)], status=400)
        if new_password:
            users.set_password(connection, user_id, new_password)
        auth.audit(
            connection,
            admin,
            "update",
            "user",
            user_id,
            username=after.username,
            roles=sorted(after.roles),
            active=after.active,
            password_reset=bool(new_password),
        )
        again = users.get_user(connection, admin.id)
    if user_id == admin.id and again is not None:
        auth.sign_in(request, again)
    return RedirectResponse(f"/account/users?done=Changed+{after.username}", status_code=303)
