"""The report as PDF, printed by headless Chromium (Debian package ``chromium``) with the report's
own print stylesheet; where no Chromium is installed, :func:`chromium_path` is None and the HTML's
print stylesheet (the browser's Print → PDF) is the way."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import SinkPlanError
from ..i18n import _
from ..io.atomic import atomic_path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_S = 300


def chromium_path() -> str | None:
    env = os.environ.get("SINKPLAN_CHROMIUM")
    if env and Path(env).exists():
        return env
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(html: Path, pdf: Path, chromium: str | None = None) -> Path:
    """Print ``html`` to ``pdf`` (atomically) with headless Chromium, offline."""
    exe = chromium or chromium_path()
    if exe is None:
        raise SinkPlanError(_("--pdf needs Chromium (Debian: apt-get install chromium); without it, open the HTML "
                              "report and print it to PDF (it has a print stylesheet)"))
    profile = tempfile.mkdtemp(prefix="sinkplan-pdf-")
    try:
        with atomic_path(pdf) as tmp:
            cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
                   f"--user-data-dir={profile}", "--no-pdf-header-footer", "--virtual-time-budget=10000",
                   f"--print-to-pdf={tmp}", Path(html).resolve().as_uri()]
            try:
                r = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                raise SinkPlanError(_("{file}: Chromium did not finish printing within {seconds} s").format(
                    file=pdf, seconds=TIMEOUT_S)) from None
            if r.returncode != 0 or not tmp.is_file() or tmp.stat().st_size == 0:
                tail = (r.stderr or "").strip().splitlines()[-1:] or [_("no output")]
                raise SinkPlanError(_("{file}: Chromium could not print the report (exit {code}: {error})").format(
                    file=pdf, code=r.returncode, error=tail[0]))
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return Path(pdf)
