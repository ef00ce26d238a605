"""HSTS for subdomains and the browsers' preload list bind hosts this app does not serve, for
months and beyond its reach: off unless the operator sets them, and the deployment checklist
stays clean either way (its two warnings about that choice are silenced, nothing else)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRINT = ("import config.settings as s; "
         "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, "
         "sorted(s.SILENCED_SYSTEM_CHECKS))")


def production(code: str, **env) -> subprocess.CompletedProcess:
    dropped = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "SECURE_HSTS_SECONDS",
               "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "DJANGO_SETTINGS_MODULE"}
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    environment.update(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(60), ALLOWED_HOSTS="tracker.example.kz",
                       **env)
    return subprocess.run([sys.executable, *code.split()] if code.startswith("manage.py") else
                          [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True,
                          text=True, timeout=120)


def test_hsts_covers_only_this_host_and_is_not_preloaded_unless_set():
    result = production(PRINT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 3)[:3] == ["31536000", "False", "False"]
    assert "['security.W005', 'security.W021']" in result.stdout


def test_operator_can_turn_on_subdomains_and_preload():
    result = production(PRINT, SECURE_HSTS_INCLUDE_SUBDOMAINS="1", SECURE_HSTS_PRELOAD="1")
    assert result.stdout.split(" ", 3)[:3] == ["31536000", "True", "True"], result.stderr


def test_deployment_checklist_stays_clean_with_both_choices():
    for value in ("0", "1"):
        result = production("manage.py check --deploy --fail-level WARNING",
                            SECURE_HSTS_INCLUDE_SUBDOMAINS=value, SECURE_HSTS_PRELOAD=value)
        assert result.returncode == 0, result.stdout + result.stderr
