"""What makes two reports one incident: symptom classes, service keys, fingerprints."""

import uuid

import pytest

from jamono.actions.incidents import dedup_key, meeting_fingerprint, service_key, symptom_of, ticket_fingerprint
from jamono.integrations.base import FINGERPRINT_PATTERN


@pytest.mark.parametrize(
    ("text", "symptom"),
    [
        ("checkout api returns 502 for every customer", "errors"),
        ("checkout throwing 5xx errors", "errors"),
        ("le service paiement renvoie des erreurs", "errors"),
        ("checkout is really slow, p99 at 4s", "latency"),
        ("pods in CrashLoopBackOff after the deploy", "crash"),
        ("payments est en panne", "down"),
        ("disk full on db-3", "disk"),
        ("the download page looks odd", None),  # "down" is a word, not a prefix
        ("failover finished fine", None),
    ],
)
def test_symptoms_are_coarse_classes(text, symptom):
    assert symptom_of(text) == symptom


def test_same_service_and_symptom_share_a_key_and_different_ones_do_not():
    assert (
        dedup_key("checkout-api", "returns 502") == dedup_key("Checkout", "5xx errors everywhere") == "checkout:errors"
    )
    assert dedup_key("checkout", "very slow") != dedup_key("checkout", "502 errors")
    assert dedup_key(None, "502 errors") is None and dedup_key("checkout", "hello") is None
    assert service_key("Payments Service") == "payments"


def test_fingerprints_are_stable_per_thread_inert_and_tenant_scoped():
    tenant, other = uuid.uuid4(), uuid.uuid4()
    a = ticket_fingerprint(tenant, "C1", "1.2", "ticket:x")
    assert a == ticket_fingerprint(tenant, "C1", "1.2", "ticket:y")  # same thread, whatever the proposal
    assert a != ticket_fingerprint(other, "C1", "1.2", "ticket:x")
    assert ticket_fingerprint(tenant, "C1", None, "k1") != ticket_fingerprint(tenant, "C1", None, "k2")
    import re

    for fp in (a, meeting_fingerprint(tenant, "meeting:1")):
        assert re.match(FINGERPRINT_PATTERN, fp)
