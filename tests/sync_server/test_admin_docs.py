"""The API docs work on a closed network: /docs loads Swagger UI from the server itself."""

from __future__ import annotations

import re


def test_docs_reference_only_local_urls_that_answer(client):
    page = client.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text) + re.findall(r"url: '([^']+)'", page.text)
    assert urls, page.text
    assert not [u for u in urls if "://" in u or u.startswith("//")], urls
    assets = [u for u in urls if u.endswith((".js", ".css"))]
    assert len(assets) == 2
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    assert "SwaggerUIBundle" in client.get(next(u for u in assets if u.endswith(".js"))).text


def test_every_administration_action_is_in_the_openapi_document(client):
    paths = client.get("/openapi.json").json()["paths"]
    admin = {(method.upper(), path) for path, ops in paths.items() for method in ops if "/admin/" in path}
    assert len(admin) >= 25
    assert ("POST", "/api/v1/admin/users/{user_id}/deactivate") in admin
    assert ("POST", "/api/v1/admin/permits/{permit_id}/end") in admin
    assert ("GET", "/api/v1/admin/audit") in admin
    assert "/api/v1/auth/change-password" in paths
