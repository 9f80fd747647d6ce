"""The dashboard's files (frontend/, plain ES modules, no build step), its
words and the sites it shows.

- `/` answers frontend/index.html; `/ui/<file>` the page's scripts and its
  style sheet. Only names the dashboard could have (letters, digits, `_-/`,
  one known suffix) are looked up, and only inside that folder.
- `/i18n/<lang>.json` answers the `ui.*` messages of the hub's own gettext
  catalogs (hub/locale/<lang>/LC_MESSAGES/sigap.po) and the hub's time zone:
  the dashboard speaks from the same catalog as alerts and the CLI.
- `GET /api/sites` answers the sites the caller may view, named in the
  reader's language, with what the caller may do there (which buttons the
  page shows; the hub decides again at each call), and whether the caller
  views every site (the Command Center's pages: automations, traces).

frontend/ is found at `hub/frontend`, a link to the repository's frontend/
folder: a checkout and an editable install read the files in place, and a
wheel (package data `frontend/...` of the `hub` package) carries copies.
Every file is sent with `Cache-Control: no-cache` (the browser revalidates,
so a new version shows at the next load) and a Content-Security-Policy that
allows scripts, styles and connections to this origin only.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from ..i18n import LANGUAGES, export_json
from .api_errors import language_of
from .auth import AUTH_STATE, CONTEXT
from .auth_scope import token_name
from .openapi import ApiRoute, obj, operation

if TYPE_CHECKING:
    from ..hub import Hub

FRONTEND = Path(__file__).resolve().parent.parent.parent / "frontend"
UI_PREFIX = "ui."

# the file names the dashboard has: nothing with a dot-dot, nothing hidden
_NAME = re.compile(r"^[a-z0-9_-]+(/[a-z0-9_-]+)*\.(js|css|svg|html)$")
_HEADERS = {
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
}

# what the page asks of each site: which buttons to show (the hub still decides)
_ACTIONS = ("view", "acknowledge", "close", "control", "arm", "admin")


def reserved(path: str) -> bool:
    """Whether a path is the API's or the dashboard's (no plugin's root route)."""
    top = path.split("/")[1] if path.startswith("/") else path
    return path == "/" or top in ("api", "ui", "i18n")


def ui_words(lang: str) -> dict[str, str | list[str]]:
    """The dashboard's messages in one language (`ui.*` keys only)."""
    return {k: v for k, v in export_json(lang).items() if k.startswith(UI_PREFIX)}


class Dashboard:
    def __init__(self, hub: Hub, folder: Path = FRONTEND) -> None:
        self.hub = hub
        self.folder = folder

    def api_routes(self) -> list[ApiRoute]:
        page = {"type": "string"}
        return [
            ApiRoute(
                "GET",
                "/",
                self.index,
                operation(
                    "The dashboard's page", "dashboard", media="text/html", result=page, public=True
                ),
            ),
            ApiRoute(
                "GET",
                "/ui/{name:.+}",
                self.file,
                operation(
                    "The dashboard's scripts, style sheet and icon (frontend/)",
                    "dashboard",
                    media="text/javascript",
                    result=page,
                    errors=[404],
                    public=True,
                ),
            ),
            ApiRoute(
                "GET",
                "/i18n/{lang}.json",
                self.words,
                operation(
                    "The dashboard's words (ui.* of the hub's catalogs) and the hub's time zone",
                    "dashboard",
                    result=obj(
                        {
                            "lang": {"type": "string", "enum": list(LANGUAGES)},
                            "time_zone": {"type": "string"},
                            "texts": obj(),
                        }
                    ),
                    errors=[404],
                    public=True,
                ),
            ),
            ApiRoute(
                "GET",
                "/api/sites",
                self.sites,
                operation(
                    "The sites the caller may view, named, with what the caller may do there",
                    "dashboard",
                    result=obj(
                        {
                            "sites": {"type": "array", "items": obj()},
                            "every_site": {"type": "boolean"},
                        }
                    ),
                ),
            ),
        ]

    def _send(self, path: Path) -> web.StreamResponse:
        if not path.is_file():
            raise web.HTTPNotFound()
        return web.FileResponse(path, headers=_HEADERS)

    async def index(self, request: web.Request) -> web.StreamResponse:
        return self._send(self.folder / "index.html")

    async def file(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if not _NAME.match(name):
            raise web.HTTPNotFound()
        return self._send(self.folder / name)

    async def words(self, request: web.Request) -> web.Response:
        lang = request.match_info["lang"]
        if lang not in LANGUAGES:
            raise web.HTTPNotFound()
        body = {
            "lang": lang,
            "languages": list(LANGUAGES),
            "time_zone": self.hub.time_zone.key,
            "texts": ui_words(lang),
        }
        return web.json_response(body, headers={"Cache-Control": "no-cache"})

    async def sites(self, request: web.Request) -> web.Response:
        context = request[CONTEXT]
        person = self.hub.people.get(context.user_id)
        lang = language_of(request, person.language if person else None, self.hub.language)
        token = token_name(context)
        auth = self.hub.data.get(AUTH_STATE)
        reach = auth.token_sites(token) if token is not None and auth is not None else ()
        if token is not None and reach is None:
            reach = ("",)  # revoked meanwhile: no site
        shown = []
        for site in self.hub.sites:
            if reach and site.id not in reach:
                continue
            may = [a for a in _ACTIONS if self.hub.people.may_site(context, site.id, a)]
            if "view" in may:
                shown.append({**site.as_dict(lang), "may": may})
        # what the Command Center sees: automations, traces, alarms with no site
        every = not reach and self.hub.people.may_site(context, None, "view")
        return web.json_response({"sites": shown, "every_site": every})
