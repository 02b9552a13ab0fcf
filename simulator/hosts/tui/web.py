"""`attune serve`: the Textual app in a browser (textual-serve), and the LTI 1.3 tool endpoints
beside it (`/lti/jwks`, `/lti/login`, `/lti/launch`, `/lti/deeplink`).

A launch from an LMS is validated by `simulator.service.lti`; the page it returns opens the
served app with a one-time ticket in the websocket's address, and the app's process redeems it
(no cookie, no password: the LMS has authenticated the person). Without a registered platform
the LTI endpoints refuse and the served app is as before.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from jinja2 import Environment, select_autoescape
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

log = logging.getLogger("attune.lti")

_pages = Environment(autoescape=select_autoescape(default=True, default_for_string=True))

PAGE = _pages.from_string(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }} · attunement</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 42rem; margin: 2rem auto; padding: 0 1rem;
       color: #1d2330; background: #fbfaf7; }
h1 { font-size: 1.4rem; } .why { border-left: 4px solid #b3541e; padding: .5rem 1rem;
background: #fff; } label { display: block; margin: .6rem 0 .2rem; font-weight: 600; }
table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: .3rem;
border-bottom: 1px solid #ddd; } button { margin-top: 1rem; font-size: 1rem; padding: .4rem 1rem; }
</style></head><body>
<h1>{{ title }}</h1>
{% if problem %}<div class="why" role="alert"><p>{{ problem }}</p>
{% if hint %}<p><strong>What to do:</strong> {{ hint }}</p>{% endif %}</div>{% endif %}
{% if choices %}
<form method="post" action="{{ action }}">
<input type="hidden" name="ticket" value="{{ ticket }}">
<table><thead><tr><th></th><th>Vignette</th><th>Difficulty</th></tr></thead><tbody>
{% for id, name, difficulty in choices %}
<tr><td><input type="radio" name="vignette" id="v-{{ id }}" value="{{ id }}"
{% if loop.first %}checked{% endif %}></td><td><label for="v-{{ id }}">{{ name }}</label></td>
<td>{{ difficulty }}</td></tr>{% endfor %}</tbody></table>
<label for="mode">Mode</label>
<select name="mode" id="mode"><option value="practice">practice (feedback after each choice)
</option><option value="assessment">assessment (feedback in the debrief only)</option></select>
<label for="attempts">Attempts</label>
<input type="number" name="attempts" id="attempts" value="3" min="1" max="50">
<div><button type="submit">Add this activity</button></div></form>
{% endif %}
{% if post_to %}
<form id="return" method="post" action="{{ post_to }}">
{% for name, value in fields %}<input type="hidden" name="{{ name }}" value="{{ value }}">{% endfor %}
<noscript><button type="submit">Continue</button></noscript></form>
<script>document.getElementById("return").submit();</script>
{% endif %}
</body></html>
"""
)


def page(title: str, status: int = 200, **context: Any) -> web.Response:
    return web.Response(
        text=PAGE.render(title=title, **context), status=status, content_type="text/html"
    )


