"""Suite-wide pytest settings.

- An HttpCase skipped because the HTTP server is off fails the run instead of
  passing silently (pytest-odoo needs --odoo-http).
- Hypothesis keeps no example database in the work tree and has no deadline
  (CI machines are shared).
"""

from hypothesis import settings

settings.register_profile("suite", database=None, deadline=None)
settings.load_profile("suite")

_http_skips = []


def pytest_runtest_logreport(report):
    if report.skipped and "--odoo-http is not set" in str(report.longrepr):
        _http_skips.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if _http_skips:
        print(f"\nFAILED: {len(_http_skips)} HttpCase tests were skipped: run pytest with --odoo-http")
        session.exitstatus = 1
