"""The whole field flow in Chromium against a real sync server: patrol, defect with photo, sync, dispatch, offline."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import httpx
import pytest
import sqlite_utils
from PIL import Image

from sync_server.settings import Settings
from tests.browser.phone import Phone, choose
from tests.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.timeout(600)]


def checkpoints_of_first_route(server_url: str) -> tuple[str, list[dict]]:
    token = login(server_url, "demo-specialist", device_id="test-reader")
    changes = httpx.get(
        f"{server_url}/api/v1/sync/pull",
        params={"limit": 1000},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    ).json()["changes"]
    routes = [c["data"] for c in changes if c["kind"] == "route"]
    route = routes[0]
    cps = sorted(
        (c["data"] for c in changes if c["kind"] == "checkpoint" and c["data"]["route_id"] == route["id"]),
        key=lambda c: c["position"],
    )
    return route["name"], cps


def photo_file(tmp_path: Path) -> Path:
    path = tmp_path / "leak.jpg"
    img = Image.new("RGB", (800, 600), (40, 90, 160))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=85)
    path.write_bytes(buf.getvalue())
    return path


def photo_pixels(screenshot: Path) -> int:
    """How many pixels of the screenshot have the colour of ``photo_file`` (icons and placeholders are grey)."""
    with Image.open(screenshot) as img:
        data = img.convert("RGB").tobytes()
    pixels = zip(data[0::3], data[1::3], data[2::3], strict=True)
    return sum(1 for r, g, b in pixels if abs(r - 40) + abs(g - 90) + abs(b - 160) < 40)


def log_in(phone: Phone, username: str) -> None:
    phone.fill("User name", username)
    phone.fill("Password", "demo")
    phone.tap("Log in")
    phone.see("Hello, ")
    phone.see("All sent", timeout=60_000)  # the first pull ran


def draw_signature(phone: Phone) -> None:
    """Sign with the mouse on the pad below the "Owner's signature" label (the canvas has no label of its own)."""
    label = phone.page.get_by_text("Owner's signature", exact=True).first
    mouse = phone.page.mouse
    for _ in range(12):  # Flutter scrolls its own canvas: wheel until the pad is well inside the screen
        box = label.bounding_box()
        assert box is not None
        if box["y"] < 350:
            break
        mouse.move(200, 450)
        mouse.wheel(0, 250)
        time.sleep(0.5)
    x, y = box["x"] + 30, box["y"] + box["height"] + 50
    mouse.move(x, y)
    mouse.down()
    for step in range(1, 16):
        mouse.move(x + step * 14, y + (12 if step % 2 else -12), steps=2)
        time.sleep(0.03)
    mouse.up()
    time.sleep(0.8)
    phone.shot("signature-en")


def proof_methods(server_dir: Path) -> list[str]:
    """How presence was proven in the checkpoint visits the server received, in the order they came."""
    db = sqlite_utils.Database(Settings(data_dir=server_dir).db_path)
    try:
        bodies = [json.loads(row["raw"]).get("body", {}) for row in db.query("SELECT raw FROM records ORDER BY rowid")]
    finally:
        db.close()
    return [b["proof"]["method"] for b in bodies if isinstance(b.get("proof"), dict)]


def assert_touch_sized(phone: Phone, controls: list[tuple[str, str]]) -> None:
    """Each (role, name) control is drawn at least 48 px high: a thumb, maybe in a glove, hits it."""
    for role, name in controls:
        box = phone.page.get_by_role(role, name=name, exact=True).first.bounding_box()
        assert box is not None, name
        assert box["height"] >= 48, f"{role} {name!r} is {box['height']} px high"


def server_records(server_dir: Path, description: str) -> int:
    db = sqlite_utils.Database(Settings(data_dir=server_dir).db_path)
    try:
        return sum(1 for row in db.query("SELECT raw FROM records") if description in row["raw"])
    finally:
        db.close()


def test_specialist_patrols_reports_and_syncs_then_supervisor_dispatches(
    live_server, flet_app, new_phone, tmp_path: Path
) -> None:
    server = live_server()
    route_name, cps = checkpoints_of_first_route(server.url)

    # ---- the specialist's phone ---------------------------------------------------------
    spec = new_phone(flet_app(server.url))
    spec.see("Log in")
    log_in(spec, "demo-specialist")
    spec.tap(route_name, exact=False)
    spec.see("Checkpoint 1 of")
    spec.tap("Finish patrol")  # nothing done yet: asked first, and it can be taken back
    spec.see("No checkpoint is done yet. Finish the patrol anyway?")
    spec.shot("patrol-finish-empty-confirm-en")
    spec.tap("Cancel")
    assert not spec.shows("No checkpoint is done yet. Finish the patrol anyway?")
    spec.see("Checkpoint 1 of")
    spec.fill("Checkpoint code", cps[0]["scan_code"])
    spec.tap("All fine")
    spec.see("Checkpoint 2 of")
    spec.fill("Checkpoint code", "WRONG-CODE")
    spec.tap("All fine")
    spec.see("This is not the code of this checkpoint.")
    spec.fill("Checkpoint code", "")
    spec.fill("Reason the code could not be scanned", "Label painted over")
    spec.fill("What is wrong?", "Water dripping from the ceiling")
    spec.tap("Problem found")
    # The defect form opens with the checkpoint's place and the note filled in.
    spec.see("Report a defect")
    choose(spec, "Plumbing / water leakage")
    assert_touch_sized(
        spec,
        [
            ("checkbox", "Plumbing / water leakage"),  # a choice chip: 32 px unless made taller
            ("checkbox", "Urgent"),
            ("button", "Back"),
            ("button", "Sync"),
            ("button", "Add photo"),
        ],
    )
    spec.pick_photo("Add photo", photo_file(tmp_path))
    spec.see("1 photo", exact=True)
    spec.tap("Save")
    spec.see("Saved on this phone")
    spec.see("Checkpoint 3 of")
    spec.tap("Finish patrol")
    spec.see("Patrol finished: 1 fine, 1 with problems.")
    # An owner stops the specialist in the lobby: the complaint is logged from Today.
    spec.tab("Today")
    spec.tap("Log owner complaint")
    spec.see("What is the complaint?")
    choose(spec, "Lobby")
    spec.fill("Owner's name", "Zhou Min")
    spec.fill("Phone or other contact", "139 1234 5678")
    spec.fill("What is the complaint?", "Lobby door slams all night")
    choose(spec, "Urgent")
    spec.shot("complaint-en")
    spec.tap("Save")
    spec.see("Saved on this phone")
    spec.see("to send")
    spec.tap("Sync")
    spec.see("All sent", timeout=60_000)
    assert not spec.shows("Saved on this phone")  # sent now: "sent at next sync" would be stale
    spec.tab("Orders")
    spec.see("Plumbing / water leakage", timeout=30_000)
    spec.see("Complaint", exact=False)  # the complaint's order
    assert server_records(server.data_dir, "Water dripping from the ceiling") >= 1
    assert server_records(server.data_dir, "Lobby door slams all night") == 1
    assert proof_methods(server.data_dir) == ["typed", "reason"]  # the code was typed in, not scanned

    # ---- the supervisor's tablet ---------------------------------------------------------
    sup = new_phone(flet_app(server.url))
    log_in(sup, "demo-supervisor")
    sup.tab("Review")
    sup.tap("Plumbing / water leakage", exact=False)
    sup.see("Choose who does it")
    # The photo was taken on the specialist's phone: this app has only its hash and fetches it from the server.
    sup.see("Photo 1", exact=True)  # the image's label; a placeholder would say "not downloaded yet" instead
    assert not sup.shows("Photo not downloaded yet (offline)")
    assert photo_pixels(sup.shot("order-photo-from-server-en")) > 3000  # the 72 px tile shows the photo's blue
    sup.page.get_by_label("Photo 1", exact=True).first.click()
    sup.see("Photo", exact=True)  # the photo screen's title
    assert not sup.shows("Choose who does it")
    sup.see("Photo 1", exact=True)  # the full photo, downloaded on tap (its thumbnail says "Downloading photo…")
    assert photo_pixels(sup.shot("photo-full-size-en")) > 50_000  # full width, not the thumbnail
    sup.tap("Back")
    sup.see("Choose who does it")
    sup.tap("Dispatch")
    sup.see("Choose who the order is dispatched to.")
    maintenance = sup.page.get_by_role("checkbox").last
    maintenance.click()
    time.sleep(0.5)
    sup.tap("Dispatch")
    sup.see("Dispatch: saved")
    sup.tap("Sync")
    sup.see("All sent", timeout=60_000)
    sup.see("Dispatched", timeout=30_000)
    # The supervisor starts to close the owner's complaint: a reason is asked, then "are you sure?"; they
    # think better of it and answer the owner instead, which closes the complaint (nothing needed repair).
    sup.tab("Orders")
    sup.tap("Complaint", exact=False)
    sup.see("Lobby door slams all night")
    sup.tap("Close")
    sup.see("Write why the order is closed.")
    sup.fill("Note", "Door closer adjusted")
    sup.tap("Close")
    sup.see("Close this work order?")
    sup.shot("order-close-confirm-en")
    sup.tap("Cancel")
    assert not sup.shows("Close this work order?") and not sup.shows("Close: saved")
    sup.fill("Note", "Told Mr Zhou the door closer is adjusted tomorrow")
    sup.tap("Reply to owner")
    sup.see("Reply to owner: saved")
    assert sup.page.get_by_role("button", name="Close", exact=True).count() == 0  # answered: closed

    # ---- maintenance does the repair; the specialist makes the return visit, owner signs ---
    fixer = new_phone(flet_app(server.url))
    log_in(fixer, "demo-maintenance")
    fixer.see("Orders assigned to me")
    fixer.tap("Plumbing / water leakage", exact=False)
    fixer.tap("Start")
    fixer.see("Start: saved")
    fixer.tap("Complete")
    fixer.see("Complete: saved")
    fixer.tap("Sync")
    fixer.see("All sent", timeout=60_000)

    spec.tab("Today")
    spec.tap("Sync")
    spec.see("Return visits due", timeout=60_000)
    spec.shot("return-visit-due-en")
    spec.page.get_by_role("button").filter(has_text="Due ").first.click()
    spec.see("Is it fixed?")
    choose(spec, "Yes")
    choose(spec, "Satisfied")
    spec.fill("Owner's name", "Wang Fang")
    draw_signature(spec)
    spec.tap("Save")
    spec.see("Saved on this phone")
    spec.tap("Sync")
    spec.see("All sent", timeout=60_000)
    assert server_records(server.data_dir, "Wang Fang") == 1

    # ---- offline: the server goes away, a record is made, the server comes back ----------
    server.stop()
    spec.tab("Today")
    spec.tap("Report a defect")
    choose(spec, "Lobby")
    choose(spec, "Electrical")
    spec.fill("Description", "Lobby light flickers")
    spec.tap("Save")
    spec.see("1 to send")
    spec.tap("Sync")
    spec.see("Sync failed", timeout=90_000)
    spec.see("1 to send")
    assert server_records(server.data_dir, "Lobby light flickers") == 0
    server.start()
    # Logging out now would strand the record (only this login can send it): the app says so and offers to sync.
    spec.tab("More")
    spec.tap("Log out")
    spec.see("1 record is not sent yet")
    spec.shot("logout-unsent-en")
    spec.tap("Sync first")
    spec.see("All sent", timeout=60_000)
    assert server_records(server.data_dir, "Lobby light flickers") == 1
    spec.tap("Log out")  # nothing waits now: no question
    spec.see("Log in")
    # Another person takes the phone: their Today fills right after the login, not at the next automatic sync.
    log_in(spec, "demo-site-supervisor")
    spec.see("Renovation site checks", timeout=20_000)
    assert not spec.shows("Patrol routes")
