"""App Home listeners: the tab opened, the edit buttons, the settings modals submitted."""
