"""Google Calendar as a calendar (gcsa on a googleapiclient service we build)."""
