"""A proxy between a browser and the Streamlit server that times the browser's script runs on the wire
(bench_class.py --calibrate)."""

from __future__ import annotations

import asyncio
import logging
import threading
import time

from bench_server import free_port


class WireClock:
    """A reverse proxy between a browser and the server, in a thread of its own, that stamps on the wire each rerun
    request the browser sends and each `script_finished` the server sends back: the server's part of a browser's
    wait, measured where the protocol client measures its own, before the browser has taken anything in.
    Everything else (the page, its scripts, media, uploads) passes through as it is."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.sent: list[float] = []
        self.finished: list[float] = []
        self.port = free_port()
        ready = threading.Event()
        threading.Thread(target=self._serve, args=(ready,), daemon=True).start()
        ready.wait(30)
        self.url = f"http://127.0.0.1:{self.port}"

    def _serve(self, ready: threading.Event) -> None:
        import tornado.httpclient
        import tornado.web
        import tornado.websocket
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        clock, upstream = self, self.upstream

        class Stream(tornado.websocket.WebSocketHandler):
            def check_origin(self, origin: str) -> bool:
                return True

            def select_subprotocol(self, subprotocols):
                return subprotocols[0] if subprotocols else None

            async def open(self) -> None:
                request = tornado.httpclient.HTTPRequest(
                    upstream.replace("http", "ws", 1) + "/_stcore/stream",
                    headers={"Cookie": self.request.headers.get("Cookie", ""), "Origin": upstream})
                self.server = await tornado.websocket.websocket_connect(
                    request, subprotocols=self.request.headers.get("Sec-WebSocket-Protocol", "").replace(" ", "")
                    .split(","), max_message_size=2**28)
                asyncio.get_running_loop().create_task(self.relay())

            async def relay(self) -> None:
                while (message := await self.server.read_message()) is not None:
                    if isinstance(message, bytes):
                        parsed = ForwardMsg()
                        parsed.ParseFromString(message)
                        if parsed.WhichOneof("type") == "script_finished":
                            clock.finished.append(time.perf_counter())
                    # Not awaited: a browser still drawing takes its frames late, and the next read must not wait.
                    self.write_message(message, binary=isinstance(message, bytes))
                self.close()

            async def on_message(self, message) -> None:
                if isinstance(message, bytes):
                    parsed = BackMsg()
                    parsed.ParseFromString(message)
                    if parsed.WhichOneof("type") == "rerun_script":
                        clock.sent.append(time.perf_counter())
                await self.server.write_message(message, binary=isinstance(message, bytes))

            def on_close(self) -> None:
                if getattr(self, "server", None) is not None:
                    self.server.close()

        class Forward(tornado.web.RequestHandler):
            async def _forward(self) -> None:
                headers = {name: value for name, value in self.request.headers.get_all() if name.lower() != "host"}
                response = await tornado.httpclient.AsyncHTTPClient().fetch(
                    upstream + self.request.uri, method=self.request.method, headers=headers,
                    body=self.request.body if self.request.method in ("POST", "PUT", "PATCH") else None,
                    follow_redirects=False, raise_error=False, allow_nonstandard_methods=True, request_timeout=120)
                self.set_status(response.code, response.reason)
                for name, value in response.headers.get_all():
                    if name.lower() not in ("content-length", "transfer-encoding", "content-encoding", "connection"):
                        self.add_header(name, value)
                if response.body:
                    self.write(response.body)

            get = post = put = delete = patch = head = options = _forward

        async def main() -> None:
            logging.getLogger("tornado.access").setLevel(logging.ERROR)  # the page's requests, passed on quietly
            tornado.web.Application([(r"/_stcore/stream", Stream), (r"/.*", Forward)]).listen(
                self.port, address="127.0.0.1", max_body_size=2**28)
            ready.set()
            await asyncio.Event().wait()

        asyncio.run(main())

    def server_part(self, after: int) -> float | None:
        """Seconds from the first rerun request after the `after`-th one to the script_finished that ends its run."""
        if len(self.sent) <= after:
            return None
        sent = self.sent[after]
        finished = [moment for moment in self.finished if moment >= sent]
        return finished[0] - sent if finished else None
