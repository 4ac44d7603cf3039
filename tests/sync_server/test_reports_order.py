"""The record of one work order as PDF: rendered, with its number, every history step, photos and signature."""

from __future__ import annotations

import hashlib
import io
import subprocess
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageDraw

from shared.model import ReturnVisit, Satisfaction, WorkOrderAction
from tests.conftest import bearer, login
from tests.work_order_records import Phone, action, leak

TZ = ZoneInfo("Asia/Shanghai")
MAINTENANCE = "user-demo-maintenance"


def jpeg(color: str, size: tuple[int, int] = (320, 240), *, scribble: bool = False) -> bytes:
    image = Image.new("RGB", size, color)
    if scribble:  # an owner's drawn signature: dark strokes on white
        ImageDraw.Draw(image).line([(10, 60), (80, 20), (150, 90), (230, 30), (300, 70)], fill="black", width=6)
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


def upload(client, headers, data: bytes) -> str:
    name = hashlib.sha256(data).hexdigest()
    response = client.put(f"/api/v1/photos/{name}", content=data, headers={**headers, "Content-Type": "image/jpeg"})
    assert response.status_code in (200, 201), response.text
    return name


@pytest.fixture
def phones(client):
    return {r: Phone(client, f"demo-{r}") for r in ("specialist", "supervisor", "maintenance")}


@pytest.fixture
def signed_order(phones, clock, client) -> str:
    """A leak reported with two photos, dispatched, completed, visited with a signature, and signed off."""
    at = clock.now().astimezone(TZ)
    spec = phones["specialist"]
    photos = [jpeg("steelblue"), jpeg("darkorange")]
    report = spec.send(leak(photos=[hashlib.sha256(p).hexdigest() for p in photos]), at)
    for p in photos:
        upload(client, spec.headers, p)
    oid = f"wo-{report['id']}"
    phones["supervisor"].send(action(oid, WorkOrderAction.DISPATCH, assignee_id=MAINTENANCE), at)
    phones["maintenance"].send(action(oid, WorkOrderAction.COMPLETE, note="replaced the seal"), at)
    signature = jpeg("white", (320, 120), scribble=True)
    sig = hashlib.sha256(signature).hexdigest()
    visit = ReturnVisit(oid, True, Satisfaction.SATISFIED, comment="dry now", owner_name="Mrs Li", signature=sig)
    spec.send(visit, at)
    upload(client, spec.headers, signature)
    response = client.post(
        f"/api/v1/orders/{oid}/sign-off", json={"note": "filed"}, headers=phones["supervisor"].headers
    )
    assert response.status_code == 200, response.text
    return oid


def pdf_of(client, headers, oid: str, lang: str, tmp_path) -> tuple[str, list[str]]:
    response = client.get(f"/api/v1/orders/{oid}/record.pdf", params={"lang": lang}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    path = tmp_path / f"record-{lang}.pdf"
    path.write_bytes(response.content)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / f"page-{lang}")], check=True)
    assert list(tmp_path.glob(f"page-{lang}*.png")), "pdftoppm rendered no page"
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    images = subprocess.run(["pdfimages", "-list", str(path)], check=True, capture_output=True, text=True).stdout
    return " ".join(text.split()), images.splitlines()[2:]


def test_the_record_shows_number_history_photos_signature_and_sign_off(phones, signed_order, client, tmp_path):
    sup = phones["supervisor"]
    order = sup.get(f"/api/v1/orders/{signed_order}")
    text, images = pdf_of(client, sup.headers, signed_order, "en", tmp_path)
    assert f"Work order record {order['number']}" in text
    for step in ("Reported", "Dispatch", "Complete", "Return visit: closed", "Sign off"):
        assert step in text
    assert "replaced the seal" in text and "Fixed, owner satisfied: dry now" in text
    assert "Owner's signature: Mrs Li" in text and "Signed off by" in text and "filed" in text
    assert len(images) == 3  # two photos of the report and the signature


def test_the_record_in_chinese(phones, signed_order, client, tmp_path):
    sup = phones["supervisor"]
    number = sup.get(f"/api/v1/orders/{signed_order}")["number"]
    text, images = pdf_of(client, sup.headers, signed_order, "zh-Hans", tmp_path)
    assert f"工单记录 {number}" in text
    assert "处理过程" in text and "业主签名：Mrs Li" in text and "主管签核" in text
    assert len(images) == 3


def test_an_order_without_visit_or_photos_says_so(phones, clock, client, tmp_path):
    d = phones["specialist"].send(leak(), clock.now().astimezone(TZ))
    text, images = pdf_of(client, phones["supervisor"].headers, f"wo-{d['id']}", "es", tmp_path)
    assert "Sin fotos" in text and "Aún sin visita de seguimiento" in text and "Aún sin visto bueno" in text
    assert images == []


def test_another_property_cannot_print_the_record(signed_order, client):
    other = bearer(login(client, "other-supervisor"))
    response = client.get(f"/api/v1/orders/{signed_order}/record.pdf", headers=other)
    assert (response.status_code, response.json()["code"]) == (404, "workorder.not_found")


def test_a_maintenance_worker_not_on_the_order_cannot_print_it(phones, clock, client):
    d = phones["specialist"].send(leak(), clock.now().astimezone(TZ))
    response = client.get(f"/api/v1/orders/wo-{d['id']}/record.pdf", headers=phones["maintenance"].headers)
    assert response.status_code == 404
