"""What a row of photo tiles says: each tile's label (read out by screen readers) and a note for those not here."""

from __future__ import annotations

from mobile.photo_cache import LOADING, NOT_ON_SERVER, OFFLINE, READY, PhotoState
from mobile.state.messages import error_text
from shared.i18n import Translator


def tile_label(tr: Translator, state: PhotoState, number: int) -> str:
    if state.status == READY:
        return tr.t("photo.label", number=number)
    if state.status == LOADING:
        return tr.t("photo.loading")
    if state.status == OFFLINE:
        return tr.t("photo.offline")
    if state.status == NOT_ON_SERVER:
        return tr.t("photo.not_on_server")
    return tr.t("photo.failed", message=error_text(tr, state.code, state.message, state.detail))


def gallery_notes(tr: Translator, states: list[PhotoState]) -> list[str]:
    """Under the tiles (too small for words): how many are not downloaded and why, so nobody thinks none exist."""
    offline = sum(1 for s in states if s.status == OFFLINE)
    missing = sum(1 for s in states if s.status == NOT_ON_SERVER)
    notes = []
    if offline:
        notes.append(tr.t("photo.some_offline", count=offline))
    if missing:
        notes.append(tr.t("photo.some_missing", count=missing))
    notes += [tile_label(tr, s, 0) for s in states if s.status not in (READY, LOADING, OFFLINE, NOT_ON_SERVER)]
    return notes