class _LaunchedApp(AppService):
    """One browser's app, with its launch ticket in the environment (never on a command line,
    which every user of the machine can read)."""

    def __init__(self, *args: Any, ticket: str | None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.ticket = ticket

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        from simulator.settings import with_lti_ticket

        return with_lti_ticket(super()._build_environment(width, height), self.ticket)


class AttuneServer(Server):
    """textual-serve's server with the LTI tool's routes."""

    def __init__(self, command: str, *, db_url: str | None, **kw: Any) -> None:
        super().__init__(command, **kw)
        self.db_url = db_url

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.add_routes(
            [
                web.get("/lti/jwks", self.lti_jwks),
                web.get("/lti/login", self.lti_login),
                web.post("/lti/login", self.lti_login),
                web.post("/lti/launch", self.lti_launch),
                web.post("/lti/deeplink", self.lti_launch),
                web.post("/lti/deeplink/pick", self.lti_pick),
                # the launch ticket goes in the path: textual.js appends its own query string
                web.get("/ws/lti/{ticket}", self.handle_websocket),
            ]
        )
        return app

    def _db(self) -> Any:
        from simulator.service.courses import open_database
        from simulator.service.lti import require_jwt

        require_jwt()  # without the `lti` extra, every LTI endpoint says how to install it
        return open_database(self.db_url)

    @staticmethod
    def _refusal(exc: Exception, status: int = 400) -> web.Response:
        from simulator.errors import AttuneError

        if isinstance(exc, AttuneError):
            p = exc.problems[0]
            return page(
                "This launch could not be opened",
                status,
                problem=f"{p.path}: {p.message}",
                hint=p.hint,
            )
        log.exception("LTI request failed")
        return page("Something went wrong", 500, problem=str(exc))

    async def lti_jwks(self, request: web.Request) -> web.Response:
        from simulator.service.lti import jwks

        try:
            keys = await asyncio.to_thread(lambda: jwks(self._db()))
        except Exception as exc:
            return self._refusal(exc, 503)
        return web.json_response(keys)

    async def lti_login(self, request: web.Request) -> web.Response:
        from simulator.service.lti import login

        params = dict(request.query)
        if request.method == "POST":
            params.update({k: str(v) for k, v in (await request.post()).items()})
        try:
            where = await asyncio.to_thread(lambda: login(self._db(), params, self.public_url))
        except Exception as exc:
            log.warning("LTI login refused: %s", exc)
            return self._refusal(exc)
        raise web.HTTPFound(where)

    async def lti_launch(self, request: web.Request) -> web.Response:
        from simulator.service.lti import launch, picker_choices

        form = {k: str(v) for k, v in (await request.post()).items()}
        try:
            opened = await asyncio.to_thread(lambda: launch(self._db(), form))
        except Exception as exc:
            return self._refusal(exc, 401)
        if opened.kind == "deeplink":
            choices = await asyncio.to_thread(picker_choices, self.db_url)
            return page(
                "Add an attunement activity",
                choices=choices,
                ticket=opened.ticket,
                action=f"{self.public_url}/lti/deeplink/pick",
            )
        return self._app_page(request, opened.ticket)

    async def lti_pick(self, request: web.Request) -> web.Response:
        from simulator.service.lti import deep_link

        form = {k: str(v) for k, v in (await request.post()).items()}
        try:
            attempts = int(form.get("attempts") or 0)
            where, token = await asyncio.to_thread(
                lambda: deep_link(
                    self._db(),
                    form.get("ticket", ""),
                    vignette_id=form.get("vignette", ""),
                    mode=form.get("mode", ""),
                    attempts=attempts,
                    public_url=self.public_url,
                    db_url=self.db_url,
                )
            )
        except ValueError:
            return page("Attempts", 400, problem="attempts must be a whole number", hint="go back")
        except Exception as exc:
            return self._refusal(exc)
        return page("Returning to the LMS", post_to=where, fields=[("JWT", token)])

    def _app_page(self, request: web.Request, ticket: str) -> web.Response:
        """textual-serve's page for the app, its websocket carrying the launch ticket."""
        router = request.app.router
        ws = f"{self.public_url}{router['websocket'].url_for()}/lti/{ticket}"
        ws = ("wss:" if self.public_url.startswith("https") else "ws:") + ws.split(":", 1)[1]
        context = {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": ws,
            "config": {
                "static": {
                    "url": f"{self.public_url}{router['static'].url_for(filename='/')}".rstrip("/")
                    + "/"
                }
            },
            "application": {"name": self.title},
        }
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """textual-serve's websocket handler, with the launch ticket passed to the app."""
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        app_service: AppService | None = None
        try:
            await websocket.prepare(request)
            app_service = _LaunchedApp(
                self.command,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
                debug=self.debug,
                ticket=request.match_info.get("ticket"),
            )
            await app_service.start(width, height)
            try:
                await self._process_messages(websocket, app_service)
            finally:
                await app_service.stop()
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:
            log.exception(error)
        finally:
            if app_service is not None:
                await app_service.stop()
        return websocket
