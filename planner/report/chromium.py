"""Rendering the HTML report in headless Chromium: :func:`screenshot`.

Needs a Chromium or Google Chrome binary (Debian package ``chromium``); :func:`find_chromium`
finds it or says how to install it. The page is measured in a first headless run (a
copy with a one-line script; the report itself has no script) so the screenshot is the
full page.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["INSTALL_HINT", "find_chromium", "screenshot"]

INSTALL_HINT = (
    "install Chromium (Debian/Ubuntu: `apt-get install chromium`), or pass chromium=PATH "
    "to a Chromium or Google Chrome binary"
)


def find_chromium(chromium: str | Path | None = None) -> str:
    """The Chromium (or Google Chrome) binary to use; RuntimeError with the install hint if none."""
    if chromium is not None:
        p = shutil.which(str(chromium)) or (str(chromium) if Path(chromium).is_file() else None)
        if p is None:
            raise RuntimeError(f"Chromium not found at {chromium!r}: {INSTALL_HINT}")
        return p
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    for name in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(name)
        if p:
            return p
    raise RuntimeError(
        f"Chromium not found (looked for /usr/bin/chromium, chromium, chromium-browser, google-chrome): {INSTALL_HINT}"
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
