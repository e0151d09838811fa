"""The state machine under a killed worker: the lease expires, the next attempt finds the ticket."""

from datetime import timedelta

from pydantic import SecretStr

from jamono.actions import store
from jamono.actions.execution import Ctx, execute, ticket_request
from jamono.actions.models import TICKET, TicketParams
from jamono.home.settings_model import load_settings, save_settings
from jamono.platform.db import tenant_tx


def _setup(pool, workspace, credentials, jira, slack_client):
    with tenant_tx(pool, workspace.tenant_id) as conn:
        save_settings(
            conn,
            workspace.workspace_id,
            {
                "jira": {
                    "url": "https://acme.atlassian.net",
                    "email": jira.email,
                    "project_key": "OPS",
                    "has_token": True,
                    "priorities": {"high": "Medium"},
                }
            },
        )
        credentials.put(conn, workspace.workspace_id, "jira_api_token", SecretStr(jira.api_token))
        credentials.set_endpoint(conn, workspace.workspace_id, "jira", jira.url)
        params = TicketParams(
            summary="payments returns 502", severity="high", service="payments", reporter="U0DEV", channel="C0OPS"
        )
        action = store.propose(
            conn,
            workspace_id=workspace.workspace_id,
            type=TICKET,
            key="ticket:test",
            fingerprint="inc-test0001",
            parameters=params.model_dump(mode="json"),
            interaction_id=None,
            proposed_by="U0DEV",
            channel_id="C0OPS",
            thread_ts=None,
        )
        store.confirm(conn, action.id, "U0DEV")
    return Ctx(pool=pool, ws=workspace, client=slack_client, credentials=credentials), action


def test_a_worker_killed_after_creating_leaves_one_ticket(pool, workspace, credentials, jira, slack, slack_client):
    ctx, action = _setup(pool, workspace, credentials, jira, slack_client)
    # The killed attempt: it claimed the row and Jira created the ticket, then the process died.
    with tenant_tx(pool, workspace.tenant_id) as conn:
        claimed = store.claim(conn, action.id, timedelta(minutes=3), "msg:killed")
        settings = load_settings(conn, workspace.workspace_id)
        tracker = credentials.tracker(conn, workspace.workspace_id, settings)
    with tracker:
        first = tracker.create(ticket_request(claimed, settings, "Dev", "ops"))
    # While its lease runs, another job (a double click) starts no parallel attempt.
    assert execute(ctx, action.id, final_attempt=False).status == "running"
    # The killed job's own message, redelivered by the queue, takes over at once and finds the ticket.
    with tenant_tx(pool, workspace.tenant_id) as conn:
        taken = store.claim(conn, action.id, timedelta(minutes=3), "msg:killed")
    assert taken is not None and taken.attempts == 2
    with tenant_tx(pool, workspace.tenant_id) as conn:  # …or, if that one is lost too, anyone once the lease ends
        conn.execute(
            "UPDATE actions SET status = 'running', lease_until = now() - interval '1 second' WHERE id = %s",
            [action.id],
        )
    finished = execute(ctx, action.id, final_attempt=False)
    assert finished.status == "done" and finished.external_id == first.key and finished.attempts == 3
    assert len(jira.issues) == 1 and len(jira.calls("POST", "/rest/api/2/issue")) == 1
    assert jira.issues[0].fields["priority"] == {"name": "Medium"}  # the workspace's mapping for "high"
    # Run again (a late redelivery): nothing new, and the thread was told once.
    assert execute(ctx, action.id, final_attempt=False).status == "done"
    assert len(jira.issues) == 1
    told = [m for m in slack.bot_messages("C0OPS") if first.key in m["text"]]
    assert len(told) == 1 and "Opened" in told[0]["text"]


def test_a_note_to_a_person_by_user_id_is_posted_once_across_a_crash(pool, workspace, credentials, slack, slack_client):
    """An action with no channel (a meeting booked from the App Home) tells its person in a DM by
    user id. A worker that dies after Slack took the note finds it in that DM on its retry."""
    import pytest

    from jamono.actions import failpoints
    from jamono.actions.execution import AFTER_NOTE, post_once

    with tenant_tx(pool, workspace.tenant_id) as conn:
        params = TicketParams(summary="disk full on runner 7", severity="medium", reporter="U0DEV")
        action = store.propose(
            conn,
            workspace_id=workspace.workspace_id,
            type=TICKET,
            key="ticket:dm-note",
            fingerprint="inc-dmnote01",
            parameters=params.model_dump(mode="json"),
            interaction_id=None,
            proposed_by="U0DEV",
            channel_id=None,
            thread_ts=None,
        )
    ctx = Ctx(pool=pool, ws=workspace, client=slack_client, credentials=credentials)
    failpoints.arm(f"{AFTER_NOTE}:announced_at")
    with pytest.raises(failpoints.InjectedCrash):
        post_once(ctx, action, "announced_at", "Opened OPS-77 for disk full on runner 7")
    post_once(ctx, action, "announced_at", "Opened OPS-77 for disk full on runner 7")  # the retry
    post_once(ctx, action, "announced_at", "Opened OPS-77 for disk full on runner 7")  # and a late redelivery
    dm = slack_client.conversations_open(users="U0DEV")["channel"]["id"]
    assert len([m for m in slack.bot_messages(dm) if "OPS-77" in m["text"]]) == 1
