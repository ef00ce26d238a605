"""The OpenAPI description of /open311/v2/, written by hand and served beside the endpoints
(tests/test_open311_openapi.py holds it to the URL configuration: every route described,
nothing described that does not exist). Each operation names its URL pattern in
`x-url-name`."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from open311.terms import term

FORMAT = {"name": "format", "in": "path", "required": True, "description": "xml (the standard's) or json",
          "schema": {"type": "string", "enum": ["xml", "json"]}}
LOCALE = {"name": "locale", "in": "query", "description": "kk, ru or en (else Accept-Language decides)",
          "schema": {"type": "string"}}
API_KEY = {"name": "api_key", "in": "query", "description": "a personal API key (or the X-Api-Key header)",
           "schema": {"type": "string"}}
ERRORS = {"description": "the standard's error list: <errors><error><code/><description/></error></errors>"}


def _query(name: str, description: str) -> dict:
    return {"name": name, "in": "query", "description": description, "schema": {"type": "string"}}


def _answers(what: str, *codes: int) -> dict:
    answers = {"200": {"description": what, "content": {"text/xml": {}, "application/json": {}}}}
    answers.update({str(code): ERRORS for code in codes})
    return answers


def _get(name: str, summary: str, *, parameters=(), codes=(400, 403, 429)) -> dict:
    return {"get": {"operationId": name.replace(":", "_"), "x-url-name": name, "summary": summary,
                    "parameters": [FORMAT, LOCALE, API_KEY, *parameters], "responses": _answers(summary, *codes)}}


def description() -> dict:
    window, cap = term("DEFAULT_WINDOW").days, term("MAX_RESULTS")
    request_filters = [
        _query("service_request_id", "references, comma-separated; overrides every other filter"),
        _query("service_code", "service codes, comma-separated"),
        _query("start_date", f"W3C datetime; with end_date at most {window} days apart (default: the last {window})"),
        _query("end_date", "W3C datetime"),
        _query("status", "open or closed, comma-separated"),
        _query("updated_after", "W3C datetime (FixMyStreet's extension): changed since; oldest change first"),
        _query("updated_before", "W3C datetime (FixMyStreet's extension)"),
    ]
    filing = {
        "operationId": "open311_requests_post", "x-url-name": "open311:requests",
        "summary": "File a remark as the key's owner (a commissioner; staff keys are read-only)",
        "parameters": [FORMAT, LOCALE],
        "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
            "type": "object", "required": ["api_key", "service_code", "description"],
            "properties": {
                "api_key": {"type": "string"}, "service_code": {"type": "string"},
                "description": {"type": "string", "maxLength": 5000},
                "lat": {"type": "number", "description": "optional, ignored"},
                "long": {"type": "number", "description": "optional, ignored"},
                "address_string": {"type": "string", "description": "optional, ignored"},
                "media_url": {"type": "string", "description": "refused (400)"},
                "attribute[kind]": {"type": "string", "enum": ["remark", "suggestion"]},
                "attribute[title]": {"type": "string", "maxLength": 200},
                "attribute[language]": {"type": "string", "enum": ["kk", "ru", "kk_ru"]},
                "attribute[affected_url]": {"type": "string"},
                "attribute[publication_consent]": {"type": "string", "enum": ["true", "false"]},
                "attribute[similar_seen]": {"type": "string", "enum": ["true", "false"]},
                "attribute[idempotency_key]": {"type": "string", "maxLength": 100},
            }}}}},
        "responses": _answers("the new request's id and notice", 400, 403, 429),
    }
    requests = _get("open311:requests", f"Remarks, newest first, at most {cap}", parameters=request_filters)
    requests["post"] = filing
    return {
        "openapi": "3.1.0",
        "info": {"title": "Digital commissioners' remarks tracker: Open311 GeoReport v2", "version": "2"},
        "externalDocs": {"url": "http://wiki.open311.org/GeoReport_v2"},
        "paths": {
            "/open311/v2/": {"get": {"operationId": "open311_root", "x-url-name": "open311:root",
                                     "summary": "The help page (HTML) listing these endpoints",
                                     "responses": {"200": {"description": "text/html"}}}},
            "/open311/v2/openapi.json": {"get": {"operationId": "open311_openapi", "x-url-name": "open311:openapi",
                                                 "summary": "This description",
                                                 "responses": {"200": {"description": "application/json"}}}},
            "/open311/v2/discovery.{format}": _get("open311:discovery", "The discovery document", codes=(400, 429)),
            "/open311/v2/services.{format}": _get("open311:services", "The service catalogue", codes=(400, 429)),
            "/open311/v2/services/{service_code}.{format}": _get(
                "open311:service", "One service's definition (its attributes)", codes=(400, 404, 429),
                parameters=[{"name": "service_code", "in": "path", "required": True, "schema": {"type": "string"}}]),
            "/open311/v2/requests.{format}": requests,
            "/open311/v2/requests/{service_request_id}.{format}": _get(
                "open311:request", "One remark (a list of one, as the standard says)", codes=(400, 403, 404, 429),
                parameters=[{"name": "service_request_id", "in": "path", "required": True,
                             "schema": {"type": "string", "pattern": "^R-[0-9]{4}-[0-9]{5,9}$"}}]),
        },
    }


@require_GET
def openapi_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(description(), json_dumps_params={"ensure_ascii": False})
