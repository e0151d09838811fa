-- Daily budgets without Redis (a RabbitMQ deployment): today's answers and LLM tokens per tenant,
-- the jobs already charged (a retried job is not charged twice) and the people told once today.
CREATE TABLE usage_daily (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    day        date NOT NULL,
    answers    integer NOT NULL DEFAULT 0,
    tokens     bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day)
);
SELECT jamono_protect_tenant_table('usage_daily');
GRANT SELECT, INSERT, UPDATE, DELETE ON usage_daily TO jamono_app;

-- 'job:<id>': an answer charged for this job today; 'notice:<user>': this person was told today.
CREATE TABLE usage_daily_marks (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    day        date NOT NULL,
    mark       text NOT NULL,
    PRIMARY KEY (tenant_id, day, mark)
);
SELECT jamono_protect_tenant_table('usage_daily_marks');
GRANT SELECT, INSERT, DELETE ON usage_daily_marks TO jamono_app;

-- What every free-plan tenant together spent today (JAMONO_FREE_POOL_DAILY): one row a day, counts
-- only, no tenant's data (like housekeeping_runs).
CREATE TABLE usage_free_pool (
    day      date PRIMARY KEY,
    answers  integer NOT NULL DEFAULT 0,
    tokens   bigint NOT NULL DEFAULT 0
);
GRANT SELECT, INSERT, UPDATE, DELETE ON usage_free_pool TO jamono_app;
