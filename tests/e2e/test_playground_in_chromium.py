"""The playground and the landing page as a person uses them: headless Chromium (Debian's package)
driven over the DevTools protocol (tests/browser.py), against the real NOX — app, Redis, worker
and sandbox. Keyboard first, the mouse where a person would click; screenshots' key regions are
checked by their pixels; axe-core (vendored from npm) finds no WCAG 2 A/AA violation."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from jamono.platform.settings import SANDBOX_SIGNING_SECRET
from tests.browser import Chromium, Page, needs_chromium
from tests.e2e.serving import serve
from tests.workspaces.png import color_share, read_png

from .test_playground import forget_vote

pytestmark = [needs_chromium, pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")]
AUBERGINE, GREEN, ERROR_RED, WHITE = "#4a154b", "#007a5a", "#b0103b", "#ffffff"
HOSTILE = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'


def share(path: Path, color: str, tolerance: int = 6) -> float:
    _, _, pixels = read_png(path)
    return color_share(pixels, color, tolerance)


def count(path: Path, color: str, tolerance: int = 6) -> int:
    width, height, pixels = read_png(path)
    return round(color_share(pixels, color, tolerance) * width * height)


@pytest.fixture
async def playground(sandbox, nox_url, tmp_path) -> AsyncIterator[tuple[Page, str]]:
    sandbox.reset()
    url = sandbox.enable_playground(f"{nox_url}/slack/events", SANDBOX_SIGNING_SECRET)
    try:
        async with Chromium(tmp_path / "profile") as browser:
            page = await browser.new_page(1280, 800)
            await page.goto(url)
            await page.wait_for("!!document.querySelector('#sidebar .nav[aria-current]')", what="the sidebar")
            yield page, url
            assert page.errors() == [], "the page logged errors (CSP violations, exceptions, failed loads)"
    finally:
        sandbox.disable_playground()


async def test_ask_with_the_keyboard_see_sources_click_thumbs_up(playground, tmp_path, pool, sandbox_workspace):
    page, _ = playground
    # Keyboard only: the skip link comes first and leads to the message box.
    assert (await page.tab_to("el.classList.contains('skip')")).startswith("a ")
    await page.key("Enter")
    await page.wait_for("document.activeElement.id === 'composer-input'", what="focus in the message box")
    await page.type("how do I roll back a Kubernetes deployment?")
    await page.key("Enter")
    # NOX answers in the question's thread, which opens; the answer cites its sources.
    await page.wait_for(
        "document.querySelector('#thread-messages').textContent.includes('Sources:')",
        timeout=40,
        what="NOX's answer with sources",
    )
    thread = await page.js("document.querySelector('#thread-messages').textContent")
    assert "rollout undo" in thread and "Looking into it" not in thread  # the placeholder became the answer
    assert await page.js("document.querySelector('.bk-rejected') === null")  # nothing Slack would refuse
    shot = await page.screenshot(tmp_path / "answer.png")
    sidebar = await page.screenshot(tmp_path / "sidebar.png", await page.rect("#sidebar"))
    assert share(sidebar, AUBERGINE) > 0.5  # Slack-like sidebar, styles applied
    assert count(shot, GREEN, 4) > 2000  # the Send and Reply buttons
    thread_box = await page.screenshot(tmp_path / "thread.png", await page.rect("#thread-messages"))
    assert share(thread_box, WHITE, 3) > 0.6
    # 👍 with the mouse: NOX records the vote and thanks only this person.
    vote = await page.js(
        "document.querySelector(\"#thread-messages button[data-action-id='feedback_up']\").dataset.value"
    )
    await page.click("#thread-messages button[data-action-id='feedback_up']")
    try:
        await page.wait_for(
            "document.querySelector('#messages').textContent.includes('glad it helped')",
            timeout=30,
            what="NOX's thanks",
        )
    finally:
        forget_vote(pool, sandbox_workspace, vote)
    assert await page.js("document.querySelector('#messages .msg.ephemeral .only-you') !== null")
    assert await page.axe() == []


async def test_a_hostile_message_is_shown_as_text(playground, sandbox):
    page, _ = playground
    await page.click(".nav[data-channel='C0OPS']")
    await page.wait_for("document.querySelector('#title').textContent === '#ops'")
    await page.click("#composer-input")
    await page.type(HOSTILE)
    await page.key("Enter")
    await page.wait_for("document.querySelector('#messages').textContent.includes('window.pwned=1')")
    assert await page.js("typeof window.pwned") == "undefined"
    assert await page.js("document.querySelectorAll('#messages script, #messages img').length") == 0


async def test_declare_an_incident_through_the_modal_with_an_error_shown_in_it(playground, sandbox, tmp_path):
    page, _ = playground
    await page.click(".nav[data-channel='C0OPS']")
    await page.click("#composer-input")
    await page.type("/nox incident")
    await page.key("Enter")
    await page.wait_for("!document.querySelector('#modal-backdrop').hidden", what="the incident modal")
    assert await page.js("document.querySelector('#modal-title').textContent") == "Declare an incident"
    # Focus moved into the form: the summary field; too short a summary is NOX's error, in the modal.
    await page.wait_for("document.activeElement.dataset.blockId === 'summary'", what="focus on the summary")
    await page.type("db")
    await page.key("Enter")  # submits the form
    await page.wait_for("!!document.querySelector('#modal .bk-error')", what="the error inside the modal")
    error = await page.js("document.querySelector('#modal .bk-error').textContent")
    assert error == "Describe it in 5 to 200 characters."
    assert await page.js("document.activeElement.getAttribute('aria-invalid')") == "true"
    assert await page.js("document.activeElement.value") == "db"  # what was typed is kept
    modal = await page.screenshot(tmp_path / "modal.png", await page.rect("#modal"))
    assert count(modal, ERROR_RED, 40) > 150  # the error and the field's border in red
    assert await page.axe() == []
    # Fix it with the keyboard and submit: the modal closes, NOX posts the incident card.
    await page.js("document.activeElement.select()")
    await page.type("checkout database is down")
    await page.tab_to("el.id === 'modal-submit'")
    await page.key("Enter")
    await page.wait_for("document.querySelector('#modal-backdrop').hidden", what="the modal to close")
    await sandbox.wait_for(
        lambda: any("checkout database is down" in json.dumps(m) for m in sandbox.bot_messages()), timeout=30
    )


async def test_the_app_home_as_an_admin_changes_a_setting(playground, sandbox, tmp_path):
    page, _ = playground
    # Keyboard only: become ada (an admin) from the "You are" menu, open the Home tab, edit a setting.
    await page.tab_to("el.id === 'as'")
    await page.key("ArrowDown")
    await page.wait_for(
        "document.querySelector('#as').value === 'U0ADMIN'"
        " && !!document.querySelector('.nav[data-channel^=\"D\"]')"
        " && document.querySelector('.nav[data-channel^=\"D\"]').dataset.channel !== 'D0DEV'",
        what="the admin's own DM in the sidebar",
    )
    await page.tab_to("el.dataset.channel === 'home'")
    await page.key("Enter")
    await page.wait_for(
        "!!document.querySelector('#home button[data-action-id=\"home_edit_general\"]')",
        timeout=30,
        what="the admin's Home tab",
    )
    assert await page.js("document.querySelector('.bk-rejected') === null")
    home = await page.screenshot(tmp_path / "home.png", await page.rect("#home"))
    assert share(home, "#f8f8f8", 3) > 0.3  # the Home tab's own background: styles applied
    assert await page.axe() == []
    await page.tab_to("el.dataset.actionId === 'home_edit_general'")
    await page.key("Enter")
    await page.wait_for(
        "!!document.querySelector('#modal [data-block-id=\"display_name\"] input')",
        timeout=30,
        what="the general settings form",
    )
    assert await page.axe() == []
    await page.tab_to("el.closest('[data-block-id=\"display_name\"]') !== null")
    await page.js("document.activeElement.select()")
    await page.type("NOX Ops")
    await page.key("Enter")  # submits the form
    await page.wait_for("document.querySelector('#modal-backdrop').hidden", timeout=30, what="the modal to close")
    await page.wait_for(
        "document.querySelector('#home').textContent.includes('NOX Ops')",
        timeout=30,
        what="the Home tab showing the new name",
    )
    # A member sees no settings buttons.
    await page.tab_to("el.id === 'as'", shift=True)
    await page.key("ArrowUp")
    await page.wait_for(
        "document.querySelector('#as').value === 'U0DEV' && !!document.querySelector('#home .bk-block')"
        " && !document.querySelector('#home button[data-action-id=\"home_edit_general\"]')",
        timeout=30,
        what="the member's Home tab",
    )


async def test_the_landing_page_in_both_languages(e2e_settings, pool, broker, sandbox_workspace, sandbox, tmp_path):
    import app
    from jamono.queue.client import DramatiqJobQueue

    identity, _ = sandbox_workspace
    settings = e2e_settings.model_copy(update={"host": "127.0.0.1", "playground_url": sandbox.base_url + "playground"})
    runner, url = await serve(app.build_http_app(settings, pool, DramatiqJobQueue(broker), identity))
    try:
        async with Chromium(tmp_path / "profile", lang="fr-FR") as browser:
            for lang, heading in (("fr-FR,fr", "Ce que fait NOX"), ("en-US,en", "What NOX does")):
                page = await browser.new_page(1000, 700)
                await page.goto(url + "/", accept_language=lang)
                assert await page.js("document.querySelector('h2').textContent") == heading
                assert await page.js("document.documentElement.lang") == lang[:2]
                shot = await page.screenshot(tmp_path / f"landing-{lang[:2]}.png")
                assert share(shot, AUBERGINE, 3) > 0.2  # the header band: our stylesheet applied under the CSP
                assert await page.axe() == []
                assert page.errors() == []
                await page.click("#playground")
                await page.wait_for("document.location.pathname === '/playground'", what="the playground link")
    finally:
        await runner.cleanup()
