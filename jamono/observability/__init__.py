"""Observability: Prometheus metrics, correlation ids in logs, Sentry, and the agent_metrics rollup.
Why and how: docs/design/observability.md."""
