"""The models and the migrations say the same: a model change without its migration fails here,
not on the first deployment."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_makemigrations_check_finds_nothing_to_write(tmp_path):
    # A database of its own: the check reads the migration history, and must not touch (or
    # create) the project's development database.
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    environment["DATABASE_URL"] = f"sqlite:///{tmp_path / 'check.sqlite3'}"
    result = subprocess.run([sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"], cwd=ROOT,
                            env=environment, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
