"""Twilio's status vocabulary, in one place: the order statuses happen in, and what a call's outcome means."""

import pytest

from router.paging.statuses import Delivery, call_result, twilio_status


@pytest.mark.parametrize(("earlier", "later"), [
    (Delivery.PENDING, Delivery.SENDING), (Delivery.SENDING, Delivery.QUEUED), (Delivery.QUEUED, Delivery.SENT),
    (Delivery.INITIATED, Delivery.RINGING), (Delivery.RINGING, Delivery.IN_PROGRESS),
    (Delivery.IN_PROGRESS, Delivery.COMPLETED), (Delivery.SENT, Delivery.DELIVERED),
])
def test_statuses_rank_in_the_order_they_happen(earlier, later):
    assert earlier.rank < later.rank


@pytest.mark.parametrize(("status", "final", "in_flight", "unreached"), [
    (Delivery.PENDING, False, False, False),
    (Delivery.SENDING, False, False, False),   # ours: Twilio has not answered yet
    (Delivery.RINGING, False, True, False),
    (Delivery.COMPLETED, True, False, False),  # a person answered
    (Delivery.MACHINE, True, False, True),     # voicemail answered: nobody reached
    (Delivery.BUSY, True, False, True),
    (Delivery.DELIVERED, True, False, False),
])
def test_what_each_status_means(status, final, in_flight, unreached):
    assert (status.final, status.in_flight, status.unreached) == (final, in_flight, unreached)


@pytest.mark.parametrize(("text", "status"), [("no-answer", Delivery.NO_ANSWER), ("", None), ("ringing\x00", None),
                                              ("Completed", None)])
def test_only_twilios_own_words_are_read(text, status):
    assert twilio_status(text) is status


@pytest.mark.parametrize(("answered_by", "status"), [
    ("machine_end_beep", Delivery.MACHINE), ("fax", Delivery.MACHINE), ("human", Delivery.COMPLETED),
    (None, Delivery.COMPLETED), ("unknown", Delivery.COMPLETED),
])
def test_a_call_completed_by_voicemail_reached_nobody(answered_by, status):
    assert call_result(Delivery.COMPLETED, answered_by) is status
    assert call_result(Delivery.BUSY, answered_by) is Delivery.BUSY
