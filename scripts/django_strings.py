"""Write core/django_strings.py, the list of Django's own strings that our users see.

Django's Kazakh catalogue lacks many of them or words them poorly, so they are listed in a module
that makemessages reads, and our catalogues (LOCALE_PATHS, which take precedence) translate them.
STRINGS below chooses them (a plural entry by its singular); each is looked up in Django's English
catalogues, which give the plural. After a Django upgrade, a chosen string that Django reworded
or dropped stops this script with its name and the closest string Django has now, and an entry
whose plural changed changes the file; tests/test_tooling.py fails until STRINGS, the file and
the catalogues (make messages) follow.

    python scripts/django_strings.py           rewrite core/django_strings.py
    python scripts/django_strings.py --check   exit 1, with a diff, when the file is out of date
"""

from __future__ import annotations

import argparse
import ast
import difflib
import sys
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "core" / "django_strings.py"
DJANGO = Path(django.__file__).resolve().parent
# Core Django (forms, validators, CSRF page, pagination, time spans) and django.contrib.auth.
CATALOGUES = ("conf", "contrib/auth")

STRINGS = (
    "…",
    "That page number is not an integer",
    "That page number is less than 1",
    "That page contains no results",
    "Enter a valid integer.",
    "Enter a valid email address.",
    "File extension “%(extension)s” is not allowed. Allowed extensions are: %(allowed_extensions)s.",
    "Null characters are not allowed.",
    "%(model_name)s with this %(field_labels)s already exists.",
    "Constraint “%(name)s” is violated.",
    "- Select an option -",
    "Value %(value)r is not a valid choice.",
    "“%(value)s” is not a valid UUID.",
    "%(model)s instance with %(field)s %(value)r is not a valid choice.",
    "Enter a complete value.",
    "Enter a valid UUID.",
    "Enter a valid JSON.",
    "(Hidden field %(name)s) %(error)s",
    "“%(pk)s” is not a valid value.",
    "%(datetime)s couldn’t be interpreted in time zone %(current_timezone)s; "
    "it may be ambiguous or it may not exist.",
    "Enter a valid value.",
    "Enter a valid URL.",
    "This field cannot be blank.",
    "This field cannot be null.",
    "Enter a whole number.",
    "Enter a valid date.",
    "Enter a valid time.",
    "Enter a valid date/time.",
    "Select a valid choice. %(value)s is not one of the available choices.",
    "Select a valid choice. That choice is not one of the available choices.",
    "Please either submit a file or check the clear checkbox, not both.",
    "The submitted file is empty.",
    "%(model_name)s with this %(field_label)s already exists.",
    "Forbidden",
    "CSRF verification failed. Request aborted.",
    "You are seeing this message because this HTTPS site requires a “Referer header” to be sent by "
    "your web browser, but none was sent. This header is required for security reasons, to ensure "
    "that your browser is not being hijacked by third parties.",
    "If you have configured your browser to disable “Referer” headers, please re-enable them, at "
    "least for this site, or for HTTPS connections, or for “same-origin” requests.",
    'If you are using the <meta name="referrer" content="no-referrer"> tag or including the '
    "“Referrer-Policy: no-referrer” header, please remove them. The CSRF protection requires the "
    "“Referer” header to do strict referer checking. If you’re concerned about privacy, use "
    'alternatives like <a rel="noreferrer" …> for links to third-party sites.',
    "You are seeing this message because this site requires a CSRF cookie when submitting forms. "
    "This cookie is required for security reasons, to ensure that your browser is not being "
    "hijacked by third parties.",
    "If you have configured your browser to disable cookies, please re-enable them, at least for "
    "this site, or for “same-origin” requests.",
    "More information is available with DEBUG=True.",
    "Please enter a correct %(username)s and password. Note that both fields may be case-sensitive.",
    "username",
    "email address",
    "Email",
    "The two password fields didn’t match.",
    "Enter the same password as before, for verification.",
    "The password is too similar to the %(verbose_name)s.",
    "Your password can’t be too similar to your other personal information.",
    "This password is too common.",
    "Your password can’t be a commonly used password.",
    "This password is entirely numeric.",
    "Your password can’t be entirely numeric.",
    "Password reset",
    "Password reset sent",
    "Enter new password",
    "Password reset unsuccessful",
    "Password reset complete",
    "Password change",
    "Password change successful",
    # Plural entries, by their singular.
    "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
    "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
    "Ensure this filename has at most %(max)d character (it has %(length)d).",
    "%(num)d year",
    "%(num)d month",
    "%(num)d week",
    "%(num)d day",
    "%(num)d hour",
    "%(num)d minute",
    "This password is too short. It must contain at least %d character.",
    "Your password must contain at least %(min_length)d character.",
)

