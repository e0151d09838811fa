"""Settings from the environment and `.env`; a missing or malformed one is reported in one line."""

from __future__ import annotations

import re
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, PrivateAttr, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from jamono.platform.addresses import is_loopback_host, parse_allow_list, shared_database

SANDBOX_SIGNING_SECRET = "sandbox-signing-secret-not-for-production"


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it and says what is expected."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Where embedded services keep their data when no URL is given.
    data_dir: Path = Field(default=Path(".jamono"), validation_alias="JAMONO_DATA_DIR")

    database_url: str | None = None
    # Web and workers: a login that can only become `jamono_app` (migration 0014's `jamono_login`).
    # Unset, they use DATABASE_URL; the owner's DATABASE_URL is then needed only by `jamono migrate`
    # and `jamono keys rotate`.
    app_database_url: str | None = Field(default=None, validation_alias="APP_DATABASE_URL")
    # The role the app runs as (no BYPASSRLS, not the owner): row-level security applies to it.
    db_app_role: str = Field(default="jamono_app", validation_alias="JAMONO_DB_APP_ROLE")
    db_pool_max: int = Field(default=10, ge=1, le=200, validation_alias="JAMONO_DB_POOL_MAX")

    redis_url: str | None = None
    rabbitmq_url: str | None = None
    # Redis broker: a worker silent this long is dead and its unacked jobs go back on the queue
    # (Dramatiq's maintenance, run on a random `maintenance_chance` per million broker commands).
    redis_heartbeat_timeout_ms: int = Field(
        default=60_000, ge=500, validation_alias="JAMONO_REDIS_HEARTBEAT_TIMEOUT_MS"
    )
    redis_maintenance_chance: int = Field(
        default=1_000, ge=1, le=1_000_000, validation_alias="JAMONO_REDIS_MAINTENANCE_CHANCE"
    )
    # chat.postMessage per channel: at most LIMIT posts per WINDOW seconds (Slack: ~1/s, short bursts
    # allowed; the default is 1/s on average with bursts of 3); a LIMIT of 0 turns the limiter off.
    slack_post_rate_limit: int = Field(default=3, ge=0, le=100, validation_alias="JAMONO_SLACK_POST_RATE_LIMIT")
    slack_post_rate_window_s: int = Field(default=3, ge=1, le=60, validation_alias="JAMONO_SLACK_POST_RATE_WINDOW_S")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"

    host: str = Field(default="0.0.0.0", validation_alias="HOST")
    port: int = Field(default=3000, ge=0, le=65535, validation_alias="PORT")
    # Set by `make run` when it starts the Slack sandbox: the sandbox's browser playground, which
    # `GET /playground` redirects to (only on loopback, with the sandbox's secret: jamono.web.landing).
    playground_url: str | None = Field(default=None, validation_alias="JAMONO_PLAYGROUND_URL")

    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    openai_timeout_s: float = Field(default=20.0, gt=0, le=300)

    # Comma-separated Fernet keys, newest first; generated under data_dir in development.
    jamono_encryption_keys: SecretStr | None = None

    sentry_dsn: SecretStr | None = None
    sentry_environment: str | None = None
    sentry_traces_sample_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    # Workers' Prometheus endpoint (all worker processes of a machine on one port); 0 turns it off.
    worker_metrics_port: int = Field(default=9191, ge=0, le=65535, validation_alias="WORKER_METRICS_PORT")
    # Where it listens: loopback unless METRICS_TOKEN protects it (then it needs the same bearer token).
    worker_metrics_host: str = Field(default="127.0.0.1", validation_alias="WORKER_METRICS_HOST")
    # Per-workspace labels (Slack team ids) on NOX's answer metrics; off: one "all" series.
    metrics_workspace_labels: bool = Field(default=False, validation_alias="METRICS_WORKSPACE_LABELS")
    # The web process serves /metrics on the public Slack port: with a token, only `Authorization:
    # Bearer <token>` gets it (Prometheus: `authorization: {credentials: …}`).
    metrics_token: SecretStr | None = Field(default=None, validation_alias="METRICS_TOKEN")
    # Set by `jamono run|sandbox --i-know-the-sandbox-secret-is-public` for its processes: the sandbox
    # (public signing secret) may then serve other machines or use a shared database.
    sandbox_exposed: bool = Field(default=False, validation_alias="JAMONO_SANDBOX_EXPOSED")
    # Outbound calls to tenant-chosen URLs (Jira, Google) may reach only public addresses, plus these
    # networks and host names (comma-separated: `10.0.0.0/8,jira.internal`); see jamono/integrations/egress.py.
    egress_allow: str = Field(default="", validation_alias="JAMONO_EGRESS_ALLOW")
    # Single-workspace installs may connect Jira and Google Calendar here instead of the App Home
    # (applied at `jamono serve`/`run`, through the same validation, egress guard and encryption).
    jira_url: str | None = Field(default=None, validation_alias="JIRA_URL")
    jira_email: str | None = Field(default=None, validation_alias="JIRA_EMAIL")
    jira_api_token: SecretStr | None = Field(default=None, validation_alias="JIRA_API_TOKEN")
    jira_project: str | None = Field(default=None, validation_alias="JIRA_PROJECT")
    google_organizer_email: str | None = Field(default=None, validation_alias="GOOGLE_ORGANIZER_EMAIL")
    google_credentials_file: Path | None = Field(default=None, validation_alias="GOOGLE_CREDENTIALS_FILE")
    google_calendar_id: str = Field(default="primary", validation_alias="GOOGLE_CALENDAR_ID")
    google_auth_mode: Literal["service_account", "oauth"] = Field(
        default="service_account", validation_alias="GOOGLE_AUTH_MODE"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "text"] = "json"

    # Fair shares (jamono/fairness): each tenant's answers start at most at its plan's rate (answers
    # per second, with bursts of BURST); the jobs beyond wait on Dramatiq's delay queue, so another
    # tenant's jobs go first. Multiplies the plan's rate (0: no per-tenant scheduling).
    fair_rate_scale: float = Field(default=1.0, ge=0.0, le=1000.0, validation_alias="JAMONO_FAIR_RATE_SCALE")
    # Daily budgets per plan, `plan=answers:llm_tokens` comma-separated; unlisted plans keep the
    # defaults of jamono/fairness/plans.py (0 means no limit).
    daily_budgets: str = Field(default="", validation_alias="JAMONO_DAILY_BUDGETS")
    # What every free-plan tenant together may spend a day, `answers:llm_tokens` (0: off): opening
    # more free workspaces never multiplies the deployment's spend beyond it (paid plans: unaffected).
    free_pool_daily: str = Field(default="20000:20000000", validation_alias="JAMONO_FREE_POOL_DAILY")

    # How NOX posts a resolved incident's postmortem draft: a canvas shared with the channel when the
    # install has canvases:write and the team allows it (auto, canvas), else the Markdown file.
    postmortem_format: Literal["auto", "canvas", "file"] = Field(
        default="auto", validation_alias="JAMONO_POSTMORTEM_FORMAT"
    )

    # Slack-facing jobs: bounded, because Slack users wait minutes, not days.
    job_max_retries: int = Field(default=4, ge=0, le=20)
    job_time_limit_s: int = Field(default=120, ge=5, le=3600)
    # Workers' hourly upkeep (one worker at a time): the agent_metrics rollup, and forgetting Slack
    # event ids (kept to answer each event once) after the retention. 0 minutes: off.
    housekeeping_interval_min: int = Field(
        default=60, ge=0, le=24 * 60, validation_alias="JAMONO_HOUSEKEEPING_INTERVAL_MIN"
    )
    event_retention_days: int = Field(default=14, ge=1, le=3650, validation_alias="JAMONO_EVENT_RETENTION_DAYS")
    # An uninstalled workspace's data is deleted this long after the uninstall (a re-install keeps it).
    uninstall_grace_days: int = Field(default=30, ge=0, le=3650, validation_alias="JAMONO_UNINSTALL_GRACE_DAYS")
    # `jamono worker`: processes × threads (each thread holds at most two database connections).
    worker_processes: int = Field(default=1, ge=1, le=64, validation_alias="WORKER_PROCESSES")
    worker_threads: int = Field(default=8, ge=1, le=256, validation_alias="WORKER_THREADS")

    _unguessable_secret: str = PrivateAttr(default_factory=lambda: secrets.token_hex(32))

    @field_validator(
        "database_url",
        "app_database_url",
        "redis_url",
        "rabbitmq_url",
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "slack_client_id",
        "slack_client_secret",
        "openai_api_key",
        "openai_base_url",
        "jamono_encryption_keys",
        "sentry_dsn",
        "metrics_token",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        """`SLACK_SIGNING_SECRET=` in a .env means not set, not an empty secret that verifies nothing."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("egress_allow")
    @classmethod
    def _egress_allow(cls, value: str) -> str:
        parse_allow_list(value)  # a malformed entry stops the program here, named
        return value

    @field_validator("free_pool_daily")
    @classmethod
    def _free_pool_daily(cls, value: str) -> str:
        if not re.fullmatch(r"\s*\d+\s*(:\s*\d+\s*)?", value):
            raise ValueError("must be answers:tokens (0 = no limit), e.g. 20000:20000000, or 0 to turn it off")
        return value

    @field_validator("daily_budgets")
    @classmethod
    def _daily_budgets(cls, value: str) -> str:
        item = r"\s*[a-z_]+\s*=\s*\d+\s*(:\s*\d+\s*)?"
        if value.strip() and not re.fullmatch(f"{item}(,{item})*,?\\s*", value):
            raise ValueError("must be plan=answers:tokens, comma-separated, e.g. free=500:500000,team=5000:0")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL, e.g. https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url", "app_database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql:// URL")
        return value or None

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        return value or None

    @field_validator("rabbitmq_url")
    @classmethod
    def _rabbitmq_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("amqp://", "amqps://")):
            raise ValueError("must be an amqp:// URL")
        return value or None

    @model_validator(mode="after")
    def _slack_credentials_fit_together(self) -> Settings:
        """Half a Slack configuration is an error, never a silent fall-back to the sandbox."""
        socket = self.slack_app_token is not None
        if self.slack_client_secret is not None and not self.slack_client_id:
            raise ValueError("SLACK_CLIENT_ID: required with SLACK_CLIENT_SECRET (the Add to Slack install)")
        if self.slack_client_id and self.slack_bot_token is None and self.slack_client_secret is None:
            raise ValueError("SLACK_CLIENT_SECRET: required with SLACK_CLIENT_ID (the Add to Slack install)")
        if socket and not self.slack_configured:
            raise ValueError(
                "SLACK_APP_TOKEN: Socket Mode also needs SLACK_BOT_TOKEN (one workspace)"
                " or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (many)"
            )
        if socket and not self.slack_app_token.get_secret_value().startswith("xapp-"):  # type: ignore[union-attr]
            raise ValueError("SLACK_APP_TOKEN: must be an app-level token (xapp-…), made under Basic Information")
        if self.slack_configured and self.slack_signing_secret is None and not socket:
            raise ValueError(
                "SLACK_SIGNING_SECRET: required to verify Slack's requests over HTTP"
                " (Basic Information → Signing Secret), or set SLACK_APP_TOKEN for Socket Mode"
            )
        return self

    @model_validator(mode="after")
    def _worker_metrics_exposed_only_with_a_token(self) -> Settings:
        if self.worker_metrics_port and not is_loopback_host(self.worker_metrics_host) and self.metrics_token is None:
            raise ValueError(
                f"WORKER_METRICS_HOST: {self.worker_metrics_host} is reachable from other machines;"
                " set METRICS_TOKEN (scrapers then send Authorization: Bearer <token>) or keep 127.0.0.1"
            )
        return self

    @property
    def slack_configured(self) -> bool:
        """Real Slack credentials are set; without them `jamono run` starts the sandbox."""
        return self.slack_bot_token is not None or bool(self.slack_client_id)

    @property
    def signing_secret(self) -> str:
        """The secret `POST /slack/events` verifies against. The sandbox's is public, so it is used
        only when no Slack credentials are set; Socket Mode without one gets a random secret, so
        the HTTP route accepts nothing."""
        if self.slack_signing_secret is not None:
            return self.slack_signing_secret.get_secret_value()
        if self.slack_configured:
            return self._unguessable_secret
        return SANDBOX_SIGNING_SECRET


EXPOSE_SANDBOX_FLAG = "--i-know-the-sandbox-secret-is-public"


def sandbox_exposure_problem(host: str, database_url: str | None) -> str | None:
    """Why NOX with the Slack sandbox must not run this way, in one line; None when it may.

    The sandbox's signing secret is in this repository: whoever reaches the web process can sign
    requests as Slack. That is fine on loopback with a throw-away database, not facing a network
    or holding a shared database's data."""
    if not is_loopback_host(host):
        return (
            f"HOST={host}: NOX with the Slack sandbox verifies requests with a public signing secret, so anyone "
            f"who can reach {host} could act as Slack; keep HOST=127.0.0.1, set real Slack credentials, "
            f"or pass {EXPOSE_SANDBOX_FLAG}"
        )
    if shared_database(database_url):
        return (
            "DATABASE_URL: a shared database server with the Slack sandbox, whose signing secret is public: "
            "use the embedded database (unset DATABASE_URL) or a local one, set real Slack credentials, "
            f"or pass {EXPOSE_SANDBOX_FLAG}"
        )
    return None


def require_sandbox_private(settings: Settings) -> None:
    """`jamono serve` with the sandbox's public secret: loopback and a local database only."""
    if settings.signing_secret != SANDBOX_SIGNING_SECRET or settings.sandbox_exposed:
        return
    problem = sandbox_exposure_problem(settings.host, settings.app_database_url or settings.database_url)
    if problem is not None:
        raise SettingsError(problem)


def require_broker_url(settings: Settings) -> None:
    if not settings.redis_url and not settings.rabbitmq_url:
        raise SettingsError("REDIS_URL (or RABBITMQ_URL): not set; `jamono run` starts an embedded Redis")


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning pydantic's report into one line per bad setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            if err["loc"]:
                lines.append(f"{str(err['loc'][0]).upper()}: {err['msg']}")
            else:  # a rule across settings names them itself
                lines.append(str(err["msg"]).removeprefix("Value error, "))
        raise SettingsError("; ".join(lines)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
