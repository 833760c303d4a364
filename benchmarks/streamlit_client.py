"""A visitor without a browser: Streamlit's own websocket protocol, for benchmarks that need many visitors.

A browser talks to a Streamlit server over one websocket (`/_stcore/stream`) in protobufs: it sends `BackMsg`s
(rerun the script with these widget values, on this page) and receives `ForwardMsg`s (the elements a run
draws, then `script_finished`). `Visitor` does the same with the `websockets` package:

    visitor = await Visitor.connect("http://127.0.0.1:8501")
    await visitor.open("convolution")           # a page by its URL path; seconds until its run finished
    await visitor.set_slider("Stride s", 2)     # every widget found by its label on the last run
    await visitor.click("Train")
    await visitor.upload("A zip of class folders", "set.zip", data)

Each call returns the seconds from sending the message to the run's `script_finished`, which is what a
browser's latency is less the drawing. Widgets keep the values this visitor gave them (the others their
defaults), and a widget inside an `st.fragment` reruns only its fragment, as in a browser. An exception a
run shows is counted in `errors`. The texts a run drew are in `texts` (markdown, captions, alerts), its
alerts (st.error, st.success, ...) also in `alerts`.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.cookiejar import CookieJar

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

RUN_TIMEOUT = 600.0
WIDGET_TYPES = ("slider", "button", "radio", "selectbox", "number_input", "text_input", "checkbox",
                "file_uploader", "select_slider", "toggle", "segmented_control", "multiselect", "text_area")


@dataclass
class Widget:
    kind: str
    id: str
    label: str
    proto: object
    fragment_id: str = ""


@dataclass
class Visitor:
    url: str
    socket: object
    xsrf: str = ""
    cookies: str = ""
    query_string: str = ""
    page: str = ""
    page_hash: str = ""
    widgets: dict[str, Widget] = field(default_factory=dict)
    states: dict[str, WidgetState] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    session_id: str = ""
    live: list[float] = field(default_factory=list)  # seconds of each `st.fragment(run_every=...)` rerun
    _waiting: asyncio.Future | None = None
    _file_urls: dict[str, asyncio.Future] = field(default_factory=dict)
    _reader: asyncio.Task | None = None
    _turn: asyncio.Lock = field(default_factory=asyncio.Lock)  # one run at a time, as in a browser
    _timers: dict[str, asyncio.Task] = field(default_factory=dict)

    @classmethod
    async def connect(cls, url: str, cookies: dict[str, str] | None = None) -> Visitor:
        """A new session, as a browser's first visit: the health check (which sets the XSRF cookie, as the
        browser's own check does), then the websocket."""
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        await asyncio.to_thread(lambda: opener.open(f"{url}/_stcore/health", timeout=60).read())
        jar_cookies = {cookie.name: cookie.value for cookie in jar}
        jar_cookies.update(cookies or {})
        xsrf = jar_cookies.get("_streamlit_xsrf", "")
        cookie_header = "; ".join(f"{name}={value}" for name, value in jar_cookies.items())
        socket = await websockets.connect(
            url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit", xsrf] if xsrf else
            ["streamlit"], additional_headers={"Cookie": cookie_header, "Origin": url}, max_size=2**28,
            open_timeout=60)
        visitor = cls(url=url, socket=socket, xsrf=xsrf, cookies=cookie_header)
        visitor._reader = asyncio.create_task(visitor._read())
        return visitor

    async def close(self) -> None:
        self._stop_timers()
        await self.socket.close()
        if self._reader:
            self._reader.cancel()

    async def _read(self) -> None:
        try:
            async for data in self.socket:
                message = ForwardMsg()
                message.ParseFromString(data)
                self._take(message)
        except (websockets.ConnectionClosed, asyncio.CancelledError):
            pass
        finally:
            if self._waiting and not self._waiting.done():
                self._waiting.set_exception(ConnectionError("the server closed the connection"))

    def _take(self, message: ForwardMsg) -> None:
        kind = message.WhichOneof("type")
        if kind == "new_session":
            self.session_id = message.new_session.initialize.session_id or self.session_id
            self.page_hash = message.new_session.page_script_hash or self.page_hash
        elif kind == "navigation":
            self.page_hash = message.navigation.page_script_hash or self.page_hash
        elif kind == "page_info_changed":  # the script changed the address's query (st.query_params)
            self.query_string = message.page_info_changed.query_string
        elif kind == "auto_rerun":
            fragment = message.auto_rerun.fragment_id
            if fragment not in self._timers:
                self._timers[fragment] = asyncio.get_running_loop().create_task(
                    self._rerun_every(message.auto_rerun.interval, fragment))
        elif kind == "stop_auto_rerun":
            self._stop_timers(message.stop_auto_rerun.fragment_ids)
        elif kind == "delta":
            self._take_delta(message.delta)
        elif kind == "file_urls_response":
            future = self._file_urls.pop(message.file_urls_response.response_id, None)
            if future and not future.done():
                future.set_result(message.file_urls_response)
        elif kind == "script_finished":
            if message.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return
            if self._waiting and not self._waiting.done():
                self._waiting.set_result(message.script_finished)

    def _take_delta(self, delta) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind in WIDGET_TYPES:
            proto = getattr(element, kind)
            self.widgets[proto.label] = Widget(kind, proto.id, proto.label, proto, delta.fragment_id)
        elif kind == "exception":
            self.errors.append(f"{element.exception.type}: {element.exception.message}")
        elif kind in ("markdown", "alert"):
            self.texts.append(getattr(element, kind).body)
            if kind == "alert":
                self.alerts.append(element.alert.body)

    def _stop_timers(self, fragments=None) -> None:
        for fragment in list(self._timers if fragments is None else fragments):
            timer = self._timers.pop(fragment, None)
            if timer and timer is not asyncio.current_task():
                timer.cancel()

    async def _rerun_every(self, interval: float, fragment: str) -> None:
        """A fragment that asked to be run every `interval` seconds, as the browser runs it, between other runs."""
        while True:
            await asyncio.sleep(interval)
            self.live.append(await self._rerun(fragment_id=fragment, auto=True))

    async def _rerun(self, fragment_id: str = "", page_name: str = "", auto: bool = False) -> float:
        """Send a rerun with this visitor's widget values; seconds until its run finished."""
        async with self._turn:
            if not fragment_id:  # a whole run draws its fragments again, and they ask for their timers again
                self._stop_timers()
            return await self._send_rerun(fragment_id, page_name, auto)

    async def _send_rerun(self, fragment_id: str, page_name: str, auto: bool) -> float:
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = "" if page_name else self.page_hash
        state.page_name = page_name
        state.fragment_id = fragment_id
        state.is_auto_rerun = auto
        state.widget_states.widgets.extend(self.states.values())
        if not fragment_id:
            self.widgets, self.texts, self.alerts = {}, [], []
        self._waiting = asyncio.get_running_loop().create_future()
        started = time.perf_counter()
        await self.socket.send(message.SerializeToString())
        await asyncio.wait_for(self._waiting, RUN_TIMEOUT)
        seconds = time.perf_counter() - started
        for widget_id, widget_state in list(self.states.items()):  # a trigger fires once, as in a browser
            if widget_state.WhichOneof("value") == "trigger_value":
                del self.states[widget_id]
        return seconds

    async def open(self, page: str = "", query_string: str = "") -> float:
        """Open a page by its URL path ("" for the default page), as following a link to it does."""
        self.page, self.page_hash, self.query_string, self.states = page, "", query_string, {}
        return await self._rerun(page_name=page)

    def widget(self, label: str) -> Widget:
        if label not in self.widgets:
            raise KeyError(f"no widget labelled {label!r} on {self.page or 'the default page'}; "
                           f"there are {sorted(self.widgets)}")
        return self.widgets[label]

    def widget_by_key(self, key: str) -> Widget:
        """The widget whose key is `key` (Streamlit ends a keyed widget's id with "-" and its key)."""
        for widget in self.widgets.values():
            if widget.id.endswith(f"-{key}"):
                return widget
        raise KeyError(f"no widget with the key {key!r} on {self.page or 'the default page'}; "
                       f"there are {sorted(widget.id.rsplit('-', 1)[-1] for widget in self.widgets.values())}")

    async def _set(self, label: str, fill) -> float:
        widget = self.widget(label)
        widget_state = WidgetState(id=widget.id)
        fill(widget_state, widget)
        self.states[widget.id] = widget_state
        return await self._rerun(fragment_id=widget.fragment_id)

    async def set_slider(self, label: str, value: float) -> float:
        return await self._set(label, lambda state, _widget: state.double_array_value.data.extend([value]))

    async def choose(self, label: str, option: str) -> float:
        """A radio or select box, by its option's label."""
        return await self._set(label, lambda state, _widget: setattr(state, "string_value", option))

    async def set_number(self, label: str, value: float) -> float:
        return await self._set(label, lambda state, _widget: setattr(state, "double_value", value))

    async def type_text(self, label: str, text: str) -> float:
        return await self._set(label, lambda state, _widget: setattr(state, "string_value", text))

    async def click(self, label: str) -> float:
        return await self._set(label, lambda state, _widget: setattr(state, "trigger_value", True))

    async def upload(self, label: str, name: str, data: bytes) -> float:
        """Put `data` in the file uploader labelled `label` and rerun; seconds of the upload and the run."""
        widget = self.widget(label)
        started = time.perf_counter()
        request = BackMsg()
        request.file_urls_request.request_id = uuid.uuid4().hex
        request.file_urls_request.file_names.append(name)
        request.file_urls_request.session_id = self.session_id
        future = asyncio.get_running_loop().create_future()
        self._file_urls[request.file_urls_request.request_id] = future
        await self.socket.send(request.SerializeToString())
        response = await asyncio.wait_for(future, 60)
        urls = response.file_urls[0]
        await asyncio.to_thread(self._put, urls.upload_url, name, data)
        widget_state = WidgetState(id=widget.id)
        info = widget_state.file_uploader_state_value.uploaded_file_info.add()
        info.name, info.size, info.file_id = name, len(data), urls.file_id
        info.file_urls.CopyFrom(urls)
        self.states[widget.id] = widget_state
        await self._rerun(fragment_id=widget.fragment_id)
        return time.perf_counter() - started

    def _put(self, upload_url: str, name: str, data: bytes) -> None:
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        address = upload_url if upload_url.startswith("http") else f"{self.url}{upload_url}"
        request = urllib.request.Request(address, data=body, method="PUT", headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}", "X-Xsrftoken": self.xsrf,
            "Cookie": self.cookies})
        with urllib.request.urlopen(request, timeout=120) as reply:
            reply.read()


def percentile(values: list[float], share: float) -> float:
    """The `share` quantile (0.5, 0.95) of `values`, nearest rank; NaN for none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def described(values: list[float]) -> str:
    return json.dumps({"n": len(values), "p50": round(percentile(values, 0.5), 3),
                       "p95": round(percentile(values, 0.95), 3)})
