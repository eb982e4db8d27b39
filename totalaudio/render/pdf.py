"""The report as PDF: a headless Chromium prints the self-contained HTML file."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from totalaudio.errors import ConfigError, InputError

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# As root and on machines with a closed network, Chromium needs these to start quietly (no sandbox, no calls home).
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-pdf-header-footer")
TIMEOUT = 60.0


def find_chromium(configured: str | None = None) -> str:
    """The Chromium to use: the configured path, else the first on PATH; ConfigError says how to install one."""
    found = configured if configured and Path(configured).is_file() else None
    found = found or next((p for p in map(shutil.which, CANDIDATES) if p), None)
    if not found:
        raise ConfigError("--pdf needs a headless Chromium and none was found",
                          hint="install it (Debian/Ubuntu: `sudo apt-get install chromium`; macOS: install Google "
                               "Chrome) or set TAP_CHROMIUM=/path/to/chromium; the HTML "
                               "report (--html) needs nothing")
    return found


def print_pdf(html_file: Path, pdf_file: Path, chromium: str) -> None:
    """Print an HTML file to PDF with headless Chromium (a throwaway profile, nothing from the network)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="tap-chromium-") as profile:
        args = [chromium, *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf_file}",
                html_file.resolve().as_uri()]
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise InputError(f"Chromium did not finish printing {html_file} in {TIMEOUT:.0f} s") from None
    if done.returncode != 0 or not pdf_file.is_file():
        raise InputError(f"Chromium could not print {html_file} to PDF (exit {done.returncode})",
                         hint=(done.stderr or "").strip().splitlines()[-1][:200] if done.stderr else None)
