"""The processes beside the web app: the scheduler, the backup, the demo data."""
