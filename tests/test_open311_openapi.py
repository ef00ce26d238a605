"""The OpenAPI description served at /open311/v2/openapi.json against the URL configuration:
every route under /open311/v2/ is described, nothing is described that does not exist, and
each described method is one the route takes (and no other)."""

from __future__ import annotations

import json

from django.test import Client
from django.urls import resolve

from open311 import urls

EXAMPLES = {"{format}": "json", "{service_code}": "vehicle-registration", "{service_request_id}": "R-2026-00001"}
METHODS = ("get", "post", "put", "patch", "delete")


def described() -> dict:
    return json.loads(Client().get("/open311/v2/openapi.json").content)


def concrete(path: str) -> str:
    for placeholder, value in EXAMPLES.items():
        path = path.replace(placeholder, value)
    return path


def routes_under_v2() -> set[str]:
    return {f"open311:{p.name}" for p in urls.urlpatterns if str(p.pattern).lstrip("^").startswith("v2/")}


def test_the_description_is_openapi_3(db):
    spec = described()
    assert spec["openapi"].startswith("3.")
    assert all(path.startswith("/open311/v2/") for path in spec["paths"])


def test_every_route_is_described_and_nothing_else(db):
    spec = described()
    named = set()
    for path, operations in spec["paths"].items():
        match = resolve(concrete(path))
        for operation in operations.values():
            assert f"{match.namespace}:{match.url_name}" == operation["x-url-name"], path
            named.add(operation["x-url-name"])
    assert named == routes_under_v2()
    ids = [op["operationId"] for ops in spec["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))


def test_each_route_takes_exactly_the_methods_described(world):
    for path, operations in described()["paths"].items():
        url = concrete(path)
        for method in METHODS:
            status = getattr(Client(), method)(url).status_code
            assert (status != 405) is (method in operations), (path, method, status)


def test_the_help_page_lists_every_endpoint_described(world):
    page = Client().get("/open311/").content.decode()
    for path, operations in described()["paths"].items():
        if path == "/open311/v2/":
            continue  # the help page itself
        for method in operations:
            row = f'<code>{method.upper()}</code></td><td data-label="Address"><code>{path.replace("{format}", "xml")}'
            assert row in page, (method, path)
