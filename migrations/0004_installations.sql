-- Slack installations (OAuth "Add to Slack"), OAuth states, and integration credentials.
-- Secret columns (*_enc) hold only Fernet ciphertext (jamono/crypto.py), never plaintext (invariant 5).

-- A Fernet token is url-safe base64 of a 0x80 version byte and a 64-bit timestamp: it starts
-- with "gAAAAA". A plaintext Slack token (xoxb-…) or password can never pass for one.
CREATE FUNCTION jamono_is_ciphertext(value bytea) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT value IS NULL OR substr(value, 1, 6) = 'gAAAAA'::bytea $$;

-- One row per install, newest wins (slack_sdk's installation-store behaviour); token rotation
-- updates the row of the install it refreshes (same installed_at).
CREATE TABLE slack_installations (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id               uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    workspace_id            uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    client_id               text NOT NULL,
    app_id                  text,
    enterprise_id           text,
    enterprise_name         text,
    enterprise_url          text,
    team_id                 text,
    team_name               text,
    is_enterprise_install   boolean NOT NULL DEFAULT false,
    token_type              text,
    bot_id                  text,
    bot_user_id             text,
    bot_scopes              text,
    bot_token_enc           bytea,
    bot_refresh_token_enc   bytea,
    bot_token_expires_at    timestamptz,
    user_id                 text,
    user_scopes             text,
    user_token_enc          bytea,
    user_refresh_token_enc  bytea,
    user_token_expires_at   timestamptz,
    installed_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT slack_installations_ciphertext CHECK (
        jamono_is_ciphertext(bot_token_enc) AND jamono_is_ciphertext(bot_refresh_token_enc)
        AND jamono_is_ciphertext(user_token_enc) AND jamono_is_ciphertext(user_refresh_token_enc)
    )
);
-- The lookup: a workspace's newest install (routing resolves the workspace first).
CREATE UNIQUE INDEX slack_installations_install_key
    ON slack_installations (workspace_id, client_id, installed_at DESC);
CREATE INDEX slack_installations_tenant_idx ON slack_installations (tenant_id);

-- OAuth states are global: they exist before any tenant does. Consumed once, atomically.
CREATE TABLE slack_oauth_states (
    state      text PRIMARY KEY,
    expire_at  timestamptz NOT NULL
);
CREATE INDEX slack_oauth_states_expire_idx ON slack_oauth_states (expire_at);

-- Jira / Google credentials per workspace: non-secret settings in config, the secret encrypted.
CREATE TABLE integration_credentials (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind          text NOT NULL CHECK (kind IN ('jira', 'google')),
    config        jsonb NOT NULL DEFAULT '{}'::jsonb,
    secret_enc    bytea,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, kind),
    CONSTRAINT integration_credentials_ciphertext CHECK (jamono_is_ciphertext(secret_enc))
);
CREATE INDEX integration_credentials_tenant_idx ON integration_credentials (tenant_id);

SELECT jamono_protect_tenant_table('slack_installations');
SELECT jamono_protect_tenant_table('integration_credentials');

GRANT SELECT, INSERT, UPDATE, DELETE ON slack_installations, integration_credentials TO jamono_app;
REVOKE ALL ON slack_oauth_states FROM jamono_app;
GRANT SELECT, INSERT, DELETE ON slack_oauth_states TO jamono_app;

-- `jamono keys rotate` re-encrypts every tenant's secrets. FORCE ROW LEVEL SECURITY binds even the
-- owner (unless it is a superuser or has BYPASSRLS, which managed databases rarely grant), so
-- rotation runs as this role: it sees every row but may only read ids and ciphertext and rewrite
-- ciphertext — nothing else, and it cannot log in.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'jamono_keys') THEN
        CREATE ROLE jamono_keys NOLOGIN NOSUPERUSER NOBYPASSRLS;
    END IF;
END
$$;
GRANT jamono_keys TO CURRENT_USER;
GRANT USAGE ON SCHEMA public TO jamono_keys;
GRANT SELECT (id, bot_token_enc, bot_refresh_token_enc, user_token_enc, user_refresh_token_enc),
      UPDATE (bot_token_enc, bot_refresh_token_enc, user_token_enc, user_refresh_token_enc)
    ON slack_installations TO jamono_keys;
GRANT SELECT (id, secret_enc), UPDATE (secret_enc) ON integration_credentials TO jamono_keys;
CREATE POLICY key_rotation ON slack_installations TO jamono_keys USING (true) WITH CHECK (true);
CREATE POLICY key_rotation ON integration_credentials TO jamono_keys USING (true) WITH CHECK (true);
