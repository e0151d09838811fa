"""The knowledge base as people use it from Slack."""
