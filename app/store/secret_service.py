"""The desktop's Secret Service (GNOME Keyring, KWallet, KeePassXC) spoken to directly over D-Bus.

Why not the `keyring` library here: on Linux it reaches the Secret Service through
`secretstorage`, which imports `cryptography` (its Rust core and OpenSSL); that is 17-20 MB of
resident memory and about 70 ms of imports in each process that reads a password, and the
engine reads the accounts' passwords at every start. `jeepney`, which `secretstorage` itself
speaks D-Bus with, costs under 2 MB. The calls are the Secret Service API's own
(org.freedesktop.Secret.*), made as `keyring`'s SecretService backend makes them: the default
collection, items found by the attributes {service, username}, created with keyring's label
and `application` attribute and replace=True, so passwords stored by earlier DeskPhone versions
(through keyring) are found, and keyring finds ours.

The secret travels in a "plain" session: the spec's other algorithm encrypts it on the bus with
a per-session Diffie-Hellman key, which needs AES (the `cryptography` import this module
avoids). The session bus is this user's own socket; a process able to listen on it runs as
this user and could ask the unlocked keyring for the same secret itself. libsecret falls back
to plain as well.

A locked collection is unlocked through the service's prompt (the desktop asks the user), as
keyring does; the wait is bounded by PROMPT_TIMEOUT. Every failure raises `SecretServiceError`;
`app/store/secrets.py` then keeps the password in its private file.
"""

from __future__ import annotations

import os
from typing import Any

BUS_NAME = "org.freedesktop.secrets"
SERVICE_PATH = "/org/freedesktop/secrets"
DEFAULT_COLLECTION = "/org/freedesktop/secrets/aliases/default"
_IFACE = "org.freedesktop.Secret."
APPLICATION = "Python keyring library"  # keyring's SecretService appid: one set of entries
CALL_TIMEOUT = 5.0  # seconds for a D-Bus reply
PROMPT_TIMEOUT = 60.0  # the user typing the keyring's password


class SecretServiceError(Exception):
    """No Secret Service, or it refused: the caller keeps the password elsewhere."""


def keyring_configured() -> bool:
    """The user chose a keyring backend for Python programs (environment or keyringrc.cfg):
    that choice is honoured through the keyring library instead of this module."""
    if os.environ.get("PYTHON_KEYRING_BACKEND"):
        return True
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    return os.path.isfile(os.path.join(base, "python_keyring", "keyringrc.cfg"))


def session_bus_possible() -> bool:
    """Whether a session bus can be there at all (cheap; no connection is made)."""
    if os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return True
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    return bool(runtime) and os.path.exists(os.path.join(runtime, "bus"))


class SecretService:
    """keyring's backend interface (get/set/delete_password), one D-Bus connection per call."""

    name = "Secret Service"
    priority = 5  # as keyring's own SecretService backend: a real store

    def get_password(self, service: str, username: str) -> str | None:
        with _Session() as session:
            items = session.search(_query(service, username))
            if not items:
                return None
            return session.secret(items[0]).decode("utf-8")

    def set_password(self, service: str, username: str, password: str) -> None:
        label = f"Password for '{username}' on '{service}'"
        attributes = {**_query(service, username), "application": APPLICATION}
        with _Session() as session:
            session.create(label, attributes, password.encode("utf-8"))

    def delete_password(self, service: str, username: str) -> None:
        with _Session() as session:
            items = session.search(_query(service, username))
            if not items:
                raise SecretServiceError("no such password")
            session.delete(items[0])


def available() -> bool:
    """The service answers on this session bus (it may be started on demand by the bus)."""
    if not session_bus_possible():
        return False
    try:
        with _Session():
            return True
    except SecretServiceError:
        return False


def _query(service: str, username: str) -> dict[str, str]:
    return {"username": username, "service": service}


