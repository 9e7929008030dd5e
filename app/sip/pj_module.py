"""A pjsip module of our own, registered through the wheel's C API with ctypes.

pjsua2 2.15.1 exposes no Python hook on pjsip's receive or transmit path; the guards (incoming
requests, credentials) need one before pjsua sees a request or a transport sends it
(docs/pjsua2.md §9, §12). This file holds the few C structures they share and the
register/unregister pair, so a struct layout is written once.

All calls happen on the SIP thread. `pjsip_endpt_register_module` keeps a raw pointer to the
struct and to the callbacks: the owner keeps the `EndpointModule` alive until `unregister`,
which must run before libDestroy().
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from pathlib import Path


class PjStr(ctypes.Structure):
    """pj_str_t: a pointer and a length, not NUL-terminated."""

    _fields_ = [("ptr", ctypes.c_char_p), ("slen", ctypes.c_ssize_t)]


def pj_str(text: str | bytes) -> PjStr:
    """A pj_str_t over `text`; the caller keeps the result alive while pjsip may read it."""
    raw = text if isinstance(text, bytes) else text.encode("utf-8", "surrogateescape")
    return PjStr(raw, len(raw))


class TxHead(ctypes.Structure):
    """struct pjsip_tx_data (pjsip/sip_transport.h, 2.15.1) up to `msg`, field for field; a
    module that reads further subclasses it (ctypes appends the subclass's fields)."""

    _fields_ = [
        ("prev", ctypes.c_void_p),
        ("next", ctypes.c_void_p),
        ("pool", ctypes.c_void_p),
        ("obj_name", ctypes.c_char * 32),  # PJ_MAX_OBJ_NAME
        ("info", ctypes.c_void_p),
        ("rx_timestamp", ctypes.c_long * 2),
        ("mgr", ctypes.c_void_p),
        # pj_ioqueue_op_key_t (internal__[32], activesock_data, user_data) + tdata, token, callback
        ("op_key", ctypes.c_void_p * 37),
        ("lock", ctypes.c_void_p),
        ("msg", ctypes.c_void_p),
    ]


# pj_bool_t on_rx_*(pjsip_rx_data*) and pj_status_t on_tx_*(pjsip_tx_data*): one shape.
MESSAGE_CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)


class PjsipModule(ctypes.Structure):
    # struct pjsip_module (pjsip/sip_module.h, 2.15.1), field for field.
    _fields_ = [
        ("prev", ctypes.c_void_p),
        ("next", ctypes.c_void_p),
        ("name", PjStr),
        ("id", ctypes.c_int),
        ("priority", ctypes.c_int),
        ("load", ctypes.c_void_p),
        ("start", ctypes.c_void_p),
        ("stop", ctypes.c_void_p),
        ("unload", ctypes.c_void_p),
        ("on_rx_request", MESSAGE_CB),
        ("on_rx_response", MESSAGE_CB),
        ("on_tx_request", MESSAGE_CB),
        ("on_tx_response", MESSAGE_CB),
        ("on_tsx_state", ctypes.c_void_p),
    ]


def pjsua_library(keep_gil: bool = True) -> ctypes.CDLL:
    """The already loaded pjsua2 extension: dlopen of the same path returns the same handle.

    keep_gil=False gives a plain CDLL, which releases the GIL around each call: for calls that
    block or run long (an ioqueue poll, a conference frame). Otherwise a PyDLL: its calls keep
    the GIL. These are short C calls made on the SIP thread, often
    from inside pjsip's receive path; a CDLL releases and retakes the GIL around each one, and
    with the engine's other threads awake each retake could wait (measured: ~0.2 ms of the
    0.4 ms between an INVITE and its stateless 302 under load). pjsip calling back into
    Python meanwhile is fine: pjsua2's callbacks take the GIL the same thread already holds."""
    import pjsua2._pjsua2 as native

    path = str(Path(native.__file__))
    return ctypes.PyDLL(path) if keep_gil else ctypes.CDLL(path)


Callback = Callable[[int], int]


class EndpointModule:
    """One named module at one priority with the callbacks given (the others stay NULL)."""

    def __init__(self, name: bytes, priority: int, **callbacks: Callback) -> None:
        unknown = set(callbacks) - {"on_rx_request", "on_rx_response", "on_tx_request",
                                    "on_tx_response"}  # fmt: skip
        if unknown:
            raise ValueError(f"not a message callback: {sorted(unknown)}")
        self._name = name
        self._priority = priority
        # kept: pjsip holds the raw function pointers
        self._callbacks = {field: MESSAGE_CB(cb) for field, cb in callbacks.items()}
        self._lib: ctypes.CDLL | None = None
        self._endpt = 0
        self._struct: PjsipModule | None = None

    @property
    def registered(self) -> bool:
        return self._struct is not None

    def register(self) -> tuple[ctypes.CDLL, int]:
        """Registers with pjsua's endpoint; returns the library and the endpoint pointer."""
        lib = pjsua_library()
        lib.pjsua_get_pjsip_endpt.restype = ctypes.c_void_p
        lib.pjsip_endpt_register_module.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        lib.pjsip_endpt_unregister_module.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        endpt = lib.pjsua_get_pjsip_endpt()
        if not endpt:
            raise RuntimeError("pjsua has no SIP endpoint yet")
        struct = PjsipModule()
        struct.name = PjStr(self._name, len(self._name))
        struct.id = -1
        struct.priority = self._priority
        for field, cb in self._callbacks.items():
            setattr(struct, field, cb)
        status = lib.pjsip_endpt_register_module(endpt, ctypes.byref(struct))
        if status != 0:
            raise RuntimeError(f"pjsip_endpt_register_module failed: {status}")
        self._lib, self._endpt, self._struct = lib, endpt, struct
        return lib, endpt

    def unregister(self) -> None:
        """Before libDestroy(): pjsip must not keep a pointer into this object's memory."""
        if self._lib is None or self._struct is None:
            return
        self._lib.pjsip_endpt_unregister_module(self._endpt, ctypes.byref(self._struct))
        self._struct = None
