"""Every string a user sees exists in Kazakh and Russian, and the compiled catalogues that
Django reads say the same as the .po files we edit."""

import ast
import gettext
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ["kk", "ru"]


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (list) and flags."""
    entries, entry, field = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(field, tuple):
                entry["msgstr"][field[1]] += value
            else:
                entry[field] += value
        else:
            keyword, _, rest = line.partition(" ")
            value = ast.literal_eval(rest)
            if keyword.startswith("msgstr["):
                field = ("msgstr", int(keyword[7:-1]))
                entry["msgstr"][field[1]] = value
            elif keyword == "msgstr":
                field = ("msgstr", 0)
                entry["msgstr"][0] = value
            else:
                field = keyword
                entry[keyword] = value
    finish()
    return [e for e in entries if e["msgid"] != ""]


def catalogue(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_not_fuzzy(language):
    entries = parse_po(catalogue(language))
    assert len(entries) > 100, "the catalogue looks empty"
    untranslated = [e["msgid"] for e in entries if not all(v.strip() for v in e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not untranslated, f"{language}: {len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{language}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("language", [*LANGUAGES, "en"])
def test_compiled_catalogue_matches_its_source(language):
    po = catalogue(language)
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo.name} of {language} is not compiled"
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in parse_po(po):
        if "fuzzy" in entry["flags"] or not entry["msgstr"].get(0):
            continue
        key = entry["msgid"] if "msgctxt" not in entry else f"{entry['msgctxt']}\x04{entry['msgid']}"
        if "msgid_plural" in entry:
            got = compiled._catalog.get((key, 0))
        else:
            got = compiled._catalog.get(key)
        if got != entry["msgstr"][0]:
            stale.append(entry["msgid"])
    assert not stale, f"{language}: the .mo is older than the .po for {len(stale)} entries, e.g. {stale[:3]}"


def test_django_serves_the_project_translations(client, db):
    from django.utils import translation

    with translation.override("ru"):
        assert translation.gettext("My remarks") != "My remarks"
    with translation.override("kk"):
        assert translation.gettext("My remarks") != "My remarks"


def test_kazakh_is_the_default_language(client, db, settings):
    from config import settings as project_settings

    assert project_settings.LANGUAGE_CODE == "kk"
    settings.LANGUAGE_CODE = "kk"
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="kk">' in page
    assert "Кіру" in page  # "Log in"
    russian = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert '<html lang="ru">' in russian and "Войти" in russian
