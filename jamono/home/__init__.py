"""NOX's App Home: the workspace dashboard (usage, recent conversations) and its settings modals.
Why and how: docs/design/home.md."""
