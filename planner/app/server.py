"""The web server: the Shiny app (:mod:`planner.app.ui`) with the map's data routes
beside it, run by uvicorn on 127.0.0.1 unless told otherwise.

``/data/<token>/parcels.geojson`` and ``/data/<token>/villages.geojson`` answer only for
an instance the app has opened (by a random token of it, never used as a path),
and are made once per instance, outside the event loop.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import webbrowser
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route

from planner.app import mapdata
from planner.app.state import AppState
from planner.app.ui import make_app
from planner.app.workspace import Workspace
from planner.core.labels import LANGS
from planner.report.fonts import cjk_font

LOCAL = "127.0.0.1"


def build(state: AppState) -> Starlette:
    shiny_app = make_app(state)

    async def data(request: Request) -> Response:
        op = next((o for o in state.opened.values() if o.token == request.path_params["key"]), None)
        what = request.path_params["what"]
        if op is None or what not in ("parcels.geojson", "villages.geojson") or not mapdata.has_map(op.li):
            return Response("not found", status_code=404, media_type="text/plain")
        lang = request.query_params.get("lang", "en")
        lang = lang if lang in LANGS else "en"
        key = what if what == "parcels.geojson" else f"{what}:{lang}"
        if key not in op.cache:
            make = mapdata.parcels_geojson if what == "parcels.geojson" else mapdata.villages_geojson
            args = (op.li,) if what == "parcels.geojson" else (op.li, lang)
            op.cache[key] = await asyncio.to_thread(make, *args)
        return Response(op.cache[key], media_type="application/geo+json")

    async def font(request: Request) -> Response:
        path = cjk_font()
        if path is None:
            return Response("no Chinese font installed", status_code=404, media_type="text/plain")
        return FileResponse(path, media_type="font/otf", headers={"Cache-Control": "max-age=86400"})

    routes = [Route("/data/{key}/{what}", data), Route("/font/cjk.otf", font), Mount("/", app=shiny_app)]
    return Starlette(routes=routes)


def free_port(host: str = LOCAL) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def open_instances(state: AppState, paths: list[str | Path]) -> None:
    """Open the instances named on the command line (InputError on the first bad one)."""
    for p in paths:
        state.open(p)


def run(state: AppState, host: str = LOCAL, port: int = 8765, browser: bool = True) -> None:
    """Serve until interrupted; open the browser on the page once the server listens."""
    app = build(state)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning")
    server = uvicorn.Server(config)
    if browser:

        def open_when_ready() -> None:
            while not server.started and not server.should_exit:
                threading.Event().wait(0.1)
            if server.started:
                webbrowser.open(f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/")

        threading.Thread(target=open_when_ready, daemon=True).start()
    server.run()


def new_state(folder: str | Path, time_limit: float | None = None) -> AppState:
    return AppState(Workspace(folder), time_limit=time_limit)


__all__ = ["LOCAL", "build", "free_port", "new_state", "open_instances", "run"]
