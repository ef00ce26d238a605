"""What the benchmark and the cluster test share: a throwaway PostgreSQL of their own, the
project's environment with DEBUG off, and plain HTTP on the loopback interface."""

from __future__ import annotations

import http.client
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port: int, path: str, *, method="GET", headers=None, body=None, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


class Stack:
    """A database for one run: DATABASE_URL when set, otherwise a private copy of
    scripts/pg.sh with its own state, so `make test` running beside it is not disturbed."""

    name = "stack"

    def __init__(self):
        self.pg_home: Path | None = None
        self.database_url = os.environ.get("DATABASE_URL", "")
        self.env: dict[str, str] = {}
        self.log = Path(tempfile.mkdtemp(prefix=f"{self.name}-log-"))

    def start_postgres(self):
        if self.database_url:
            print(f"Using DATABASE_URL {self.database_url}")
            return
        self.pg_home = Path(tempfile.mkdtemp(prefix=f"{self.name}-pg-"))
        (self.pg_home / "scripts").mkdir()
        shutil.copy2(ROOT / "scripts" / "pg.sh", self.pg_home / "scripts" / "pg.sh")
        out = subprocess.run([str(self.pg_home / "scripts" / "pg.sh"), "start"], capture_output=True,
                             text=True, timeout=120)
        if out.returncode != 0:
            raise SystemExit(f"{self.name}: PostgreSQL did not start:\n{out.stderr}")
        self.database_url = out.stdout.strip().splitlines()[-1]
        print(f"PostgreSQL at {self.database_url}")

    def stop_postgres(self):
        if self.pg_home is None:
            return
        subprocess.run([str(self.pg_home / "scripts" / "pg.sh"), "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.pg_home, ignore_errors=True)
        self.pg_home = None

    def production_env(self, **extra: str) -> dict[str, str]:
        """DEBUG off as in production, on plain http over loopback."""
        return {
            **os.environ, "DATABASE_URL": self.database_url, "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "0",
            "CONN_MAX_AGE": "600", "PYTHONUNBUFFERED": "1", **extra,
        }

    def manage(self, *argv: str, timeout: int = 1800) -> str:
        out = subprocess.run([PY, "manage.py", *argv], cwd=ROOT, env=self.env, capture_output=True, text=True,
                             timeout=timeout)
        if out.returncode != 0:
            raise SystemExit(f"{self.name}: manage.py {' '.join(argv)} failed:\n{out.stdout}\n{out.stderr}")
        return out.stdout

    def prepare(self):
        """Schema, cache table and the static files: with DEBUG off the pages name their CSS
        through collectstatic's manifest, so a fresh checkout must collect them first."""
        self.manage("migrate", "--noinput")
        self.manage("createcachetable")
        self.manage("collectstatic", "--noinput")
