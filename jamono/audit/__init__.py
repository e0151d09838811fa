"""The workspace's audit log: who changed what and when (issue 14, "Admins in control")."""
