"""The on-call page: who holds each pager, the policies, the coming weeks, overrides and test notifications.

Engineers and managers both make and remove overrides; a test notification goes to one's own phone
(managers: anyone's). Every form posts, is answered with a redirect (PRG), and a refusal says why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from router import contact_tests, db, overrides
from router.console import bp
from router.console.access import ON_CALL, allow, user
from router.console.render import line_zone
from router.links import external_url
from router.models import Role
from router.oncall import feed_token, overrides_since
from router.oncall_board import calendar, gaps, policy_now, rotations_now
from router.runtime import runtime

T = TypeVar("T")
CALENDAR_DAYS = 28
GAP_HORIZON = dt.timedelta(days=14)


@bp.get("/oncall")
@allow(*ON_CALL)
def oncall():
    """The on-call page."""
    return _page()


def _page(form: dict | None = None, status: int = 200):
    support, now, session = runtime().support, runtime().now(), db.session()
    in_force = overrides.entries(session, support, overrides_since(support, now))
    applied = overrides.by_rotation(support, in_force)
    rotations = support.rotations_by_id
    policies = [(p.id, policy_now(support.policy(p.id), rotations, applied, now)) for p in support.escalation_policies]
    warnings = [gap for p in support.escalation_policies
                for gap in gaps(support.policy(p.id), rotations, applied, now, now + GAP_HORIZON)]
    calendars = [(r, _weeks(calendar(r, applied[r.name], now.astimezone(r.timezone).date(), CALENDAR_DAYS)))
                 for r in rotations.values()]
    me = user()
    return render_template(
        "console/oncall.html", now=now, support=support, rotations=rotations_now(rotations, applied, now),
        policies=policies, warnings=warnings, calendars=calendars,
        upcoming=[e for e in in_force if e.ends > now],
        removed=overrides.entries(session, support, now - dt.timedelta(days=30), removed=True)[:10],
        feeds=_feeds(support), tests=contact_tests.latest(session), names={p.id: p.name for p in support.people},
        testable={p.id for p in support.people if _may_test(me, p.id)},
        form=form or {}, zones={r.name: r.timezone.key for r in rotations.values()},
        test_zones={p.id: line_zone(contact_tests.sender(support, p.phone)) for p in support.people}), status


def _weeks(days: list) -> list[list]:
    """The days in rows of seven, for a calendar grid."""
    return [days[i:i + 7] for i in range(0, len(days), 7)]


def _feeds(support) -> list[tuple[str, str, str]]:
    """(what, name, URL) of each rotation's and person's iCalendar feed, signed for calendar apps."""
    secret = current_app.config["SECRET_KEY"]
    found = [("rotation", rotation_id, external_url("calendars.rotation", rotation_id=rotation_id,
                                                     token=feed_token(secret, "rotation", rotation_id)))
             for rotation_id in support.rotations_by_id]
    found += [("person", p.name, external_url("calendars.person", person_id=p.id,
                                              token=feed_token(secret, "person", p.id))) for p in support.people]
    return found


def _may_test(account, person_id: str) -> bool:
    """Managers test anyone's phone; an engineer their own (a test at 3 AM is nobody else's call)."""
    return account.role == Role.MANAGER or account.person_id == person_id


@bp.post("/oncall/overrides")
@allow(*ON_CALL)
def oncall_override_create():
    """Make an override from the form; a refusal shows the page again with the reason and what was typed."""
    form = {key: request.form.get(key, "").strip() for key in ("rotation", "person", "replaces", "starts", "ends",
                                                              "reason")}
    support, now = runtime().support, runtime().now()
    try:
        wanted = overrides.Request(form["rotation"], form["person"], form["replaces"] or None,
                                   _local(form["starts"], "starts"), _local(form["ends"], "ends"), form["reason"])
        _write(lambda session: overrides.create(session, support, wanted, user().username, now))
    except overrides.OverrideError as exc:
        flash(f"The override was not made: {exc}.", "error")
        return _page(form, 400)
    covered = f" for {support.person_name(wanted.replaces)}" if wanted.replaces else ""
    flash(f"Override made: {support.person_name(wanted.person_id)} covers {wanted.rotation_id}{covered} "
          f"from {form['starts'].replace('T', ' ')} to {form['ends'].replace('T', ' ')}.", "success")
    return redirect(url_for("console.oncall"))


def _write(work: Callable[[Session], T]) -> T:
    """`work(session)`, committed (or rolled back); loading the logged-in account has begun the transaction."""
    session = db.session()
    try:
        result = work(session)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return result


def _local(text: str, name: str) -> dt.datetime:
    """A date and time from the form's datetime-local field (local to the rotation, no offset)."""
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise overrides.OverrideError(f"{name}: give a date and time, like 2026-11-30 09:00") from None


@bp.post("/oncall/overrides/remove")
@allow(*ON_CALL)
def oncall_override_remove():
    """Remove an override, the configuration's too (its row says so; the file is left as it is)."""
    support, now = runtime().support, runtime().now()
    try:
        entry = _write(lambda session: overrides.remove(session, support, request.form.get("override", ""),
                                                        user().username, now))
    except overrides.OverrideError as exc:
        flash(f"Nothing was removed: {exc}.", "error")
        return redirect(url_for("console.oncall"))
    except IntegrityError:  # removed by someone else a moment before
        flash("Nothing was removed: that override was removed already.", "error")
        return redirect(url_for("console.oncall"))
    flash(f"Override removed: {support.person_name(entry.person_id)} on {entry.rotation_id}.", "success")
    return redirect(url_for("console.oncall"))


@bp.post("/oncall/test/<person_id>/<channel>")
@allow(*ON_CALL)
def oncall_test(person_id: str, channel: str):
    """Send a test SMS or call to a person's phone: the row first, Twilio after the commit."""
    if channel not in ("sms", "voice"):
        abort(404)
    if not _may_test(user(), person_id):
        abort(403)
    run = runtime()
    try:
        test = _write(lambda session: contact_tests.add(session, run.support, person_id, channel, user().username,
                                                        run.now()))
    except contact_tests.ContactTestError as exc:
        flash(f"No test was sent: {exc}.", "error")
        return redirect(url_for("console.oncall", _anchor="tests"))
    sent = contact_tests.send(run.services, test.id)
    what = "Test SMS" if channel == "sms" else "Test call"
    if sent.status == "failed":
        flash(f"{what} to {run.support.person_name(person_id)} failed: {sent.error}", "error")
    else:
        flash(f"{what} sent to {run.support.person_name(person_id)} ({sent.to}): {sent.status}. "
              "Refresh to follow its delivery.", "success")
    return redirect(url_for("console.oncall", _anchor="tests"))
