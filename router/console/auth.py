"""Logging in and out: Flask-Login's session, checked against the accounts, with a rate limit."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import LoginManager, UserMixin, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from router import db
from router.console import bp
from router.models import User
from router.runtime import runtime
from router.users import check_login, throttled

login_manager = LoginManager()
login_manager.login_view = "console.login"
login_manager.login_message = "Log in to see this page."
login_manager.session_protection = "strong"


class Account(UserMixin):
    """The logged-in account, as Flask-Login holds it; its id changes with the password."""

    def __init__(self, user: User) -> None:
        self.account = user
        self.role = user.role
        self.username = user.username

    def get_id(self) -> str:
        return f"{self.account.id}:{self.account.session_token}"


@login_manager.user_loader
def _load(session_id: str) -> Account | None:
    row, _, token = session_id.partition(":")
    if not row.isascii() or not row.isdigit() or len(row) > 9:
        return None
    # The request's own session (a second one would wait on SQLite for the lock the first holds). A
    # transaction begun here only for this read ends here, so that a view may still begin its own.
    session = db.session()
    began = not session.in_transaction()
    try:
        user = session.get(User, int(row))
        if user is None or user.session_token != token:
            return None
        session.expunge(user)
    finally:
        if began:
            session.rollback()
    return Account(user)


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me logged in on this device")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The log-in page; after five wrong passwords for a name (or twenty from an address) it waits."""
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        session, now = db.session(), runtime().now()
        address = request.remote_addr or "unknown"
        with session.begin():
            wait = throttled(session, form.username.data, address, now)
            user = None if wait else check_login(session, form.username.data, form.password.data, address, now)
        if wait:
            minutes = max(1, round(wait.total_seconds() / 60))
            flash(f"Too many failed log-ins. Try again in {minutes} minute{'s' if minutes > 1 else ''}.", "error")
            status = 429
        elif user is None:
            flash("Wrong username or password.", "error")
            status = 401
        else:
            login_user(Account(user), remember=bool(form.remember.data))
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 400
    return render_template("console/login.html", form=form), status


@bp.post("/logout")
def logout():
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("console.login"))


def _safe_next(target: str | None) -> str:
    """Back to the page that asked for the log-in, never to another site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("console.home")
