"""`router test-page PERSON`: a test SMS or call to a person's phone, waiting for Twilio's delivery status."""

from __future__ import annotations

import getpass

import click

from router import contact_tests
from router.cli_support import config_option, settings_or_exit
from router.paging.statuses import Delivery

REACHED = {Delivery.DELIVERED, Delivery.COMPLETED, Delivery.READ}


@click.command("test-page")
@config_option
@click.argument("person_id", metavar="PERSON")
@click.option("--channel", type=click.Choice(["sms", "voice", "both"]), default="both", show_default=True)
@click.option("--timeout", default=90.0, show_default=True, help="seconds to wait for the delivery status")
@click.pass_context
def test_page(ctx: click.Context, person_id: str, channel: str, timeout: float) -> None:
    """Send a test notification to PERSON's phone (as the console does) and wait for its delivery status.

    Exits 1 unless every test reached the phone (an SMS delivered, a call answered).
    """
    from router import db
    from router.paging.services import make_services

    settings, support = settings_or_exit(ctx)
    services = make_services(settings, support)
    ctx.call_on_close(services.engine.dispose)
    db.require_schema(services.engine)
    channels = ["sms", "voice"] if channel == "both" else [channel]
    by = f"cli:{getpass.getuser()}"[:64]
    ids = []
    for each in channels:
        with services.sessions() as session, session.begin():
            try:
                ids.append(contact_tests.add(session, support, person_id, each, by, services.clock()).id)
            except contact_tests.ContactTestError as exc:
                raise click.ClickException(str(exc)) from None
    for test_id in ids:
        sent = contact_tests.send(services, test_id)
        click.echo(f"{_word(sent.channel)} to {sent.to}: {sent.status} (waiting for delivery...)")
    results = contact_tests.wait(services, ids, timeout)
    for sent in results:
        final = "" if Delivery(sent.status).final else f" (no final status within {timeout:g} s)"
        error = f": {sent.error}" if sent.error else ""
        click.echo(f"{_word(sent.channel)} to {sent.to}: {sent.status}{final}{error}")
    if not all(Delivery(sent.status) in REACHED for sent in results):
        ctx.exit(1)


def _word(channel: str) -> str:
    return "test SMS" if channel == "sms" else "test call"