class _Session:
    """One connection and one plain session; every call bounded by CALL_TIMEOUT."""

    def __init__(self) -> None:
        self._conn: Any = None
        self._path = ""

    def __enter__(self) -> _Session:
        try:
            from jeepney.io.blocking import open_dbus_connection

            self._conn = open_dbus_connection(bus="SESSION")
        except Exception as exc:  # no bus, refused, bad address
            raise SecretServiceError(f"no session bus: {type(exc).__name__}") from exc
        try:
            _output, self._path = self._call(
                SERVICE_PATH, "Service", "OpenSession", "sv", ("plain", ("s", ""))
            )
        except BaseException:
            self._conn.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._conn.close()

    def _call(
        self, path: str, iface: str, method: str, sig: str = "", body: tuple[Any, ...] = ()
    ) -> Any:
        from jeepney import DBusAddress, MessageType, new_method_call

        address = DBusAddress(path, bus_name=BUS_NAME, interface=_IFACE + iface)
        try:
            reply = self._conn.send_and_get_reply(
                new_method_call(address, method, sig, body), timeout=CALL_TIMEOUT
            )
        except Exception as exc:  # timeout, connection lost
            raise SecretServiceError(f"{method}: {type(exc).__name__}") from exc
        if reply.header.message_type == MessageType.error:
            name = reply.header.fields.get(4, "error")  # HeaderFields.error_name
            raise SecretServiceError(f"{method}: {name}")
        return reply.body

    def _unlock(self, paths: list[str]) -> None:
        _unlocked, prompt = self._call(SERVICE_PATH, "Service", "Unlock", "ao", (paths,))
        if prompt != "/":
            self._prompt(prompt)

    def _prompt(self, path: str) -> None:
        from jeepney import MatchRule

        rule = MatchRule(type="signal", interface=_IFACE + "Prompt", member="Completed", path=path)
        with self._conn.filter(rule) as queue:
            self._call(path, "Prompt", "Prompt", "s", ("",))
            try:
                signal = self._conn.recv_until_filtered(queue, timeout=PROMPT_TIMEOUT)
            except Exception as exc:
                raise SecretServiceError("the keyring was not unlocked") from exc
        if signal.body[0]:  # dismissed
            raise SecretServiceError("the keyring was not unlocked")

    def search(self, attributes: dict[str, str]) -> list[str]:
        """Items of the default collection with these attributes, unlocked."""
        if not self.default_collection():
            return []
        (items,) = self._call(
            DEFAULT_COLLECTION, "Collection", "SearchItems", "a{ss}", (attributes,)
        )
        items = [str(i) for i in items]
        if items:
            self._unlock(items[:1])
        return items

    def secret(self, item: str) -> bytes:
        ((_session, _params, value, _type),) = self._call(
            item, "Item", "GetSecret", "o", (self._path,)
        )
        return bytes(value)

    def default_collection(self) -> bool:
        """Whether the default collection exists (a fresh account may have none yet)."""
        (path,) = self._call(SERVICE_PATH, "Service", "ReadAlias", "s", ("default",))
        return str(path) != "/"

    def create(self, label: str, attributes: dict[str, str], value: bytes) -> None:
        if not self.default_collection():
            # As keyring does: make the default collection (the desktop may ask for its
            # password), so the password is kept across sessions, never in "session".
            props = {_IFACE + "Collection.Label": ("s", "Default keyring")}
            _path, prompt = self._call(
                SERVICE_PATH, "Service", "CreateCollection", "a{sv}s", (props, "default")
            )
            if prompt != "/":
                self._prompt(prompt)
        self._unlock([DEFAULT_COLLECTION])
        properties = {
            _IFACE + "Item.Label": ("s", label),
            _IFACE + "Item.Attributes": ("a{ss}", attributes),
        }
        secret = (self._path, b"", value, "text/plain")
        _item, prompt = self._call(
            DEFAULT_COLLECTION, "Collection", "CreateItem", "a{sv}(oayays)b",
            (properties, secret, True),
        )  # fmt: skip
        if prompt != "/":
            self._prompt(prompt)

    def delete(self, item: str) -> None:
        (prompt,) = self._call(item, "Item", "Delete")
        if prompt != "/":
            self._prompt(prompt)
