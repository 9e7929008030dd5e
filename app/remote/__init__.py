"""Remote control the Yealink way: Action URI (HTTP in) and Action URL (HTTP out).

Engine-side only: no Qt, no pjsua2. The engine hands the server thread-safe, non-blocking
callbacks (`submit`, `state`, `screenshot`, optionally `ask`) and calls `ActionUrlSender.emit`.
"""

from app.remote.access import PromptBroker, ip_allowed
from app.remote.action_uri import (
    BadRequest,
    ConfigQuery,
    RemoteAction,
    config_report,
    parse_key_value,
    parse_servlet_query,
)
from app.remote.action_url import EVENTS, VARIABLES, ActionUrlSender, call_vars, expand
from app.remote.handler import ActionUriHandler, Response
from app.remote.http_server import ActionUriServer

__all__ = [
    "EVENTS",
    "VARIABLES",
    "ActionUriHandler",
    "ActionUriServer",
    "ActionUrlSender",
    "BadRequest",
    "ConfigQuery",
    "PromptBroker",
    "RemoteAction",
    "Response",
    "call_vars",
    "config_report",
    "expand",
    "ip_allowed",
    "parse_key_value",
    "parse_servlet_query",
]
