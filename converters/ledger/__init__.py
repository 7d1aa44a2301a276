"""The migration's own state, kept beside the project (``migration/``): what has been decommissioned so far."""
