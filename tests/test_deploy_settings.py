"""Production settings pass Django's deployment checklist and refuse to start without a key."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    dropped = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    environment.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_deployment_checklist_is_clean_with_production_variables():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="0",
                        SECRET_KEY=secrets.token_urlsafe(60), ALLOWED_HOSTS="tracker.example.kz")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DEBUG="0", ALLOWED_HOSTS="tracker.example.kz")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_every_page_has_the_security_headers(client, db):
    response = client.get("/accounts/login/")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


PAGES = ["/", "/remarks/", "/remarks/mine/", "/remarks/new/", "/notifications/", "/notifications/settings/",
         "/help/workflow/", "/stats/", "/transparency/", "/commission/", "/meetings/", "/accounts/login/",
         "/accounts/password_change/", "/healthz"]


def test_every_page_sends_the_security_headers_to_every_role(client_for, personas, remark_in):
    remark = remark_in("in_review")
    for persona in ("author", "coordinator", "officer", "analyst", "secretary"):
        client = client_for(personas[persona])
        for path in [*PAGES, remark.get_absolute_url()]:
            response = client.get(path, follow=True)
            assert response.status_code in (200, 403, 404), (persona, path, response.status_code)
            headers = response.headers
            assert "unsafe-inline" not in headers["Content-Security-Policy"], path
            assert "default-src 'self'" in headers["Content-Security-Policy"], path
            assert headers["X-Frame-Options"] == "DENY", path
            assert headers["X-Content-Type-Options"] == "nosniff", path
            assert headers["Referrer-Policy"] == "same-origin", path
            assert "camera=()" in headers["Permissions-Policy"], path
            if "text/html" in headers["Content-Type"]:
                html = response.content.decode()
                inline = "<script>" in html or " style=" in html or "<style" in html
                assert not inline, (persona, path)
