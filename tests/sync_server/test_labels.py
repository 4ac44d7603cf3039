"""Checkpoint labels from the API (supervisors: their property; admins: the one they name) and the command line."""

from __future__ import annotations

import sys

import pytest

from mobile.scan import read_codes
from sync_server.__main__ import main
from sync_server.db import open_db
from sync_server.labels import Sheet
from tests.conftest import bearer, login
from tests.sync_server.labels_readback import add_property, codes_by_slot, empty_server, label_pictures, text_by_slot

URL = "/api/v1/labels.pdf"
DEMO_R1 = [f"CP-DEMO-R1-{n:02d}" for n in range(1, 8)]
DEMO_R2 = [f"CP-DEMO-R2-{n:02d}" for n in range(1, 5)]
OTHER = [f"CP-OTHER-R{r}-{n:02d}" for r, count in ((1, 7), (2, 4)) for n in range(1, count + 1)]


def codes_in(pdf: bytes) -> list[str]:
    return codes_by_slot(pdf, Sheet())


def get(client, username: str, **params: str):
    return client.get(URL, params=params, headers=bearer(login(client, username)))


def test_a_supervisor_prints_every_checkpoint_of_their_property(client):
    response = get(client, "demo-supervisor")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert 'filename="labels-demo.pdf"' in response.headers["content-disposition"]
    assert codes_in(response.content) == DEMO_R1 + DEMO_R2
    first = text_by_slot(response.content, Sheet())[0]
    assert first == "HarbourViewGardensMorninground:buildingsandlobbyLobbyCheckpoint1CP-DEMO-R1-01"
    assert "x-missing-characters" not in response.headers


def test_one_route_only(client):
    response = get(client, "demo-supervisor", route_id="demo-r2")
    assert response.status_code == 200
    assert codes_in(response.content) == DEMO_R2
    assert 'filename="labels-demo-demo-r2.pdf"' in response.headers["content-disposition"]


def test_an_admin_names_the_property(client):
    response = get(client, "demo-admin", property_id="other")
    assert response.status_code == 200
    assert codes_in(response.content) == OTHER
    assert codes_in(get(client, "demo-admin", property_id="other", route_id="other-r2").content) == OTHER[7:]


@pytest.mark.parametrize(
    ("username", "params", "status", "code"),
    [
        ("demo-specialist", {}, 403, "auth.forbidden"),
        ("demo-site-supervisor", {}, 403, "auth.forbidden"),
        ("demo-maintenance", {}, 403, "auth.forbidden"),
        ("demo-specialist", {"route_id": "demo-r1"}, 403, "auth.forbidden"),
        ("demo-supervisor", {"route_id": "other-r1"}, 404, "route.not_found"),
        ("demo-supervisor", {"route_id": "no-such-route"}, 404, "route.not_found"),
        ("demo-supervisor", {"property_id": "other"}, 403, "admin.other_property"),
        ("demo-supervisor", {"property_id": "nowhere"}, 403, "admin.other_property"),
        ("other-supervisor", {"route_id": "demo-r1"}, 404, "route.not_found"),
        ("demo-admin", {}, 422, "request.invalid"),
        ("demo-admin", {"route_id": "demo-r1"}, 422, "request.invalid"),
        ("demo-admin", {"property_id": "nowhere"}, 404, "property.not_found"),
        ("demo-admin", {"property_id": "demo", "route_id": "other-r1"}, 404, "route.not_found"),
    ],
)
def test_who_may_print_which_labels(client, username, params, status, code):
    response = get(client, username, **params)
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code and body["message"] and isinstance(body["detail"], dict)


def test_a_supervisor_naming_their_own_property_is_served(client):
    assert codes_in(get(client, "demo-supervisor", property_id="demo").content) == DEMO_R1 + DEMO_R2


def test_without_a_login_there_are_no_labels(client):
    response = client.get(URL)
    assert response.status_code == 401 and response.json()["code"] == "auth.missing_token"


def test_a_property_without_checkpoints_says_so(client, server_db):
    add_property(server_db, "bare", "Bare Court", {})
    response = get(client, "demo-admin", property_id="bare")
    assert response.status_code == 404
    assert response.json()["code"] == "labels.no_checkpoints"


def test_characters_the_font_lacks_are_named_in_a_header(client, server_db):
    add_property(server_db, "rare", "鍪山花园", {"Round": [("Lobby", "Door", "CP-RARE-01")]})
    response = get(client, "demo-admin", property_id="rare")
    assert response.status_code == 200
    assert response.headers["x-missing-characters"] == "U+936A"
    assert codes_in(response.content) == ["CP-RARE-01"]


def test_skip_starts_on_a_later_slot(client):
    response = client.get(URL, params={"skip": 20}, headers=bearer(login(client, "demo-supervisor")))
    assert sorted(text_by_slot(response.content, Sheet())) == list(range(20, 31))


