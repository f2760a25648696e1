"""Subscribers to the status page's SMS, for managers: who gets messages about each component, the latest
messages sent, adding a customer's contact, taking one off a component.

Customers' contacts subscribe themselves by SMS (router/status/subscribers.py); a manager may add one a
customer asked for. Forms post and are answered with a redirect; a refusal says why.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from router import db
from router.console import bp
from router.console.access import MANAGERS, allow
from router.models.status import StatusMessage
from router.runtime import runtime
from router.status import subscribers as subscriber_store
from router.status.subscribers import SubscriberError

LATEST = 20


@bp.get("/subscribers")
@allow(*MANAGERS)
def subscribers():
    """Every component's subscribers, the latest messages, and the form to add one."""
    support, session = runtime().support, db.session()
    latest = session.scalars(select(StatusMessage).order_by(StatusMessage.id.desc()).limit(LATEST)).all()
    contacts = [(number, customer.name) for customer in support.customers for number in customer.contacts]
    zone = (support.status_page.time_zone or support.lines[0].timezone).key
    return render_template("console/subscribers.html", components=subscriber_store.by_component(session, support),
                           latest=latest, contacts=contacts, zone=zone,
                           component_names={c.id: c.name for c in support.components})


@bp.post("/subscribers")
@allow(*MANAGERS)
def subscribers_add():
    """Subscribe a configured customer contact to the components ticked."""
    phone, components = request.form.get("contact", ""), request.form.getlist("components")
    session = db.session()
    try:
        subscriber_store.add(session, runtime().support, phone, components, runtime().now())
        session.commit()
    except SubscriberError as exc:
        session.rollback()
        flash(f"Not subscribed: {exc}.", "error")
        return redirect(url_for("console.subscribers"))
    except BaseException:
        session.rollback()
        raise
    flash(f"{phone} subscribed to {', '.join(components)}.", "success")
    return redirect(url_for("console.subscribers"))


@bp.post("/subscribers/<int:subscriber_id>/remove")
@allow(*MANAGERS)
def subscribers_remove(subscriber_id: int):
    """Take a subscriber off one component."""
    component = request.form.get("component", "")
    session = db.session()
    try:
        removed = subscriber_store.remove(session, subscriber_id, component)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    flash("Removed from " + component + "." if removed else "That subscriber was not on " + component + ".",
          "success" if removed else "error")
    return redirect(url_for("console.subscribers"))
