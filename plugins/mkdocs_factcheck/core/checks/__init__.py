"""Checks of the sources a site cites: offline (fields, identifiers) and online (`online/`)."""
