"""Remote control (Action URI in, Action URL out) and auto-provisioning settings."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

import app.phone.settings.checks as checks
from app.phone.settings.declare import URL_MAX, names, setting

ACTION_URL_EVENTS = (
    "setup_completed", "registered", "unregistered", "register_failed", "off_hook", "on_hook",
    "incoming_call", "outgoing_call", "call_established", "call_terminated", "missed_call",
    "hold", "unhold", "mute", "unmute", "dnd_on", "dnd_off", "always_fwd_on", "always_fwd_off",
    "busy_fwd_on", "busy_fwd_off", "no_answer_fwd_on", "no_answer_fwd_off",
    "forward_incoming_call", "reject_incoming_call", "transfer_call", "blind_transfer_call",
    "attended_transfer_call", "transfer_finished", "transfer_failed",
)  # fmt: skip


# fmt: off
@dataclass
class RemoteSettings:
    """Remote control: Action URI and Action URL."""

    action_uri_enabled: bool = setting(
        False, "Allow Action URI (control this phone over HTTP)", "features.action_uri.enable",
        help="Programs may press keys, dial and read the phone's state over HTTP "
        "(/servlet?key=...). Off by default.",
    )
    action_uri_allow: list[str] = setting(
        lambda: ["127.0.0.1"], "Allowed addresses", "features.action_uri_limit_ip",
        check=checks.not_blank, hint="127.0.0.1, 192.168.1.*",
        help="Client addresses allowed; * stands for one number; any",
    )
    action_uri_prompt: bool = setting(
        True, 'Ask "Allow remote control?" on screen', "features.show_action_uri_option",
        help="The phone asks on screen before it obeys a new client (on by default, as on a "
        "Yealink, docs/yealink.md §11); a web browser is asked about each time.",
    )
    action_uri_port: int = setting(
        8765, "Port", "action_uri.port", own=True, lo=1, hi=65535,
        help="The TCP port the Action URI server listens on.",
    )
    action_uri_bind_any: bool = setting(
        False, "Listen on all network interfaces (else this computer only)",
        "action_uri.bind_any", own=True,
        help="Off: only programs on this computer (127.0.0.1) can connect.",
    )
    action_uri_user: str = setting(
        "", "User", "action_uri.user", own=True, hint="none",
        help="User name a client must give (HTTP Basic authentication); empty: none asked.",
    )
    action_uri_password: str = setting(
        "", "Password", "action_uri.password", own=True, secret=True,
        help="Password for that user; kept like the account passwords.",
    )
    action_urls: dict[str, str] = names(
        "Action URL (an HTTP GET on each event)", "action_url.{name}", ACTION_URL_EVENTS,
        check=checks.url, unknown="unknown Action URL event", max_len=URL_MAX,
        help="URL fetched on each event, by event name; $variables in it (e.g. $remote, "
        "$call_id) are replaced.",
    )


def split_url_credentials(url: str) -> tuple[str, str, str]:
    """(url without user:password, user, password); the URL as given when it has none."""
    try:
        parts = urllib.parse.urlsplit(url)
        user, password, host = parts.username, parts.password, parts.hostname
        port = parts.port
    except ValueError:
        return url, "", ""
    if user is None and password is None:
        return url, "", ""
    netloc = f"[{host}]" if host and ":" in host else host or ""
    netloc += f":{port}" if port else ""
    bare = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    unquote = urllib.parse.unquote
    return bare, unquote(user or ""), unquote(password or "")


def folder_url(v: str) -> str:
    """An http(s) URL without user:password in it: those are the user and password settings,
    so that the password is kept with the other passwords (and never shown in a message)."""
    if v and split_url_credentials(v)[0] != v:
        return "user name and password go in their own settings, not in the URL"
    return checks.url_or_empty(v)


@dataclass
class ProvisionSettings:
    """Yealink-style auto-provisioning (app/store/provision_http.py)."""

    url: str = setting(
        "", "Server URL", "static.auto_provision.server.url", check=folder_url,
        max_len=URL_MAX,
        hint="http://provisioning.example.com/t46g/",
        help="The folder holding the common .cfg file and <MAC>.cfg.",
    )
    user: str = setting(
        "", "User name", "static.auto_provision.server.username", hint="none",
        help="Sent (HTTP Basic) to the provisioning server, and only to it: never to where "
        "one of its redirects points elsewhere.",
    )
    password: str = setting(
        "", "Password", "static.auto_provision.server.password", secret=True,
        help="Kept like the account passwords; never in settings.json or an export unless "
        "asked for.",
    )
    mac: str = setting(
        "", "MAC", "provisioning.mac", own=True, check=checks.mac,
        hint="00:15:65:aa:bb:cc (optional)",
        help="This device's MAC, for <MAC>.cfg: 12 hex digits, separators allowed.",
    )
# fmt: on
