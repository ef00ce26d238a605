"""The project's own tools keep their promises: `make messages` on an unchanged tree changes no
catalogue, core/django_strings.py is what its generator writes from the installed Django, the
module size check names what is too long, and constraints.txt pins what the requirements name."""

from __future__ import annotations

import difflib
import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_catalogues import parse_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["kk", "ru", "en"]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300)


# Folders that scripts/messages.sh has makemessages skip, and scratch output: not copied (the
# script itself is). Dot-folders (.venv, .git) and the SQLite file are left out too.
NOT_COPIED = {"tests", "docs", "static", "staticfiles", "media", "test-results", "scripts", "__pycache__"}


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory) -> Path:
    """A copy of the tree after `make messages`'s script ran in it; the real catalogues are
    only read."""
    for tool in ("xgettext", "msgmerge", "msgfmt"):
        if shutil.which(tool) is None:
            pytest.skip(f"GNU gettext's {tool} is not installed (apt-get install gettext)")
    copy = tmp_path_factory.mktemp("tree")
    for entry in ROOT.iterdir():
        if entry.name.startswith((".", "db.sqlite3")) or entry.name in NOT_COPIED:
            continue
        if entry.is_dir():
            shutil.copytree(entry, copy / entry.name, ignore=shutil.ignore_patterns("__pycache__", ".*"))
        else:
            shutil.copy2(entry, copy / entry.name)
    (copy / "scripts").mkdir()
    shutil.copy2(ROOT / "scripts" / "messages.sh", copy / "scripts" / "messages.sh")
    done = run("bash", "scripts/messages.sh", sys.executable, cwd=copy)
    assert done.returncode == 0, done.stdout + done.stderr
    return copy


def po_path(root: Path, language: str) -> Path:
    return root / "locale" / language / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_make_messages_leaves_no_entry_fuzzy_or_untranslated(refreshed, language):
    entries = parse_po(po_path(refreshed, language))
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    untranslated = [e["msgid"] for e in entries if not all(v.strip() for v in e["msgstr"].values())]
    assert not fuzzy, f"{language}: make messages marks {len(fuzzy)} entries fuzzy, e.g. {fuzzy[:5]}"
    assert not untranslated, (
        f"{language}: {len(untranslated)} strings of the source have no translation yet "
        f"(make messages, then translate them), e.g. {untranslated[:5]}"
    )


def without_creation_date(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    return [line for line in lines if not line.startswith('"POT-Creation-Date: ')]


@pytest.mark.parametrize("language", LANGUAGES)
def test_make_messages_changes_no_catalogue(refreshed, language):
    committed = without_creation_date(po_path(ROOT, language))
    after = without_creation_date(po_path(refreshed, language))
    diff = list(difflib.unified_diff(committed, after, "committed", "after make messages", n=1))
    assert not diff, (
        f"{language}: the catalogue lags behind the source; run make messages and commit it:\n"
        + "".join(diff[:60])
    )


def compiled(path: Path) -> dict:
    with path.open("rb") as handle:
        catalog = dict(gettext.GNUTranslations(handle)._catalog)
    catalog.pop("", None)  # the header: dates and tool versions
    return catalog


@pytest.mark.parametrize("language", LANGUAGES)
def test_make_messages_compiles_the_committed_mo(refreshed, language):
    committed = compiled(po_path(ROOT, language).with_suffix(".mo"))
    after = compiled(po_path(refreshed, language).with_suffix(".mo"))
    differ = sorted(str(key) for key in committed.keys() | after.keys()
                    if committed.get(key) != after.get(key))
    assert not differ, (
        f"{language}: the committed django.mo differs from what make messages compiles in "
        f"{len(differ)} entries (run make messages), e.g. {differ[:3]}"
    )


def test_core_django_strings_is_what_its_generator_writes_from_this_django():
    done = run(sys.executable, "scripts/django_strings.py", "--check")
    assert done.returncode == 0, done.stdout + done.stderr


def test_module_size_check_names_each_long_product_module_only(tmp_path):
    def module(name: str, lines: int) -> None:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n" * lines)

    module("remarks/services.py", 401)
    module("config/settings.py", 400)
    module("core/views/long.py", 450)
    module("remarks/migrations/0001_initial.py", 900)
    module("agencies/tests/test_models.py", 900)
    module("commissioners/tests.py", 900)
    done = run(sys.executable, "scripts/check_module_size.py", "--root", str(tmp_path))
    assert done.returncode == 1
    assert done.stdout.splitlines()[:2] == [
        "core/views/long.py: 450 lines (limit 400)",
        "remarks/services.py: 401 lines (limit 400)",
    ]
    assert "2 product module(s)" in done.stdout


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := re.fullmatch(r"([A-Za-z0-9._-]+)==(\S+)", line.split("#")[0].strip()):
            found[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return found


def test_constraints_pin_every_requirement_at_its_version():
    constraints = pins(ROOT / "constraints.txt")
    for requirements in ("requirements.txt", "requirements-dev.txt"):
        for name, version in pins(ROOT / requirements).items():
            assert constraints.get(name) == version, (
                f"{requirements} wants {name}=={version}, constraints.txt has {constraints.get(name)}: "
                "run make lock"
            )
