"""Accounts: the /account page with its forms, and the same actions as JSON under /api/auth."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from sqlmodel import Session

from app.deps import NowDep, SessionDep, TemplatesDep, Viewer
from app.models import User
from app.schemas import ErrorOut
from app.security.passwords import MAX_LENGTH, MIN_LENGTH
from app.security.sessions import end_session, start_session
from app.services import accounts
from app.services.accounts import USERNAME_RULE, AccountError

pages = APIRouter(tags=["pages"], include_in_schema=False)
api = APIRouter(prefix="/api/auth", tags=["accounts"])

# What the page says after an action succeeded (?done=...): fixed texts, nothing reflected.
DONE = {
    "registered": "Your account is ready and your progress is in it. Log in with it on any device.",
    "logged-in": "You are logged in.",
    "logged-out": "You are logged out. This browser now studies as a new guest.",
    "everywhere": "Every session of your account has ended, this one too. Log in to continue.",
    "password": "Password changed. Every other session of your account has ended.",
    "deleted": "Your account and all its progress are deleted.",
}


class CredentialsIn(BaseModel):
    username: str = Field(min_length=1, max_length=40, description=USERNAME_RULE)
    password: str = Field(
        min_length=1,
        max_length=MAX_LENGTH,
        description=f"{MIN_LENGTH} to {MAX_LENGTH} characters, not a common password",
    )


class PasswordChangeIn(BaseModel):
    current_password: str = Field(min_length=1, max_length=MAX_LENGTH)
    new_password: str = Field(min_length=1, max_length=MAX_LENGTH)


class PasswordIn(BaseModel):
    password: str = Field(min_length=1, max_length=MAX_LENGTH, description="Your current password")


class AccountOut(BaseModel):
    username: str | None = Field(description="None while studying as a guest")
    guest: bool


ERRORS = {
    401: {"model": ErrorOut, "description": "Wrong username or password"},
    409: {"model": ErrorOut, "description": "Conflicts with the current state"},
    429: {"model": ErrorOut, "description": "Too many failures; see Retry-After"},
}


def account_of(user: User | None) -> AccountOut:
    name = user.username if user else None
    return AccountOut(username=name, guest=name is None)


def client_ip(request: Request) -> str:
    # Behind a proxy, uvicorn's --proxy-headers has already put the client's address here.
    return request.client.host if request.client else "unknown"


# --- JSON ---------------------------------------------------------------------------------------


@api.get("/me", response_model=AccountOut)
def me(user: Viewer):
    """Who this session is: a guest or a username."""
    return account_of(user)


@api.post("/register", response_model=AccountOut, status_code=201, responses=ERRORS)
def register(body: CredentialsIn, request: Request, user: Viewer, session: SessionDep, now: NowDep):
    """Turn this guest into an account: everything studied so far stays with it."""
    user = accounts.register(session, user, body.username, body.password, client_ip(request), now)
    start_session(request, user)
    return account_of(user)


@api.post("/login", response_model=AccountOut, responses=ERRORS)
def login(body: CredentialsIn, request: Request, user: Viewer, session: SessionDep, now: NowDep):
    """Log in: a new session for the account. A guest's own progress stays with the guest."""
    account = accounts.login(session, user, body.username, body.password, client_ip(request), now)
    start_session(request, account)
    return account_of(account)


@api.post("/logout", response_model=AccountOut)
def logout(request: Request, user: Viewer, session: SessionDep):
    """End this browser's session: a copy of its cookie stops working too, and so do the
    account's other sessions (one version per account). A guest has no account to leave."""
    if user.username is None:
        return account_of(user)
    accounts.end_all_sessions(session, user)
    end_session(request)
    return account_of(None)


@api.post("/logout-everywhere", response_model=AccountOut, responses=ERRORS)
def logout_everywhere(request: Request, user: Viewer, session: SessionDep):
    """End every session of this account on every device, this one included."""
    accounts.end_all_sessions(session, user)
    end_session(request)
    return account_of(None)


@api.post("/password", response_model=AccountOut, responses=ERRORS)
def change_password(
    body: PasswordChangeIn, request: Request, user: Viewer, session: SessionDep, now: NowDep
):
    """Change the password; every other session of the account ends, this one goes on."""
    user = accounts.change_password(
        session, user, body.current_password, body.new_password, client_ip(request), now
    )
    start_session(request, user)
    return account_of(user)


@api.post("/delete", response_model=AccountOut, responses=ERRORS)
def delete_account(
    body: PasswordIn, request: Request, user: Viewer, session: SessionDep, now: NowDep
):
    """Delete the account and every review, quiz, setting and lab record it owns."""
    accounts.delete_account(session, user, body.password, client_ip(request), now)
    end_session(request)
    return account_of(None)


