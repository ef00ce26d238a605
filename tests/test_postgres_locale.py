"""PostgreSQL must fold the case of Kazakh and Russian letters: a database whose character
type is plain C would make the search case-sensitive for them. The deployment needs a UTF-8
character type (README); this test fails under C."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_database_folds_cyrillic_case():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://...")
    with connection.cursor() as cursor:
        cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
        (ctype,) = cursor.fetchone()
        cursor.execute("SELECT lower(%s), upper(%s)", ["ЕМХАНА ҰБТ Әлем", "емхана ұбт әлем"])
        lower, upper = cursor.fetchone()
    assert ctype.upper() not in ("C", "POSIX"), ctype
    assert lower == "емхана ұбт әлем" and upper == "ЕМХАНА ҰБТ ӘЛЕМ"
