"""Subscribers to the status page's SMS: texts from customers' contacts, and the console's list, add, remove.

What a text means is decided in `statuspage.subscriptions`; this reads what it needs, in the webhook's
transaction, and stores what it decided. A number that replied STOP keeps its row, stopped: the console
cannot add it back, only its own START can.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, selectinload

from router.config import SupportConfig
from router.models import InboundSms
from router.models.status import (
    ComponentState,
    Incident,
    IncidentComponent,
    StatusMessage,
    Subscriber,
    SubscriberComponent,
)
from statuspage.subscriptions import (
    HELP_LIMIT,
    Answer,
    Component,
    Outcome,
    Sender,
    Situation,
    answer_text,
    read_text,
)
from statuspage.vocabulary import ComponentStatus, IncidentStatus, MaintenanceStatus

UNRESOLVED = [s.value for s in IncidentStatus if s.unresolved] + [s.value for s in MaintenanceStatus if s.active]


class SubscriberError(ValueError):
    """A change to the subscribers the console refuses, and why."""


def text_received(session: Session, support: SupportConfig, sender: str | None, line_number: str | None,
                  body: str | None, now: dt.datetime) -> Answer:
    """Answer a text from a number that is not an engineer's, and store the change it asks for."""
    if sender is None:
        return Answer(Outcome.IGNORED, "no sender number, ignored")
    subscriber = session.scalars(select(Subscriber).where(Subscriber.phone == sender)
                                 .with_for_update().options(selectinload(Subscriber.components))).first()
    customer = support.customer_by_phone(sender)
    facts = Sender(customer.name if customer else None, _subscribed(support, subscriber), subscriber is not None,
                   subscriber is not None and subscriber.stopped_at is not None, _helps_in_a_row(session, sender))
    answer = answer_text(read_text(body), facts, situation(session, support, line_number))
    if answer.stop or answer.subscribe:
        if subscriber is None:
            subscriber = Subscriber(phone=sender, customer_id=customer.id if customer else None, created_at=now)
            session.add(subscriber)
        if answer.stop:
            subscriber.stopped_at = now
        _add_components(subscriber, answer.subscribe)
    if answer.start and subscriber is not None:
        subscriber.stopped_at = None
    if answer.unsubscribe and subscriber is not None:
        subscriber.components = [c for c in subscriber.components if c.component_id not in answer.unsubscribe]
    return answer


def situation(session: Session, support: SupportConfig, line_number: str | None) -> Situation:
    """The page seen from the line texted (a line naming no components serves them all)."""
    states = dict(session.execute(select(ComponentState.component_id, ComponentState.status)).all())
    components = tuple(Component(c.id, c.name, ComponentStatus(states.get(c.id, ComponentStatus.OPERATIONAL)))
                       for c in support.components)
    line = support.line(line_number)
    served = (line.components if line else ()) or tuple(c.id for c in support.components)
    incidents = session.execute(
        select(Incident.name, Incident.status).where(
            Incident.status.in_(UNRESOLVED),
            exists().where(IncidentComponent.incident_id == Incident.id,
                           IncidentComponent.component_id.in_(served)))
        .order_by(Incident.created_at.desc()).limit(3)).all()
    number = line.number if line else (support.lines[0].number if support.lines else "")
    return Situation(support.status_page.name, components, served, tuple(incidents), number)


def _subscribed(support: SupportConfig, subscriber: Subscriber | None) -> tuple[str, ...]:
    """The subscriber's components in the page's order."""
    mine = {c.component_id for c in subscriber.components} if subscriber else set()
    return tuple(c.id for c in support.components if c.id in mine)


def _add_components(subscriber: Subscriber, component_ids: tuple[str, ...]) -> None:
    have = {c.component_id for c in subscriber.components}
    subscriber.components.extend(SubscriberComponent(component_id=c) for c in component_ids if c not in have)


def _helps_in_a_row(session: Session, number: str) -> int:
    """How many of the number's last texts got the help text (or were refused it)."""
    kinds = session.scalars(select(InboundSms.kind).where(InboundSms.from_number == number,
                                                          InboundSms.person_id.is_(None))
                            .order_by(InboundSms.id.desc()).limit(HELP_LIMIT)).all()
    count = 0
    for kind in kinds:
        if kind not in (Outcome.HELP, Outcome.HELP_WITHHELD):
            break
        count += 1
    return count


@dataclass(frozen=True)
class Listed:
    """A subscriber as the console lists it under one of its components."""

    id: int
    phone: str
    customer: str | None
    since: dt.datetime
    stopped_at: dt.datetime | None
    messages: int


def by_component(session: Session, support: SupportConfig) -> list[tuple[str, str, list[Listed]]]:
    """(component id, name, its subscribers by phone) for every configured component."""
    counts = dict(session.execute(select(StatusMessage.subscriber_id, func.count())
                                  .group_by(StatusMessage.subscriber_id)).all())
    rows = session.execute(select(SubscriberComponent.component_id, Subscriber)
                           .join(Subscriber, Subscriber.id == SubscriberComponent.subscriber_id)
                           .order_by(Subscriber.phone)).all()
    listed: dict[str, list[Listed]] = {}
    for component_id, s in rows:
        customer = support.customer(s.customer_id)
        listed.setdefault(component_id, []).append(
            Listed(s.id, s.phone, customer.name if customer else None, s.created_at, s.stopped_at, counts.get(s.id, 0)))
    return [(c.id, c.name, listed.get(c.id, [])) for c in support.components]


def add(session: Session, support: SupportConfig, phone: str, component_ids: list[str], now: dt.datetime) -> Subscriber:
    """Subscribe a configured customer contact to components (SubscriberError says why not)."""
    customer = support.customer_by_phone(phone)
    if customer is None:
        raise SubscriberError(f"{phone} is not a contact of any configured customer")
    known = {c.id for c in support.components}
    unknown = [c for c in component_ids if c not in known]
    if unknown or not component_ids:
        raise SubscriberError(f"no such component: {', '.join(unknown)}" if unknown else "choose a component")
    subscriber = session.scalars(select(Subscriber).where(Subscriber.phone == phone).with_for_update()
                                 .options(selectinload(Subscriber.components))).first()
    if subscriber is None:
        subscriber = Subscriber(phone=phone, customer_id=customer.id, created_at=now)
        session.add(subscriber)
    elif subscriber.stopped_at is not None:
        raise SubscriberError(f"{phone} replied STOP: only a START from that phone subscribes it again")
    _add_components(subscriber, tuple(component_ids))
    session.flush()
    return subscriber


def remove(session: Session, subscriber_id: int, component_id: str) -> bool:
    """Take a subscriber off a component; one left with no component and no message logged goes. Whether
    it was subscribed to it."""
    link = session.get(SubscriberComponent, (subscriber_id, component_id))
    if link is None:
        return False
    session.delete(link)
    session.flush()
    left = session.scalar(select(func.count()).select_from(SubscriberComponent)
                          .where(SubscriberComponent.subscriber_id == subscriber_id))
    logged = session.scalar(select(StatusMessage.id).where(StatusMessage.subscriber_id == subscriber_id).limit(1))
    subscriber = session.get(Subscriber, subscriber_id)
    if not left and logged is None and subscriber is not None and subscriber.stopped_at is None:
        session.delete(subscriber)  # a stopped one stays: its STOP is remembered
    return True
