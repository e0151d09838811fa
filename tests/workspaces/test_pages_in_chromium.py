"""The install, success and error pages as a person sees them: served by the app (install, error)
or rendered from the real success HTML, loaded in headless Chromium (Debian's package), and
checked by their screenshots' pixels: the layout, the Add to Slack button, the error's colour."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

import aiohttp
import pytest

from jamono.workspaces.oauth import PAGE_HEADERS
from tests.workspaces.teams import new_team

from .png import color_share, dominant, read_png
from .test_oauth_flow import redirect, start_install

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# CI installs Chromium and sets this, so there a missing browser fails instead of skipping.
REQUIRED = os.environ.get("JAMONO_REQUIRE_CHROMIUM") == "1"
pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None and not REQUIRED,
        reason="headless Chromium not installed (apt-get install chromium; .ci/run does)",
    ),
    pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning"),
]
PAGE_BACKGROUND, CARD, BUTTON, ERROR_RED = "#f4f5f7", "#ffffff", "#4a154b", "#a4262c"


async def screenshot(target: str, out: Path, lang: str = "en") -> list[tuple[int, int, int]]:
    assert CHROMIUM is not None, "JAMONO_REQUIRE_CHROMIUM=1 but no chromium on PATH"
    args = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        f"--lang={lang}",
        f"--screenshot={out}",
        "--window-size=900,700",
        target,
    ]
    proc = await asyncio.create_subprocess_exec(*args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, err = await asyncio.wait_for(proc.communicate(), timeout=90)
    assert out.exists(), err.decode(errors="replace")[-2000:]
    width, height, pixels = read_png(out)
    assert (width, height) == (900, 700)
    return pixels


def as_file(page: str, path: Path) -> str:
    """A page saved to disk keeps its CSP through a <meta> (files have no headers)."""
    csp = PAGE_HEADERS["Content-Security-Policy"].replace("; frame-ancestors 'none'", "")
    path.write_text(
        page.replace("<head>", f'<head><meta http-equiv="Content-Security-Policy" content="{csp}">'), encoding="utf-8"
    )
    return path.as_uri()


async def test_install_success_and_error_pages_render(app_factory, sandbox, tmp_path):
    async with app_factory() as app:
        install = await screenshot(app.url + "/slack/install", tmp_path / "install.png", "fr")
        error = await screenshot(
            app.url + "/slack/oauth_redirect?error=access_denied&state=nope", tmp_path / "error.png"
        )
        async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
            started = await start_install(http, app.url)
            code = sandbox.issue_oauth_code(team_id=new_team(), team_name="Ops Paris", user="U0ADMIN")
            status, page, _ = await redirect(
                http, app.url, code=code, state=started["state"], cookie_state=started["state"]
            )
            assert status == 200
        success = await screenshot(as_file(page, tmp_path / "success.html"), tmp_path / "success.png")

    for name, pixels in {"install": install, "error": error, "success": success}.items():
        # Our styles applied (a page without CSS would be white with black text): grey page, white card.
        assert dominant(pixels) in {(0xF4, 0xF5, 0xF7), (0xFF, 0xFF, 0xFF)}, name
        assert color_share(pixels, PAGE_BACKGROUND, 3) > 0.2, name
        assert color_share(pixels, CARD, 3) > 0.1, name
    # The Add to Slack button is there and big enough to click (≥ 3,000 px of Slack aubergine).
    assert color_share(install, BUTTON, 10) * 900 * 700 > 3000
    # The error page says so in red and offers to try again (the retry link is a button too).
    assert color_share(error, ERROR_RED, 40) * 900 * 700 > 150
    assert color_share(error, BUTTON, 10) * 900 * 700 > 1500
    assert color_share(success, ERROR_RED, 40) * 900 * 700 < 20
