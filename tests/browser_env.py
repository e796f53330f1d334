"""Where the browser tests find a Chromium, and what to say when there is none.

The browser tests (marked ``browser``) drive a real JupyterLab in headless
Chromium. A machine without one skips them at collection, with how to get one,
and the end of the run says plainly that they did not run. Under CI (``CI`` set)
a missing Chromium fails them instead: CI installs it and must run them.
"""

from __future__ import annotations

import os
import shutil

__all__ = ["NO_CHROMIUM", "chromium_path", "must_run_browser_tests"]

_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

NO_CHROMIUM = (
    "no Chromium found (looked for $NBASSETS_CHROMIUM, /usr/bin/chromium and "
    + ", ".join(_CANDIDATES)
    + " on PATH): the browser tests did not run. Install it with `apt-get install chromium` "
    "(Debian/Ubuntu; `.ci/run` does this), or point NBASSETS_CHROMIUM at a Chromium or "
    "Chrome binary. Playwright's own browser download is not needed."
)


def chromium_path() -> str | None:
    """The Chromium to drive: ``$NBASSETS_CHROMIUM``, Debian's, or one on PATH."""
    explicit = os.environ.get("NBASSETS_CHROMIUM")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def must_run_browser_tests() -> bool:
    """True under CI, where a missing Chromium is a failure, not a skip."""
    return os.environ.get("CI", "").lower() not in ("", "0", "false")
