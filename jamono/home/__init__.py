"""NOX's App Home: the workspace dashboard (usage, recent conversations) and its settings modals.

Pure builders are separate from the few functions that touch PostgreSQL or Slack, so most of it is
tested without I/O:

- `settings_model`  the typed `workspaces.settings` (load/save under RLS; `parse_stored` for readers)
- `metrics`         usage numbers and a person's recent interactions (SQL, tenant-scoped by RLS)
- `views`, `modals` Block Kit for the Home tab and the settings modals; `validation` checks limits
- `forms`           submitted modal → validated form, or Slack's `errors` map
- `admin`           who may configure NOX
- `secrets`         sealing a typed-in secret for its trip through the queue; the store protocol
- `jobs`, `slack_handlers`, `service`  queue payloads, Bolt listeners, and the workers' side
"""
