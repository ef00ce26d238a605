#!/usr/bin/env bash
# Print the path of a Python interpreter >= 3.12 (the real executable, not a pyenv shim).
#
# Order: $PYTHON if set (and then nothing else), python3.13, python3.12, pyenv's
# installed 3.13.x / 3.12.x, python3, then any other pyenv version >= 3.12.
# pyenv lives in $PYENV_ROOT or $HOME/.pyenv.
set -u

MIN_MAJOR=3
MIN_MINOR=12

# Prints the interpreter's sys.executable when it runs and is new enough.
check() {
    local candidate=$1
    [ -n "$candidate" ] || return 1
    # pyenv shims exist for versions that are not selected and fail when run: running the
    # candidate is the only honest test.
    "$candidate" - "$MIN_MAJOR" "$MIN_MINOR" 2>/dev/null <<'PY'
import sys
if sys.version_info[:2] < (int(sys.argv[1]), int(sys.argv[2])):
    sys.exit(1)
print(sys.executable)
PY
}

if [ -n "${PYTHON:-}" ]; then
    if check "$PYTHON"; then
        exit 0
    fi
    echo "PYTHON=$PYTHON is not a working Python >= $MIN_MAJOR.$MIN_MINOR" >&2
    exit 1
fi

pyenv_dirs=()
for root in "${PYENV_ROOT:-}" "${HOME:-}/.pyenv"; do
    [ -n "$root" ] && [ -d "$root/versions" ] && pyenv_dirs+=("$root/versions")
done

# pyenv versions of one minor series, newest first.
pyenv_series() {
    local series=$1 dir
    for dir in "${pyenv_dirs[@]+"${pyenv_dirs[@]}"}"; do
        ls -d "$dir/$series".*/ 2>/dev/null
    done | sed 's:/$::' | sort -rVu | while read -r version_dir; do
        echo "$version_dir/bin/python3"
    done
}

candidates=(python3.13 python3.12)
while read -r c; do [ -n "$c" ] && candidates+=("$c"); done < <(pyenv_series 3.13; pyenv_series 3.12)
candidates+=(python3)
# Anything newer that pyenv holds (3.14, 3.15 ...).
for dir in "${pyenv_dirs[@]+"${pyenv_dirs[@]}"}"; do
    for version_dir in "$dir"/3.*; do
        [ -x "$version_dir/bin/python3" ] && candidates+=("$version_dir/bin/python3")
    done
done

for candidate in "${candidates[@]}"; do
    if check "$candidate"; then
        exit 0
    fi
done

echo "No Python >= $MIN_MAJOR.$MIN_MINOR found; install one or set PYTHON=/path/to/python3.12" >&2
exit 1
