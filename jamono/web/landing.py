"""The landing page (`GET /`): what NOX does, "Add to Slack" when many workspaces install it, and
the browser playground when the Slack sandbox runs on this machine. French or English.
Why and how: docs/design/web.md."""

from __future__ import annotations

import html
import ipaddress
from urllib.parse import urlsplit

from aiohttp import web

from jamono.i18n import is_lang
from jamono.platform.settings import SANDBOX_SIGNING_SECRET, Settings
from jamono.workspaces.oauth import INSTALL_PATH, Lang, page_text, pick_language, strict_page_headers

_CSS = (
    "body{margin:0;font:16px/1.55 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;background:#f4f5f7;"
    "color:#1d2b3a}"
    "header{background:#4a154b;color:#fff;padding:3rem 1.5rem 2.5rem}"
    "header div,main,footer{max-width:46rem;margin:0 auto}"
    "h1{font-size:2rem;margin:0 0 .5rem}.lead{font-size:1.15rem;margin:0 0 1.5rem;color:#f3e9f4}"
    "main{padding:1.5rem}h2{font-size:1.2rem;margin:1.5rem 0 .75rem}"
    "ul.features{list-style:none;padding:0;margin:0;display:grid;grid-template-columns:repeat(auto-fit,minmax(13rem,1fr));"
    "gap:1rem}ul.features li{background:#fff;border-radius:10px;padding:1rem 1.1rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}"
    "ul.features b{display:block;margin-bottom:.25rem}"
    ".button{display:inline-block;padding:.75rem 1.3rem;border-radius:8px;background:#fff;color:#4a154b;"
    "font-weight:700;text-decoration:none;margin:0 .75rem .5rem 0}"
    ".button:hover,.button:focus{background:#f3e9f4;outline:3px solid #ecb22e;outline-offset:2px}"
    ".button.secondary{background:transparent;color:#fff;border:2px solid #fff}"
    "nav.lang{float:right;font-size:.9rem}nav.lang a{color:#fff;margin-left:.75rem}"
    "footer{padding:1rem 1.5rem 2rem;color:#4d5c6b;font-size:.9rem}footer a{color:#4a154b}"
)
PAGE_HEADERS = {**strict_page_headers(_CSS), "Vary": "Accept-Language"}


def render_landing_page(lang: Lang, *, install_path: str | None, playground_path: str | None) -> str:
    other: Lang = "fr" if lang == "en" else "en"
    buttons = ""
    if install_path:
        buttons += (
            f'<a class="button" id="add-to-slack" href="{html.escape(install_path)}">{page_text("add", lang)}</a>'
        )
    if playground_path:
        kind = "button secondary" if install_path else "button"
        buttons += f'<a class="{kind}" id="playground" href="{html.escape(playground_path)}">{page_text("playground", lang)}</a>'
    features = "".join(
        f"<li><b>{page_text(f'f.{name}', lang)}</b>{page_text(f'f.{name}.text', lang)}</li>"
        for name in ("answers", "incidents", "actions", "home")
    )
    return (
        f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{page_text('title', lang)}</title><style>{_CSS}</style></head><body>"
        f'<header><div><nav class="lang" aria-label="Language"><a href="/?lang={other}" hreflang="{other}" '
        f'lang="{other}">{page_text("other_lang", lang)}</a></nav>'
        f'<h1>{page_text("title", lang)}</h1><p class="lead">{page_text("lead", lang)}</p>'
        f"<p>{buttons}</p></div></header>"
        f'<main><h2>{page_text("features", lang)}</h2><ul class="features">{features}</ul></main>'
        f"<footer><p>{page_text('languages', lang)}</p></footer></body></html>\n"
    )


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def playground_url(settings: Settings) -> str | None:
    """The sandbox's playground, when this process is the sandbox's app on loopback; else None.

    All of: `make run` said where it is (JAMONO_PLAYGROUND_URL), on a loopback address; the Web API
    NOX calls is that same loopback sandbox; the signing secret is the sandbox's public one; and
    this process listens on loopback only. Real Slack credentials fail the last two.
    """
    url = settings.playground_url
    if not url:
        return None
    target, api = urlsplit(url), urlsplit(settings.slack_api_url)
    if not (is_loopback(target.hostname) and is_loopback(api.hostname) and target.port == api.port):
        return None
    if settings.signing_secret != SANDBOX_SIGNING_SECRET or not is_loopback(settings.host):
        return None
    return url


def landing_routes(settings: Settings, *, multi_workspace: bool) -> list[web.RouteDef]:
    install_path = INSTALL_PATH if multi_workspace else None
    playground = playground_url(settings)

    async def landing(request: web.Request) -> web.Response:
        asked = request.query.get("lang")
        lang: Lang = asked if is_lang(asked) else pick_language(request.headers.get("Accept-Language"))
        page = render_landing_page(
            lang, install_path=install_path, playground_path="/playground" if playground else None
        )
        return web.Response(text=page, headers=PAGE_HEADERS)

    routes = [web.get("/", landing)]
    if playground is not None:

        async def to_playground(_: web.Request) -> web.Response:
            raise web.HTTPFound(playground)

        routes.append(web.get("/playground", to_playground))
    return routes
