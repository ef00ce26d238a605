"""Fail, naming each one, on a product module longer than the limit (400 lines): a module that
long holds more than one idea and should be split (part of make lint).

Product code is the apps and config/; migrations (written by Django), tests and scripts are not
counted.

    python scripts/check_module_size.py [--limit 400] [--root PATH]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

PRODUCT = ("agencies", "commissioners", "core", "remarks", "config")
LIMIT = 400
NOT_PRODUCT = {"migrations", "tests", "scripts", "__pycache__"}


def product_modules(root: Path) -> list[Path]:
    modules = []
    for app in PRODUCT:
        for path in sorted((root / app).rglob("*.py")):
            parts = path.relative_to(root).parts
            if NOT_PRODUCT.isdisjoint(parts) and not parts[-1].startswith("test"):
                modules.append(path)
    return modules


def oversized(root: Path, limit: int) -> list[tuple[str, int]]:
    found = []
    for path in product_modules(root):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            found.append((path.relative_to(root).as_posix(), lines))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=LIMIT)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    found = oversized(args.root, args.limit)
    for name, lines in found:
        print(f"{name}: {lines} lines (limit {args.limit})")
    if found:
        print(f"{len(found)} product module(s) over {args.limit} lines: split them.")
        return 1
    print(f"module size: every product module is within {args.limit} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