HEADER = '''"""Django's own user-facing strings, listed so that `makemessages` keeps them in our
catalogues (Django's Kazakh catalogue lacks them or words them poorly; catalogues in
LOCALE_PATHS take precedence). Never imported; written by scripts/django_strings.py."""
from django.utils.translation import gettext_noop as _
from django.utils.translation import ngettext_lazy
'''


def read_catalogue(path: Path) -> list[dict[str, str]]:
    """The entries of a .po file: msgctxt, msgid and msgid_plural where present (msgstr is not
    needed: Django's English catalogue leaves it empty)."""
    entries: list[dict[str, str]] = []
    entry: dict[str, str] = {}
    field = None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if entry.get("msgid"):
                entries.append(entry)
            entry, field = {}, None
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if field:
                entry[field] += ast.literal_eval(line)
        else:
            keyword, _, rest = line.partition(" ")
            field = keyword if keyword in ("msgctxt", "msgid", "msgid_plural") else None
            if field:
                entry[field] = ast.literal_eval(rest)
    return entries


def django_entries() -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for catalogue in CATALOGUES:
        for entry in read_catalogue(DJANGO / catalogue / "locale" / "en" / "LC_MESSAGES" / "django.po"):
            if "msgctxt" not in entry:
                found.setdefault(entry["msgid"], entry)
    return found


def render() -> str:
    known = django_entries()
    missing = [msgid for msgid in STRINGS if msgid not in known]
    if missing:
        lines = [f"Django {django.get_version()} has no such string (without a context) any more:"]
        for msgid in missing:
            closest = difflib.get_close_matches(msgid, known, n=1, cutoff=0.6)
            lines.append(f"  {msgid!r}" + (f"\n    closest now: {closest[0]!r}" if closest else ""))
        lines.append("Update STRINGS in scripts/django_strings.py, then run make messages.")
        raise SystemExit("\n".join(lines))

    out = [HEADER, "DJANGO_STRINGS = ("]
    out += [f"    _({msgid!r})," for msgid in STRINGS if "msgid_plural" not in known[msgid]]
    out += [")", "", "DJANGO_PLURAL_STRINGS = ("]
    for msgid in STRINGS:
        if plural := known[msgid].get("msgid_plural"):
            out += ["    ngettext_lazy(", f"        {msgid!r},", f"        {plural!r},", "        1,",
                    "    ),"]
    out += [")", ""]
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed file, write nothing")
    args = parser.parse_args()
    text = render()
    if not args.check:
        TARGET.write_text(text, encoding="utf-8")
        return 0
    current = TARGET.read_text(encoding="utf-8")
    if current == text:
        return 0
    sys.stdout.writelines(difflib.unified_diff(
        current.splitlines(keepends=True), text.splitlines(keepends=True),
        "core/django_strings.py (committed)", f"core/django_strings.py (Django {django.get_version()})",
    ))
    print("core/django_strings.py is out of date: run python scripts/django_strings.py, then make messages.")
    return 1


if __name__ == "__main__":
    sys.exit(main())
