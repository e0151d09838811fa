"""Two reports of one incident decided at once: exactly one files, whatever order their
confirmations commit in (real PostgreSQL, two connections)."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

from jamono.actions import store
from jamono.actions.models import TICKET, TicketParams
from jamono.platform.db import tenant_tx

WINDOW = timedelta(hours=6)


def _report(pool, workspace, dedup: str, n: int):
    params = TicketParams(
        summary=f"payments returns 502 ({n})",
        severity="high",
        service="payments",
        reporter="U0DEV",
        channel="C0OPS",
        dedup_key=dedup,
    )
    with tenant_tx(pool, workspace.tenant_id) as conn:
        return store.propose(
            conn,
            workspace_id=workspace.workspace_id,
            type=TICKET,
            key=f"ticket:{uuid.uuid4()}",
            fingerprint=f"inc-{uuid.uuid4().hex[:16]}",
            parameters=params.model_dump(mode="json"),
            interaction_id=None,
            proposed_by="U0DEV",
            channel_id="C0OPS",
            thread_ts=f"17000{n}.000100",
        )


def test_a_confirmation_stamped_first_but_committed_last_does_not_file_a_second_ticket(pool, workspace):
    dedup = f"payments:{uuid.uuid4().hex[:8]}"
    first, second = _report(pool, workspace, dedup, 1), _report(pool, workspace, dedup, 2)
    # `first` is confirmed (stamped) before `second`, but its transaction commits only after
    # `second` confirmed, committed and decided: the order the old rule trusted is not the order
    # in which the rows become visible.
    stamped, go = threading.Event(), threading.Event()

    def confirm_first_slowly() -> None:
        with tenant_tx(pool, workspace.tenant_id) as conn:
            store.confirm(conn, first.id, "U0ONE")
            stamped.set()
            go.wait(10)

    slow = threading.Thread(target=confirm_first_slowly)
    slow.start()
    assert stamped.wait(10)
    with tenant_tx(pool, workspace.tenant_id) as conn:
        confirmed_second = store.confirm(conn, second.id, "U0TWO")
    with tenant_tx(pool, workspace.tenant_id) as conn:
        second_waits_for = store.same_incident(conn, confirmed_second, WINDOW)
    go.set()
    slow.join(10)
    with tenant_tx(pool, workspace.tenant_id) as conn:
        confirmed_first = store.get(conn, first.id)
        assert confirmed_first.confirmed_at < confirmed_second.confirmed_at
        first_waits_for = store.same_incident(conn, confirmed_first, WINDOW)
    filers = [a for a, waits_for in ((first, first_waits_for), (second, second_waits_for)) if waits_for is None]
    assert [a.id for a in filers] == [second.id]  # the first to decide files…
    assert first_waits_for is not None and first_waits_for.id == second.id  # …and the other waits for its ticket


def test_a_filer_that_failed_for_good_no_longer_holds_the_incident(pool, workspace):
    dedup = f"payments:{uuid.uuid4().hex[:8]}"
    first, second = _report(pool, workspace, dedup, 3), _report(pool, workspace, dedup, 4)
    with tenant_tx(pool, workspace.tenant_id) as conn:
        assert store.same_incident(conn, store.confirm(conn, first.id, "U0ONE"), WINDOW) is None
        store.fail(conn, first.id, "Jira refused the project")
    with tenant_tx(pool, workspace.tenant_id) as conn:
        assert store.same_incident(conn, store.confirm(conn, second.id, "U0TWO"), WINDOW) is None
