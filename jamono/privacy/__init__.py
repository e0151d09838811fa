"""How long NOX keeps people's words, erasing one person's, and forgetting an uninstalled workspace."""
