"""Rendering the HTML report in headless Chromium: :func:`screenshot`, :func:`print_pdf`.

Needs a Chromium, Google Chrome or Microsoft Edge binary (Debian package ``chromium``);
:func:`find_chromium` finds it (``PLANNER_CHROMIUM``, then the usual places on Linux,
macOS and Windows) or raises :class:`ChromiumNotFound`, which says how to install one.
For a screenshot the page is measured in a first headless run (a copy with a one-line
script; the report itself has no script) so the screenshot is the full page.
:func:`print_pdf` prints the page as the browser's print dialog would (the report's print
style sheet: A4 or A3, page breaks) into a PDF, written whole (:mod:`planner.core.files`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from planner.core.files import written

__all__ = ["ENV_CHROMIUM", "INSTALL_HINT", "ChromiumNotFound", "dump_dom", "find_chromium", "print_pdf", "screenshot"]

#: The environment variable naming the browser binary to use.
ENV_CHROMIUM = "PLANNER_CHROMIUM"

INSTALL_HINT = (
    "install Chromium (Debian/Ubuntu: `apt-get install chromium`; Windows or macOS: Google Chrome "
    f"or Microsoft Edge), or set {ENV_CHROMIUM} to the browser's program file"
)

#: Names looked up on the PATH, in order.
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "msedge", "microsoft-edge")
#: Where Chrome and Edge install themselves on macOS and Windows.
PLACES = (
    "/usr/bin/chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
    r"C:\Program Files\Microsoft\Edge\Application\msedge.exe",
)


class ChromiumNotFound(RuntimeError):
    """No Chromium, Chrome or Edge binary was found: ``what`` says where the planner looked,
    and the message adds how to install one (:data:`INSTALL_HINT`)."""

    def __init__(self, what: str):
        self.what = what
        super().__init__(f"{what}: {INSTALL_HINT}")


def find_chromium(chromium: str | Path | None = None) -> str:
    """The browser binary to use: ``chromium`` when given, else ``PLANNER_CHROMIUM``, else
    /usr/bin/chromium, a Chromium, Chrome or Edge on the PATH or in its usual place on
    macOS and Windows. Raises :class:`ChromiumNotFound` (a RuntimeError) with the install
    hint when there is none."""
    given = chromium if chromium is not None else (os.environ.get(ENV_CHROMIUM) or None)
    if given is not None:
        p = shutil.which(str(given)) or (str(given) if Path(given).is_file() else None)
        if p is None:
            how = "" if chromium is not None else f" ({ENV_CHROMIUM})"
            raise ChromiumNotFound(f"Chromium not found at {str(given)!r}{how}")
        return p
    if Path(PLACES[0]).is_file():
        return PLACES[0]
    for name in NAMES:
        p = shutil.which(name)
        if p:
            return p
    for place in PLACES[1:]:
        if Path(place).is_file():
            return place
    raise ChromiumNotFound(
        f"Chromium not found (looked for {PLACES[0]}, {', '.join(NAMES)} on the PATH, and Chrome and Edge "
        "in their usual places)"
    )


def _chromium_cmd(binary: str, profile: str, width: int, height: int) -> list[str]:
    return [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--hide-scrollbars",
        f"--window-size={width},{height}",
    ]


def _measure_height(binary: str, html_path: Path, width: int, timeout: float) -> int | None:
    """The page's height at ``width``, from a copy of the page that writes it into the DOM."""
    text = html_path.read_text(encoding="utf-8")
    probe = (
        "<script>document.body.setAttribute('data-report-height', "
        "String(Math.ceil(document.documentElement.scrollHeight)));</script>"
    )
    text = text.replace("</body>", probe + "</body>", 1) if "</body>" in text else text + probe
    with tempfile.TemporaryDirectory(prefix="planner-report-") as tmp:
        copy = Path(tmp) / "measure.html"
        copy.write_text(text, encoding="utf-8")
        cmd = _chromium_cmd(binary, str(Path(tmp) / "profile"), width, 900) + ["--dump-dom", copy.resolve().as_uri()]
        try:
            res = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout)
        except (subprocess.TimeoutExpired, OSError):
            return None
    m = re.search(r'data-report-height="(\d+)"', res.stdout or "")
    return int(m.group(1)) if m else None


def _estimate_height(html_path: Path, width: int) -> int:
    """A generous guess from the page's tables, paragraphs and images."""
    text = html_path.read_text(encoding="utf-8")
    h = 300 + 34 * text.count("<tr") + 40 * (text.count("<p>") + text.count("<li>") + text.count('class="note"'))
    h += 60 * len(re.findall(r"<h[1-3]>", text)) + 60 * text.count('class="warn"')
    content = min(width, 1200) - 64
    for w, hh in re.findall(r'<img[^>]*width="(\d+)" height="(\d+)"', text):
        h += int(int(hh) * min(1.0, content / max(int(w), 1))) + 60
    return int(h * 1.25)


