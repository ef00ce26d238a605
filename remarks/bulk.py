"""What one bulk action shares across its remarks, for the length of that action only (never
across requests: any node may serve the next one). Inside `scope()`, `memo(key, compute)`
computes a value once, e.g. the agencies by code or an agency's staff, which cannot change
while the action's transaction runs."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar

_scope: ContextVar[dict | None] = ContextVar("bulk_scope", default=None)


@contextmanager
def scope():
    if _scope.get() is not None:
        yield
        return
    token = _scope.set({})
    try:
        yield
    finally:
        _scope.reset(token)


def memo(key, compute: Callable):
    values = _scope.get()
    if values is None:
        return compute()
    if key not in values:
        values[key] = compute()
    return values[key]
