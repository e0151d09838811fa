"""Offline evaluations of NOX (`jamono eval …`)."""
