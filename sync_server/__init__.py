"""The sync server: receives field records from phones and serves them the changes they need."""

__version__ = "0.1.0"