def _crop_bottom(png: Path, keep_margin: int = 40) -> None:
    """Trim the blank white band under the content of a screenshot taken with a guessed height."""
    try:
        from PIL import Image, ImageOps
    except ImportError:
        return
    with Image.open(png) as im:
        rgb = im.convert("RGB")
    box = ImageOps.invert(rgb).getbbox()
    if box and box[3] + keep_margin < rgb.height:
        rgb.crop((0, 0, rgb.width, box[3] + keep_margin)).save(png)


def screenshot(
    html_path: str | Path,
    png_path: str | Path,
    *,
    width: int = 1280,
    height: int | None = None,
    chromium: str | Path | None = None,
) -> Path:
    """Render ``html_path`` in headless Chromium into ``png_path`` (full page unless ``height``).

    Without ``height`` the page is measured first (a second headless run of a copy with a
    one-line script that reports its height; the report itself has no script), or, if
    that fails, a generous height is guessed from the content and the blank band below
    is trimmed. Raises RuntimeError when no Chromium is installed (``apt-get install
    chromium``) or when it fails.
    """
    binary = find_chromium(chromium)
    src = Path(html_path).resolve()
    if not src.is_file():
        raise FileNotFoundError(src)
    dst = Path(png_path).resolve()
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.unlink(missing_ok=True)
    guessed = False
    if height is None:
        height = _measure_height(binary, src, width, timeout=120)
        if height is None:
            height, guessed = _estimate_height(src, width), True
        height = max(600, min(int(height), 16000))
    with tempfile.TemporaryDirectory(prefix="planner-report-") as profile:
        cmd = _chromium_cmd(binary, profile, width, int(height)) + [f"--screenshot={dst}", src.as_uri()]
        try:
            res = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"Chromium did not finish the screenshot of {src} within 120 s") from exc
    if not dst.is_file() or dst.stat().st_size == 0:
        tail = "\n".join((res.stderr or "").strip().splitlines()[-8:])
        raise RuntimeError(f"Chromium ({binary}) wrote no screenshot of {src} (exit code {res.returncode}):\n{tail}")
    if guessed:
        _crop_bottom(dst)
    return dst


def print_pdf(
    html_path: str | Path,
    pdf_path: str | Path,
    *,
    chromium: str | Path | None = None,
    timeout: float = 180,
) -> Path:
    """Print ``html_path`` with headless Chromium into ``pdf_path``, as its print dialog would:
    the page's print style sheet (paper size from its ``@page`` rule, page breaks),
    backgrounds kept, no header or footer lines. The PDF is written to a temporary name
    beside ``pdf_path`` and renamed when whole. Raises :class:`ChromiumNotFound` when no
    browser is installed, RuntimeError when it fails."""
    binary = find_chromium(chromium)
    src = Path(html_path).resolve()
    if not src.is_file():
        raise FileNotFoundError(src)
    dst = Path(pdf_path).resolve()
    dst.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="planner-report-") as profile, written(dst, suffix=".tmp.pdf") as tmp:
        cmd = _chromium_cmd(binary, profile, 1280, 900) + [
            "--no-pdf-header-footer",
            "--print-to-pdf-no-header",  # the same, for Chromium before 120
            f"--print-to-pdf={tmp}",
            src.as_uri(),
        ]
        try:
            res = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"Chromium did not finish printing {src} within {timeout:g} s") from exc
        head = tmp.read_bytes()[:5]
        if head != b"%PDF-":
            tail = "\n".join((res.stderr or "").strip().splitlines()[-8:])
            raise RuntimeError(f"Chromium ({binary}) printed no PDF of {src} (exit code {res.returncode}):\n{tail}")
    return dst


def dump_dom(
    html_path: str | Path,
    *,
    script: str = "",
    chromium: str | Path | None = None,
    width: int = 1280,
    wait_ms: int = 5000,
    timeout: float = 120,
) -> str:
    """The DOM of ``html_path`` after headless Chromium has loaded it and run ``script`` (a
    ``<script>`` body added to a temporary copy of the page; the page itself is not
    changed), with up to ``wait_ms`` of the page's own time for the script's promises
    (fonts loading, say). Raises :class:`ChromiumNotFound` or RuntimeError."""
    binary = find_chromium(chromium)
    src = Path(html_path).resolve()
    text = src.read_text(encoding="utf-8")
    if script:
        tag = f"<script>{script}</script>"
        text = text.replace("</body>", tag + "</body>", 1) if "</body>" in text else text + tag
    with tempfile.TemporaryDirectory(prefix="planner-report-") as tmp:
        copy = Path(tmp) / "page.html"
        copy.write_text(text, encoding="utf-8")
        cmd = _chromium_cmd(binary, str(Path(tmp) / "profile"), width, 900) + [
            f"--virtual-time-budget={int(wait_ms)}",
            "--dump-dom",
            copy.as_uri(),
        ]
        try:
            res = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"Chromium did not load {src} within {timeout:g} s") from exc
    if not res.stdout:
        tail = "\n".join((res.stderr or "").strip().splitlines()[-8:])
        raise RuntimeError(f"Chromium ({binary}) returned no page for {src} (exit code {res.returncode}):\n{tail}")
    return res.stdout