def test_the_endpoint_is_documented(client):
    operation = client.get("/openapi.json").json()["paths"][URL]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"route_id", "property_id", "skip"}
    assert "application/pdf" in operation["responses"]["200"]["content"]
    assert {"401", "403", "404", "422"} <= set(operation["responses"])


# ---- the command line, on a real install that starts empty ---------------------------------------------------
@pytest.fixture
def install(tmp_path):
    data = tmp_path / "server"
    db = empty_server(data)
    try:
        add_property(
            db,
            "tower-a",
            "翠湖大厦 Jade Lake Tower",
            {
                "夜间巡逻": [("大堂", "正门", "TA-N-01"), ("地下车库", "B1 出口", "TA-N-02")],
                "Roof round": [("Roof", "Water tank", "TA-R-01")],
            },
        )
    finally:
        db.close()
    return data


def test_the_command_line_writes_the_labels_of_a_route(install, tmp_path, capsys, monkeypatch):
    out = tmp_path / "labels.pdf"
    assert main(["labels", "--data-dir", str(install), "--property-id", "tower-a", "--route-id", "tower-a-r1",
                 "--out", str(out)]) == 0  # fmt: skip
    assert "2 labels on 1 sheet(s) of 24" in capsys.readouterr().out
    pdf = out.read_bytes()
    assert text_by_slot(pdf, Sheet()) == {
        0: "翠湖大厦JadeLakeTower夜间巡逻一号楼/大堂正门TA-N-01",
        1: "翠湖大厦JadeLakeTower夜间巡逻一号楼/地下车库B1出口TA-N-02",
    }
    monkeypatch.setitem(sys.modules, "zxingcpp", None)  # a phone build's decoder reads what was printed
    assert [read_codes(p) for p in label_pictures(pdf, Sheet(), 2)] == [["TA-N-01"], ["TA-N-02"]]


def test_the_command_line_writes_every_route_by_default(install, tmp_path):
    out = tmp_path / "all.pdf"
    assert main(["labels", "--data-dir", str(install), "--property-id", "tower-a", "--out", str(out)]) == 0
    assert [text[-7:] for text in text_by_slot(out.read_bytes(), Sheet()).values()] == ["TA-N-01", "TA-N-02", "TA-R-01"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--property-id", "tower-b"], "There is no property 'tower-b'"),
        (["--property-id", "tower-a", "--route-id", "tower-b-r1"], "There is no patrol route 'tower-b-r1'"),
    ],
)
def test_the_command_line_refuses_what_does_not_exist(install, tmp_path, capsys, args, message):
    out = tmp_path / "x.pdf"
    assert main(["labels", "--data-dir", str(install), *args, "--out", str(out)]) == 1
    assert message in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("skip", ["-1", "201", "two"])
def test_the_command_line_refuses_a_skip_that_is_no_count_of_labels(install, tmp_path, skip):
    with pytest.raises(SystemExit):
        main(["labels", "--data-dir", str(install), "--property-id", "tower-a", "--skip", skip,
              "--out", str(tmp_path / "x.pdf")])  # fmt: skip
    assert not (tmp_path / "x.pdf").exists()


def test_the_command_line_skips_used_slots(install, tmp_path):
    out = tmp_path / "s.pdf"
    assert main(["labels", "--data-dir", str(install), "--property-id", "tower-a", "--skip", "23",
                 "--out", str(out)]) == 0  # fmt: skip
    assert list(text_by_slot(out.read_bytes(), Sheet())) == [23, 24, 25]


def test_the_command_line_on_an_empty_install(tmp_path, capsys):
    out = tmp_path / "x.pdf"
    assert main(["labels", "--data-dir", str(tmp_path / "none"), "--property-id", "p", "--out", str(out)]) == 1
    assert "no server database" in capsys.readouterr().err
    db = empty_server(tmp_path / "empty")
    add_property(db, "p", "P", {})
    db.close()
    assert main(["labels", "--data-dir", str(tmp_path / "empty"), "--property-id", "p", "--out", str(out)]) == 1
    assert "no checkpoints to print" in capsys.readouterr().err
    assert not out.exists()


def test_the_command_line_warns_of_characters_the_font_lacks(tmp_path, capsys):
    db = empty_server(tmp_path / "s")
    add_property(db, "p", "鍪山花园", {"Round": [("Lobby", "Door", "CP-1")]})
    db.close()
    assert (
        main(["labels", "--data-dir", str(tmp_path / "s"), "--property-id", "p", "--out", str(tmp_path / "o.pdf")]) == 0
    )
    assert "lacks these characters; they are left out: 鍪" in capsys.readouterr().err


def test_the_command_line_leaves_the_database_as_it_was(install, tmp_path):
    db = open_db(install / "server.sqlite3")
    before = [db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("properties", "routes", "checkpoints")]
    db.close()
    main(["labels", "--data-dir", str(install), "--property-id", "tower-a", "--out", str(tmp_path / "a.pdf")])
    db = open_db(install / "server.sqlite3")
    after = [db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("properties", "routes", "checkpoints")]
    db.close()
    assert before == after == [1, 2, 3]
