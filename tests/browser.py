"""Headless Chromium (Debian's `chromium`) driven over the DevTools protocol with aiohttp, which the
project already has: no Playwright, no browser download. A fresh profile per browser, no network
beyond what the page asks for (QUIC, sync, component updates and background traffic are off).

    async with Chromium(tmp_path) as browser:
        page = await browser.new_page(1280, 800)
        await page.goto(url)
        await page.wait_for("document.querySelector('#title')")
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import aiohttp
import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# CI installs Chromium and sets this, so there a missing browser fails instead of skipping.
REQUIRED = os.environ.get("JAMONO_REQUIRE_CHROMIUM") == "1"
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and not REQUIRED, reason="headless Chromium not installed (apt-get install chromium; .ci/run does)"
)
AXE = Path(__file__).resolve().parent / "fixtures" / "axe-core" / "axe.min.js"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--disable-extensions",
    "--mute-audio",
    "--remote-debugging-port=0",
    "--force-device-scale-factor=1",
)


class DevToolsError(RuntimeError):
    pass


class Chromium:
    def __init__(self, profile: Path, *, lang: str = "en-US") -> None:
        self.profile = profile
        self.lang = lang
        self.proc: asyncio.subprocess.Process | None = None
        self.http: aiohttp.ClientSession | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.ids = itertools.count(1)
        self.waiting: dict[int, asyncio.Future[Any]] = {}
        self.listeners: dict[str, list[asyncio.Queue[dict[str, Any]]]] = {}
        self.reader: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Chromium:
        assert CHROMIUM is not None, "JAMONO_REQUIRE_CHROMIUM=1 but no chromium on PATH"
        self.profile.mkdir(parents=True, exist_ok=True)
        self.proc = await asyncio.create_subprocess_exec(
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={self.profile}",
            f"--lang={self.lang}",
            "about:blank",
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = self.profile / "DevToolsActivePort"
        for _ in range(300):
            if port_file.exists() and len(port_file.read_text().splitlines()) >= 2:
                break
            if self.proc.returncode is not None:
                raise DevToolsError(f"chromium exited with {self.proc.returncode}")
            await asyncio.sleep(0.1)
        port, path = port_file.read_text().splitlines()[:2]
        self.http = aiohttp.ClientSession()
        self.ws = await self.http.ws_connect(f"ws://127.0.0.1:{port}{path}", max_msg_size=0)
        self.reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.reader is not None:
            self.reader.cancel()
        if self.ws is not None:
            await self.ws.close()
        if self.http is not None:
            await self.http.close()
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()

    async def _read(self) -> None:
        assert self.ws is not None
        async for raw in self.ws:
            message = json.loads(raw.data)
            if "id" in message:
                future = self.waiting.pop(message["id"], None)
                if future is not None and not future.done():
                    if "error" in message:
                        future.set_exception(DevToolsError(json.dumps(message["error"])))
                    else:
                        future.set_result(message.get("result", {}))
            else:
                key = f"{message.get('sessionId', '')}:{message.get('method')}"
                for queue in self.listeners.get(key, []):
                    queue.put_nowait(message.get("params", {}))

    async def send(
        self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None, timeout: float = 30
    ) -> Any:
        assert self.ws is not None
        ident = next(self.ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.waiting[ident] = future
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        await self.ws.send_str(json.dumps(message))
        return await asyncio.wait_for(future, timeout)

    def listen(self, session: str, method: str) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.listeners.setdefault(f"{session}:{method}", []).append(queue)
        return queue

    async def new_page(self, width: int = 1280, height: int = 800) -> Page:
        target = await self.send("Target.createTarget", {"url": "about:blank"})
        attached = await self.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})
        page = Page(self, attached["sessionId"])
        for domain in ("Page", "Runtime", "Log"):
            await page.send(f"{domain}.enable")
        await page.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        return page


class Page:
    def __init__(self, browser: Chromium, session: str) -> None:
        self.browser = browser
        self.session = session
        self.exceptions = browser.listen(session, "Runtime.exceptionThrown")
        self.log = browser.listen(session, "Log.entryAdded")
        self.console = browser.listen(session, "Runtime.consoleAPICalled")

    async def send(self, method: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        return await self.browser.send(method, params, session=self.session, **kw)

    async def goto(self, url: str, *, accept_language: str | None = None) -> None:
        if accept_language:
            await self.send("Network.enable")
            await self.send("Network.setExtraHTTPHeaders", {"headers": {"Accept-Language": accept_language}})
        loaded = self.browser.listen(self.session, "Page.loadEventFired")
        await self.send("Page.navigate", {"url": url})
        await asyncio.wait_for(loaded.get(), 30)

    async def js(self, expression: str, *, timeout: float = 30) -> Any:
        """Evaluate in the page (awaiting promises) and return the value."""
        result = await self.send(
            "Runtime.evaluate", {"expression": expression, "awaitPromise": True, "returnByValue": True}, timeout=timeout
        )
        if "exceptionDetails" in result:
            raise DevToolsError(json.dumps(result["exceptionDetails"])[:2000])
        return result.get("result", {}).get("value")

    async def wait_for(self, expression: str, *, timeout: float = 30, what: str = "") -> Any:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            value = await self.js(expression)
            if value:
                return value
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out waiting for {what or expression}")
            await asyncio.sleep(0.15)

    async def click(self, selector: str) -> None:
        """A real mouse click in the middle of the element (scrolled into view first)."""
        box = await self.wait_for(
            f"(() => {{ const el = document.querySelector({json.dumps(selector)}); if (!el) return null;"
            " el.scrollIntoView({block: 'center'}); const r = el.getBoundingClientRect();"
            " return r.width && r.height ? {x: r.x + r.width / 2, y: r.y + r.height / 2} : null; })()",
            what=selector,
        )
        for kind in ("mousePressed", "mouseReleased"):
            await self.send(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": box["x"], "y": box["y"], "button": "left", "clickCount": 1},
            )

    async def key(self, key: str, *, shift: bool = False) -> None:
        codes = {"Tab": 9, "Enter": 13, "Escape": 27, "ArrowDown": 40, "ArrowUp": 38, " ": 32}
        params: dict[str, Any] = {
            "key": key,
            "code": "Space" if key == " " else key,
            "windowsVirtualKeyCode": codes.get(key, 0),
            "modifiers": 8 if shift else 0,
        }
        down = {**params, "type": "keyDown"}
        if key == "Enter":
            down["text"] = "\r"
        elif key == " ":
            down["text"] = " "
        await self.send("Input.dispatchKeyEvent", down)
        await self.send("Input.dispatchKeyEvent", {**params, "type": "keyUp"})

    async def type(self, text: str) -> None:
        await self.send("Input.insertText", {"text": text})

    async def focused(self) -> str:
        """The focused element, described: tag#id.class[data-action-id] "text"."""
        return await self.js(
            "(() => { const el = document.activeElement; if (!el) return '';"
            " return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.dataset.actionId ? '[' + el.dataset.actionId + ']' : '')"
            " + (el.dataset.channel ? '[' + el.dataset.channel + ']' : '') + ' ' + (el.textContent || '').trim().slice(0, 40); })()"
        )

    async def tab_to(self, predicate: str, *, limit: int = 80, shift: bool = False) -> str:
        """Press Tab until `predicate` (JS, with `el` the focused element) holds; the focused element."""
        for _ in range(limit):
            await self.key("Tab", shift=shift)
            if await self.js(f"(() => {{ const el = document.activeElement; return !!(el && ({predicate})); }})()"):
                return await self.focused()
        raise AssertionError(f"Tab never reached {predicate}; focus is on {await self.focused()}")

    async def screenshot(self, path: Path, clip: dict[str, float] | None = None) -> Path:
        params: dict[str, Any] = {"format": "png"}
        if clip:
            params["clip"] = {**clip, "scale": 1}
        shot = await self.send("Page.captureScreenshot", params)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    async def rect(self, selector: str) -> dict[str, float]:
        return await self.wait_for(
            f"(() => {{ const el = document.querySelector({json.dumps(selector)}); if (!el) return null;"
            " const r = el.getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, height: r.height}; })()",
            what=selector,
        )

    async def axe(self, *, exclude: list[str] | None = None) -> list[dict[str, Any]]:
        """axe-core's WCAG 2 A/AA violations of the page as it is now (id, impact, targets)."""
        if not await self.js("typeof window.axe === 'object'"):
            await self.js(AXE.read_text(encoding="utf-8") + "\n;true", timeout=60)
        context = json.dumps({"exclude": [[s] for s in exclude or []]})
        return await self.js(
            f"axe.run({context}, {{runOnly: {{type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}}})"
            ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))})))",
            timeout=120,
        )

    def errors(self) -> list[str]:
        """Uncaught exceptions and CSP or network errors the page logged so far."""
        found: list[str] = []
        while not self.exceptions.empty():
            found.append(json.dumps(self.exceptions.get_nowait())[:500])
        while not self.log.empty():
            entry = self.log.get_nowait().get("entry", {})
            if entry.get("level") == "error":
                found.append(f"{entry.get('source')}: {entry.get('text')}")
        return found
