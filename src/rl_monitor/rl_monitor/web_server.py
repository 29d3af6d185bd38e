"""The monitor's web server: aiohttp on an event loop in a thread of its own.

Routes:

- ``/``: the page (``static/index.html``), with ``/static/monitor.js``,
  ``/static/monitor.css`` and ``/static/plotly.min.js`` (the copy the
  installed plotly package ships, so the page needs no internet);
- ``/ws``: a WebSocket pushing a JSON snapshot of :class:`MonitorState`
  ``view_rate`` times a second, incremental per page (see
  :class:`~rl_monitor.monitor_state.Cursor`);
- ``/api/snapshot``: the whole snapshot once, for scripts and ``curl``;
- ``/bags/<folder>/<file>``: the run's bag folder, read-only, for the
  episode links; a path that leaves that folder (``..``, a symlink out) is
  refused with 403.

The server runs beside the ROS executor: the node feeds the state from its
callbacks and reads :attr:`MonitorServer.clients` to know whether anyone
watches (the high-rate topics are subscribed only then).
"""

from __future__ import annotations

import asyncio
import html
import importlib.util
import json
import threading
from pathlib import Path
from urllib.parse import quote

from aiohttp import WSCloseCode, web

from rl_monitor.monitor_state import Cursor, MonitorState

STATIC = Path(__file__).resolve().parent / 'static'
#: Seconds :meth:`MonitorServer.start` waits for the socket to be bound.
START_TIMEOUT = 10.0


def plotly_js() -> Path:
    """``plotly.min.js`` of the installed plotly package (found without importing plotly).

    :raises FileNotFoundError: when plotly or its bundled script is missing.
    """
    spec = importlib.util.find_spec('plotly')
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError('the plotly package is not installed: the page draws its '
                                'curves with its plotly.min.js')
    path = Path(spec.submodule_search_locations[0]) / 'package_data' / 'plotly.min.js'
    if not path.is_file():
        raise FileNotFoundError(f'{path} is missing from the plotly package')
    return path


def inside(root: Path, relative: str) -> Path | None:
    """``root / relative`` resolved, or None when it leaves ``root`` (``..``, symlinks)."""
    base = root.resolve()
    target = (base / relative).resolve()
    return target if target == base or target.is_relative_to(base) else None


def _listing(title: str, target: Path, base: Path) -> str:
    rows = []
    for entry in sorted(target.iterdir()):
        name = entry.name + ('/' if entry.is_dir() else '')
        size = '' if entry.is_dir() else f' ({entry.stat().st_size:,} bytes)'
        rows.append(f'<li><a href="{quote(name)}">{html.escape(name)}</a>{size}</li>')
    relative = html.escape(str(target.relative_to(base)))
    return (f'<!doctype html><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<h1>{relative}</h1><ul>{"".join(rows)}</ul>')


class MonitorServer:
    """The aiohttp app on its own thread and loop, started and stopped by the node.

    :param state: what the page shows.
    :param host: address to listen on ('0.0.0.0' for every interface).
    :param port: TCP port; 0 picks a free one (see :attr:`port`).
    :param bag_dir: the run's bag folder served under ``/bags/``; None serves none.
    :param view_rate: snapshots pushed to each page per second.
    """

    def __init__(self, state: MonitorState, host: str, port: int, bag_dir: Path | None,
                 view_rate: float) -> None:
        self._state = state
        self._host = host
        self._port = port
        self._bag_dir = bag_dir
        self._period = 1.0 / view_rate
        self._plotly = plotly_js()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name='monitor-web', daemon=True)
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._runner: web.AppRunner | None = None
        self._sockets: set[web.WebSocketResponse] = set()
        self.port = port

    @property
    def clients(self) -> int:
        """Pages connected to ``/ws`` now."""
        return len(self._sockets)

    def app(self) -> web.Application:
        """The aiohttp application (its routes as in the module docstring)."""
        app = web.Application()
        app.router.add_get('/', self._file(STATIC / 'index.html'))
        for name in ('monitor.js', 'monitor.css'):
            app.router.add_get(f'/static/{name}', self._file(STATIC / name))
        app.router.add_get('/static/plotly.min.js', self._file(self._plotly))
        app.router.add_get('/ws', self._websocket)
        app.router.add_get('/api/snapshot', self._snapshot)
        app.router.add_get('/bags/{path:.*}', self._bag)
        app.on_shutdown.append(self._close_sockets)
        return app

    def start(self) -> None:
        """Bind and serve on the thread; returns once listening.

        :raises OSError: when the port cannot be bound (in use, not allowed).
        """
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT):
            raise OSError(f'the monitor did not start listening within {START_TIMEOUT} s')
        if self._error is not None:
            raise self._error

    def stop(self) -> None:
        """Close the pages' sockets, stop serving and end the thread."""
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(START_TIMEOUT)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._listen())
        except OSError as error:
            self._error = error
        self._ready.set()
        if self._error is None:
            self._loop.run_forever()
            self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    async def _listen(self) -> None:
        self._runner = web.AppRunner(self.app(), handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    @staticmethod
    def _file(path: Path):
        async def handler(request: web.Request) -> web.FileResponse:
            return web.FileResponse(path, headers={'Cache-Control': 'no-cache'})
        return handler

    async def _snapshot(self, request: web.Request) -> web.Response:
        snapshot, _ = self._state.snapshot(Cursor())
        return web.json_response(snapshot)

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(heartbeat=20.0)
        await socket.prepare(request)
        self._sockets.add(socket)
        pusher = asyncio.ensure_future(self._push(socket))
        try:
            async for _ in socket:   # the page sends nothing; this notices it leave
                pass
        finally:
            pusher.cancel()
            self._sockets.discard(socket)
        return socket

    async def _push(self, socket: web.WebSocketResponse) -> None:
        cursor = Cursor()
        while not socket.closed:
            snapshot, cursor = self._state.snapshot(cursor)
            try:
                await socket.send_str(json.dumps(snapshot))
            except ConnectionResetError:   # the page left between two pushes
                return
            await asyncio.sleep(self._period)

    async def _close_sockets(self, app: web.Application) -> None:
        for socket in list(self._sockets):
            await socket.close(code=WSCloseCode.GOING_AWAY, message=b'monitor stopping')

    async def _bag(self, request: web.Request) -> web.StreamResponse:
        if self._bag_dir is None:
            raise web.HTTPNotFound(text='this monitor serves no bag folder (bag_dir is empty)')
        target = inside(self._bag_dir, request.match_info['path'])
        if target is None:
            raise web.HTTPForbidden(text='outside the bag folder')
        if target.is_dir():
            if not request.path.endswith('/'):
                raise web.HTTPFound(request.path + '/')
            return web.Response(text=_listing('bags', target, self._bag_dir.resolve()),
                                content_type='text/html')
        if target.is_file():
            return web.FileResponse(target)
        raise web.HTTPNotFound(text='no such bag file')
