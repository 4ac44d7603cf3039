"""The phone app: local store, sync client, record recorder, photo pipeline and Flet views."""
