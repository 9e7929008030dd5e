"""Yealink Action URL: on each phone event, an HTTP GET to the URL configured for it.

`RemoteSettings.action_urls` maps an event name (below, Yealink's `action_url.<name>` keys)
to a URL template; `$variables` in it are replaced by URL-encoded values. The engine calls
`ActionUrlSender.emit(event, values)` from its own thread: that only formats the URL and
queues it, so a slow or dead receiver never delays SIP or the UI. Each receiver (scheme, host,
port) has one worker thread and a bounded queue, so its events arrive in the order emitted
and a dead receiver cannot hold up another one; each request has a timeout; timeouts,
errors and dropped events are logged.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote, urlsplit

log = logging.getLogger("deskphone.remote")

EVENTS: Final = (
    "setup_completed",
    "registered",
    "unregistered",
    "register_failed",
    "off_hook",
    "on_hook",
    "incoming_call",
    "outgoing_call",
    "call_established",
    "call_terminated",
    "missed_call",
    "hold",
    "unhold",
    "mute",
    "unmute",
    "dnd_on",
    "dnd_off",
    "always_fwd_on",
    "always_fwd_off",
    "busy_fwd_on",
    "busy_fwd_off",
    "no_answer_fwd_on",
    "no_answer_fwd_off",
    "forward_incoming_call",
    "reject_incoming_call",
    "transfer_call",
    "blind_transfer_call",
    "attended_transfer_call",
    "transfer_finished",
    "transfer_failed",
    "call_redirected",  # DeskPhone addition: a 3xx made the phone call another target
)

VARIABLES: Final = (
    "mac",
    "ip",
    "model",
    "firmware",
    "active_url",
    "active_user",
    "active_host",
    "local",
    "remote",
    "display_local",
    "display_remote",
    "call_id",
    "callerID",
    "calledNumber",
)

# Longest names first so `$display_local` is never read as `$display` + "_local" and an
# unknown `$word` stays as written (the phone leaves it too).
_VAR_RE: Final = re.compile(r"\$(" + "|".join(sorted(VARIABLES, key=len, reverse=True)) + r")")

DEFAULT_TIMEOUT: Final = 2.0
QUEUE_SIZE: Final = 64
MAX_RECEIVERS: Final = 32
MAX_URL: Final = 2048
_STOP: Final = object()


def expand(template: str, values: Mapping[str, str]) -> str:
    """Replace Yealink `$variables`; each value is percent-encoded (empty when unknown)."""
    return _VAR_RE.sub(lambda m: quote(str(values.get(m.group(1), "") or ""), safe=""), template)


def split_uri(uri: str) -> tuple[str, str]:
    """(user, host) of `"Name" <sip:user@host:port;params>`; host keeps the port."""
    text = uri.strip()
    if "<" in text and ">" in text:
        text = text[text.index("<") + 1 : text.index(">")]
    for scheme in ("sips:", "sip:", "tel:"):
        if text.lower().startswith(scheme):
            text = text[len(scheme) :]
            break
    text = text.split(";", 1)[0].split("?", 1)[0]
    user, sep, host = text.rpartition("@")
    return (user, host) if sep else (host, "")


def bare_uri(uri: str) -> str:
    """`"Name" <sip:100@h>;tag=x` -> `sip:100@h` (what `$remote` shows)."""
    text = uri.strip()
    if "<" in text and ">" in text:
        return text[text.index("<") + 1 : text.index(">")]
    return text.split(";", 1)[0]


def call_vars(
    *,
    account_uri: str,
    remote_uri: str,
    call_id: str = "",
    incoming: bool,
    local_name: str = "",
    remote_name: str = "",
) -> dict[str, str]:
    """The per-call `$variables` (DeskPhone's reading of Yealink's table).

    $active_url/$active_user/$active_host: the account used; $local/$remote: SIP URIs of this
    phone's and the other party; $display_*: their display names; $call_id: the id that
    `ASW:`/`CANCEL:` accept; $callerID: the caller's name (else number); $calledNumber: the
    called party's number.
    """
    active_user, active_host = split_uri(account_uri)
    remote_user, _ = split_uri(remote_uri)
    if incoming:
        caller, called = remote_name or remote_user, active_user
    else:
        caller, called = local_name or active_user, remote_user
    return {
        "active_url": bare_uri(account_uri),
        "active_user": active_user,
        "active_host": active_host,
        "local": bare_uri(account_uri),
        "remote": bare_uri(remote_uri),
        "display_local": local_name,
        "display_remote": remote_name,
        "call_id": call_id,
        "callerID": caller,
        "calledNumber": called,
    }


@dataclass(frozen=True)
class _Job:
    """One Action URL request waiting to be sent."""

    event: str
    url: str
    queued_at: float


class _Receiver:
    """One worker thread sending one receiver's requests in order."""

    def __init__(self, key: str, timeout: float, queue_size: int) -> None:
        self.key = key
        self.timeout = timeout
        self.queue: queue.Queue[_Job | object] = queue.Queue(queue_size)
        self.dropped = 0
        self.stopping = False
        self.thread = threading.Thread(target=self._run, name=f"action-url {key}", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            job = self.queue.get()
            try:
                if job is _STOP or self.stopping:
                    return
                assert isinstance(job, _Job)
                send(job.event, job.url, self.timeout)
            finally:
                self.queue.task_done()


def send(event: str, url: str, timeout: float) -> int | None:
    """GET `url` within `timeout` seconds in all; the status, or None on failure (logged)."""
    import http.client  # with ssl and email: only in an engine that sends Action URLs

    parts = urlsplit(url)
    where = f"{parts.hostname}:{parts.port or ''}{parts.path}"
    deadline = time.monotonic() + timeout
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(parts.hostname or "", parts.port, timeout=timeout)
    else:
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    try:
        conn.request("GET", target, headers={"User-Agent": "DeskPhone", "Connection": "close"})
        if conn.sock is not None:  # connect used part of the budget; the answer gets the rest
            conn.sock.settimeout(max(0.01, deadline - time.monotonic()))
        response = conn.getresponse()
        while response.read(4096):  # drain, but never past the deadline
            if time.monotonic() > deadline:
                raise TimeoutError
            if conn.sock is not None:
                conn.sock.settimeout(max(0.01, deadline - time.monotonic()))
        status = response.status
    except TimeoutError:
        log.warning("action URL %s -> %s: no answer within %.1f s", event, where, timeout)
        return None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        log.warning("action URL %s -> %s failed: %s", event, where, exc or type(exc).__name__)
        return None
    finally:
        conn.close()
    elapsed = timeout - (deadline - time.monotonic())
    if elapsed > timeout / 2:
        log.info("action URL %s -> %s: slow receiver (%.2f s)", event, where, elapsed)
    if not 200 <= status < 300:
        log.warning("action URL %s -> %s answered %d", event, where, status)
    else:
        log.debug("action URL %s -> %s: %d", event, where, status)
    return status


class ActionUrlSender:
    """Queue event URLs for sending; `emit` never blocks.

    `device` gives the phone-wide variables ($mac $ip $model $firmware); `emit` values add or
    override per-event ones (see `call_vars`).
    """

    def __init__(
        self,
        urls: Mapping[str, str] | None = None,
        device: Mapping[str, str] | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        queue_size: int = QUEUE_SIZE,
    ) -> None:
        self.timeout = timeout
        self._queue_size = queue_size
        self._lock = threading.Lock()
        self._urls: dict[str, str] = {}
        self._device: dict[str, str] = dict(device or {})
        self._receivers: dict[str, _Receiver] = {}
        self._stopped = False
        self.update_urls(urls or {})

    def update_urls(self, urls: Mapping[str, str]) -> None:
        clean: dict[str, str] = {}
        for event, url in urls.items():
            if event not in EVENTS:
                log.warning("action URL: unknown event %r ignored", event)
            elif url and url.strip():
                if _receiver_key(url.strip()) is None:
                    log.warning("action URL %s: not an http(s) URL, ignored", event)
                else:
                    clean[event] = url.strip()
        with self._lock:
            self._urls = clean

    def update_device(self, device: Mapping[str, str]) -> None:
        with self._lock:
            self._device = dict(device)

    def url_for(self, event: str, values: Mapping[str, str] | None = None) -> str | None:
        """The URL `emit` would send for this event, or None if none is configured."""
        with self._lock:
            template = self._urls.get(event)
            merged = {**self._device, **(values or {})}
        return None if template is None else expand(template, merged)

    def emit(self, event: str, values: Mapping[str, str] | None = None) -> bool:
        """Queue the event's URL; False when none is configured, unknown or it was dropped."""
        if event not in EVENTS:
            log.warning("action URL: unknown event %r", event)
            return False
        url = self.url_for(event, values)
        if url is None:
            return False
        if len(url) > MAX_URL:
            log.warning("action URL %s: URL longer than %d characters, not sent", event, MAX_URL)
            return False
        key = _receiver_key(url)
        if key is None:
            log.warning("action URL %s: not an http(s) URL after expansion, not sent", event)
            return False
        receiver = self._receiver(key)
        if receiver is None:
            return False
        try:
            receiver.queue.put_nowait(_Job(event, url, time.monotonic()))
        except queue.Full:
            receiver.dropped += 1
            log.warning(
                "action URL %s: %s is not keeping up, event dropped (%d so far)",
                event,
                key,
                receiver.dropped,
            )
            return False
        return True

    def _receiver(self, key: str) -> _Receiver | None:
        with self._lock:
            if self._stopped:
                return None
            receiver = self._receivers.get(key)
            if receiver is None:
                if len(self._receivers) >= MAX_RECEIVERS:
                    log.warning("action URL: too many receivers, %s ignored", key)
                    return None
                receiver = _Receiver(key, self.timeout, self._queue_size)
                self._receivers[key] = receiver
            return receiver

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued event was sent or failed (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            receivers = list(self._receivers.values())
        for receiver in receivers:
            while receiver.queue.unfinished_tasks:
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.01)
        return True

    def stop(self, timeout: float = 3.0) -> None:
        """Stop the workers; events still queued are dropped, a request in flight may finish."""
        with self._lock:
            self._stopped = True
            receivers = list(self._receivers.values())
            self._receivers.clear()
        deadline = time.monotonic() + timeout
        for receiver in receivers:
            receiver.stopping = True
            with contextlib.suppress(queue.Full):  # when full it sees `stopping` next job
                receiver.queue.put_nowait(_STOP)
        for receiver in receivers:
            receiver.thread.join(max(0.0, deadline - time.monotonic()))


def _receiver_key(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.hostname}:{port or (443 if parts.scheme == 'https' else 80)}"
