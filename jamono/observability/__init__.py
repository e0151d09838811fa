"""Observability: Prometheus metrics, correlation ids in logs, Sentry, and the agent_metrics rollup.

Kept free of imports here: `prometheus_client` must be imported only after a worker process has
chosen its multiprocess directory (see `worker_metrics.prepare_multiprocess`).
"""
