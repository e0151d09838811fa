-- NOX's daily figures per tenant, workspace and agent (the seed's agent_metrics: response_time,
-- success_rate, user_satisfaction, token_usage, action_count), rolled up from agent_interactions
-- (and the actions table) by jamono.observability.agent_metrics. Days are UTC days. Additive
-- counts are kept beside the rates so any window's figures can be summed exactly; the latency
-- percentiles are per day only (percentiles do not add up across days).
CREATE TABLE agent_metrics (
    tenant_id          uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    workspace_id       uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    agent_id           uuid NOT NULL REFERENCES agents (id),
    day                date NOT NULL,
    interactions       integer NOT NULL DEFAULT 0 CHECK (interactions >= 0),
    successes          integer NOT NULL DEFAULT 0 CHECK (successes >= 0),
    questions          integer NOT NULL DEFAULT 0,
    incidents          integer NOT NULL DEFAULT 0,
    response_time      double precision,            -- mean, milliseconds
    response_time_p50  double precision,            -- milliseconds
    response_time_p95  double precision,            -- milliseconds
    success_rate       double precision CHECK (success_rate BETWEEN 0 AND 1),
    thumbs_up          integer NOT NULL DEFAULT 0,
    thumbs_down        integer NOT NULL DEFAULT 0,
    user_satisfaction  double precision CHECK (user_satisfaction BETWEEN 0 AND 1),  -- 👍 share of votes
    token_usage        bigint NOT NULL DEFAULT 0,
    action_count       integer NOT NULL DEFAULT 0,
    actions            jsonb NOT NULL DEFAULT '{}'::jsonb,  -- per kind: {"tickets": n, "meetings": n}
    computed_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, workspace_id, agent_id, day)
);
CREATE INDEX agent_metrics_day_idx ON agent_metrics (tenant_id, day);

SELECT jamono_protect_tenant_table('agent_metrics');

GRANT SELECT, INSERT, UPDATE, DELETE ON agent_metrics TO jamono_app;
