"""pytest plugin for REQUIRE_ALL=1: a skipped test is a failed run.

`make test` loads it with `-p pytest_require_all` (scripts/ on PYTHONPATH) when REQUIRE_ALL=1,
as in CI, where a test that quietly skips (no PostgreSQL, no browser, a missing tool) would
otherwise let a green run hide untested code. Expected failures (xfail) are not skips.
"""

from __future__ import annotations

import pytest

_skipped: list[tuple[str, str]] = []


def _reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped.append((report.nodeid, _reason(report)))


def pytest_collectreport(report: pytest.CollectReport) -> None:
    # A module-level pytest.skip(allow_module_level=True) or importorskip skips a whole file.
    if report.skipped:
        _skipped.append((report.nodeid or "<collection>", _reason(report)))


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _skipped and exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if not _skipped:
        return
    terminalreporter.section("REQUIRE_ALL=1: skipped tests count as failures", sep="=", red=True, bold=True)
    for nodeid, reason in _skipped:
        terminalreporter.line(f"SKIPPED {nodeid}: {reason}", red=True)
    terminalreporter.line(f"{len(_skipped)} skipped test(s): the run fails.", red=True, bold=True)
