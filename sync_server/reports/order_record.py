"""The record of one work order for the owner's file: the report with its photos, every step of its history,
the return visit with the owner's drawn signature, and the supervisor's sign-off."""

from __future__ import annotations

import io
from typing import Any

from shared.i18n import Translator
from sync_server.db import Database, accounts, records, reference
from sync_server.photo_store import photo_key, photo_store
from sync_server.reports import wording
from sync_server.reports.pdf import Page, when
from sync_server.settings import Settings

PHOTO_BOX = (56.0, 42.0)  # three photos a row on A4
SIGNATURE_BOX = (70.0, 30.0)
VISIT_ACTIONS = ("return_visit_ok", "return_visit_failed", "return_visit_noted")


def photo_file(settings: Settings, sha256: str) -> io.BytesIO | None:
    """The stored photo a hash names, or None when the phone has not sent it yet."""
    data = photo_store(settings).get(photo_key(sha256))
    return io.BytesIO(data) if data is not None else None


def render(db: Database, settings: Settings, order: dict[str, Any], tr: Translator) -> bytes:
    """The PDF of an order's stored data (``work_orders.data`` with its number) in the reader's language."""
    users = {
        u["id"]: u["name"] or u["username"] for u in accounts.users_of_property(db, property_id=order["property_id"])
    }
    page = Page()
    page.big_title(tr.t("report.order.title", number=order["number"]))
    page.set_font_size(8)
    page.para(tr.t("report.order.printed", at=tr.datetime(settings.now())))
    page.set_font_size(10)
    _details(page, db, tr, order, users)
    page.heading(tr.t("report.order.photos"))
    _photos(page, settings, tr, order["photos"])
    page.heading(tr.t("report.order.history"))
    for event in order["history"]:
        head = " · ".join(
            x
            for x in (when(tr, event.get("at")), wording.history_label(tr, event), wording.actor_text(tr, event, users))
            if x
        )
        note = wording.history_note(tr, event)
        page.para(head + (f" — {note}" if note else ""))
    page.heading(tr.t("report.order.return_visit"))
    _return_visits(page, db, settings, tr, order)
    page.heading(tr.t("report.order.sign_off"))
    _sign_off(page, tr, order, users)
    return page.render()


def _details(page: Page, db: Database, tr: Translator, order: dict[str, Any], users: dict[str, str]) -> None:
    place = reference.get(db, kind="place", id=order["place_id"]) if order.get("place_id") else None

    def person(user_id: str | None) -> str:
        return users.get(user_id, user_id) if user_id else ""

    for label, value in (
        ("kind", wording.enum_text(tr, "kind", order["kind"])),
        ("state", wording.enum_text(tr, "state", order["state"])),
        ("category", wording.enum_text(tr, "category", order.get("category"))),
        ("severity", wording.enum_text(tr, "severity", order.get("severity"))),
        ("place", place["name"] if place else str(order.get("place_id") or "")),
        ("reported_at", when(tr, order.get("reported_at"))),
        ("reporters", ", ".join(person(u) for u in order.get("reporter_ids", []))),
        ("owner", order.get("owner_name") or ""),
        ("assignee", person(order.get("assignee_id"))),
        ("responsible", person(order.get("responsible_id"))),
        ("cause", wording.enum_text(tr, "cause", order.get("cause"))),
        ("closed_at", when(tr, order.get("closed_at"))),
        ("description", order.get("description") or ""),
    ):
        page.field(tr.t(f"report.col.{label}"), value)


def _photos(page: Page, settings: Settings, tr: Translator, hashes: list[str]) -> None:
    files = [f for f in (photo_file(settings, h) for h in hashes) if f is not None]
    if not files:
        page.para(tr.t("report.order.no_photos"))
        return
    for image in files:
        page.photo(image, *PHOTO_BOX)
    page.end_photos(PHOTO_BOX[1])


def _return_visits(page: Page, db: Database, settings: Settings, tr: Translator, order: dict[str, Any]) -> None:
    visits = [e for e in order["history"] if e.get("action") in VISIT_ACTIONS]
    if not visits:
        page.para(tr.t("report.order.no_return_visit"))
        return
    for event in visits:
        row = records.get_record(db, id=event["record_id"])
        body = row["raw"].get("body", {}) if row else {}
        page.field(tr.t("report.col.at"), when(tr, event.get("at")))
        page.field(wording.history_label(tr, event), wording.history_note(tr, event))
        page.field(tr.t("report.col.satisfaction"), wording.enum_text(tr, "satisfaction", body.get("satisfaction")))
        signature = photo_file(settings, body["signature"]) if body.get("signature") else None
        if body.get("signature"):
            page.para(tr.t("report.order.owner_signature", name=body.get("owner_name") or ""))
            if signature is not None:
                page.photo(signature, *SIGNATURE_BOX)
                page.end_photos(SIGNATURE_BOX[1])
        elif body.get("no_signature_reason"):
            page.para(tr.t("report.order.no_signature", reason=body["no_signature_reason"]))
        visit_photos = [p for p in body.get("photos", []) if p != body.get("signature")]
        if visit_photos:
            _photos(page, settings, tr, visit_photos)


def _sign_off(page: Page, tr: Translator, order: dict[str, Any], users: dict[str, str]) -> None:
    if not order.get("signed_off_by"):
        page.para(tr.t("report.order.not_signed_off"))
        return
    name = users.get(order["signed_off_by"], order["signed_off_by"])
    page.para(tr.t("report.order.signed_off", name=name, at=when(tr, order.get("signed_off_at"))))
    notes = [e["note"] for e in order["history"] if e.get("action") == "sign_off" and e.get("note")]
    if notes:
        page.para(notes[-1])
