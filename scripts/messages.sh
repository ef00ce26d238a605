#!/usr/bin/env bash
# Refresh the kk / ru / en catalogues from the source and compile them (make messages):
# `bash scripts/messages.sh PYTHON`, PYTHON absolute or relative to the project folder.
# tests/test_tooling.py runs the same script on a copy of the tree, so what it checks is what
# this does.
#
# References name the file without the line (--add-location=file), so code that merely moves
# within a module leaves the catalogues alone; a catalogue whose only change would be the
# POT-Creation-Date header is put back as it was, so an unchanged tree gives an empty diff.
set -euo pipefail

python=${1:?usage: messages.sh PYTHON}
cd "$(dirname "${BASH_SOURCE[0]}")/.."
languages=(kk ru en)

saved=$(mktemp -d "${TMPDIR:-/tmp}/messages.XXXXXX")
trap 'rm -rf "$saved"' EXIT
for language in "${languages[@]}"; do
    po=locale/$language/LC_MESSAGES/django.po
    if [ -f "$po" ]; then
        mkdir -p "$saved/$language" && cp -p "$po" "$saved/$language/"
    fi
done

# Test code, tooling and the docs hold no string a user sees.
"$python" manage.py makemessages "${languages[@]/#/--locale=}" --add-location=file \
    --ignore=tests --ignore=scripts --ignore=docs --ignore=static --ignore=staticfiles --ignore=media

without_date() { grep -v '^"POT-Creation-Date: ' "$1"; }
for language in "${languages[@]}"; do
    po=locale/$language/LC_MESSAGES/django.po
    old=$saved/$language/django.po
    if [ -f "$old" ] && cmp -s <(without_date "$old") <(without_date "$po"); then
        cp -p "$old" "$po"
    fi
done

"$python" manage.py compilemessages --ignore=.venv