# --- pages --------------------------------------------------------------------------------------


def _page(
    request: Request,
    templates,
    user: User,
    session,
    *,
    done: str | None = None,
    form: str | None = None,
    error: AccountError | None = None,
    values: dict | None = None,
):
    errors = {form: {error.field: error.message}} if form and error else {}
    context = {
        "account": account_of(user),
        "has_progress": user.username is None and accounts.has_progress(session, user.id),
        "done": DONE.get(done or ""),
        "errors": errors,
        "values": values or {},
        "min_length": MIN_LENGTH,
        "max_length": MAX_LENGTH,
        "username_rule": USERNAME_RULE,
        "export_url": _export_url(request),
    }
    headers = {"Retry-After": str(error.retry_after)} if error and error.retry_after else None
    status = error.status if error else 200
    return templates.TemplateResponse(
        request, "account/account.html", context, status_code=status, headers=headers
    )


def _export_url(request: Request) -> str | None:
    """Where the learner can download their progress, if this build has that page."""
    urls = request.app.state.feature_urls
    if "export" in urls:
        return urls["export"]
    return f"{urls['progress']}#backup" if "progress" in urls else None


def _done(what: str) -> RedirectResponse:
    return RedirectResponse(f"/account?done={what}", status_code=303)


@pages.get("/account", response_class=HTMLResponse)
def account_page(
    request: Request,
    user: Viewer,
    session: SessionDep,
    templates: TemplatesDep,
    done: str | None = None,
):
    return _page(request, templates, user, session, done=done)


Text = Annotated[str, Form()]


@dataclass(frozen=True, slots=True)
class AccountForm:
    """One of the account page's forms being sent: who sends it, and how it ends."""

    request: Request
    user: User
    session: Session
    templates: Jinja2Templates
    now: datetime

    @property
    def ip(self) -> str:
        return client_ip(self.request)

    def submit(
        self,
        form: str,
        action: Callable[[], User | None],
        *,
        done: str,
        signed_in: bool,
        values: dict | None = None,
    ):
        """Run `action`; a refusal shows the page again with the message beside `form`. Then
        the session goes on as the account `action` returned, or ends."""
        try:
            account = action()
        except AccountError as error:
            return _page(
                self.request,
                self.templates,
                self.user,
                self.session,
                form=form,
                error=error,
                values=values,
            )
        if signed_in:
            start_session(self.request, account)
        else:
            end_session(self.request)
        return _done(done)


def account_form(
    request: Request, user: Viewer, session: SessionDep, templates: TemplatesDep, now: NowDep
) -> AccountForm:
    return AccountForm(request, user, session, templates, now)


FormDep = Annotated[AccountForm, Depends(account_form)]


@pages.post("/account/register", response_class=HTMLResponse)
def register_form(f: FormDep, username: Text = "", password: Text = ""):
    return f.submit(
        "register",
        lambda: accounts.register(f.session, f.user, username, password, f.ip, f.now),
        done="registered",
        signed_in=True,
        values={"register_username": username},
    )


@pages.post("/account/login", response_class=HTMLResponse)
def login_form(f: FormDep, username: Text = "", password: Text = ""):
    return f.submit(
        "login",
        lambda: accounts.login(f.session, f.user, username, password, f.ip, f.now),
        done="logged-in",
        signed_in=True,
        values={"login_username": username},
    )


@pages.post("/account/logout")
def logout_form(request: Request, user: Viewer, session: SessionDep):
    if user.username is None:
        return RedirectResponse("/account", status_code=303)
    accounts.end_all_sessions(session, user)
    end_session(request)
    return _done("logged-out")


@pages.post("/account/logout-everywhere", response_class=HTMLResponse)
def logout_everywhere_form(f: FormDep):
    return f.submit(
        "everywhere",
        lambda: accounts.end_all_sessions(f.session, f.user),
        done="everywhere",
        signed_in=False,
    )


@pages.post("/account/password", response_class=HTMLResponse)
def password_form(f: FormDep, current_password: Text = "", new_password: Text = ""):
    return f.submit(
        "password",
        lambda: accounts.change_password(
            f.session, f.user, current_password, new_password, f.ip, f.now
        ),
        done="password",
        signed_in=True,
    )


@pages.post("/account/delete", response_class=HTMLResponse)
def delete_form(f: FormDep, password: Text = ""):
    return f.submit(
        "delete",
        lambda: accounts.delete_account(f.session, f.user, password, f.ip, f.now),
        done="deleted",
        signed_in=False,
    )
