"""What a provisioning file changes that an attacker on the network would want.

A .cfg fetched over plain http can be read and rewritten by anyone on the path. Most keys are
harmless, but a few hand the phone over: remote control (Action URI on, reachable, without
the question, or Action URL events sent somewhere new), an account moved to another server
or proxy (the saved password then answers that server's challenge), the server certificate
check turned off, or another CA file trusted. (The provisioning URL itself is the one the user
gave: provision_http.provision() keeps it.) `provision_risks` names
each such change in a sentence; callers show them and ask before applying.
"""

from __future__ import annotations

import urllib.parse

from app.phone.settings import AccountSettings, RemoteSettings, Settings


def _shown(url: str) -> str:
    """At most 120 characters, without a user:password part."""
    try:
        parts = urllib.parse.urlsplit(url)
        if "@" in parts.netloc:
            url = urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    except ValueError:
        pass
    return url[:120]


def _where(a: AccountSettings) -> str:
    where = f"{a.transport}:{a.server}:{a.port}" if a.server else "no server"
    return f"{where} via proxy {a.outbound_proxy}" if a.outbound_proxy else where


def _remote_risks(old: RemoteSettings, new: RemoteSettings) -> list[str]:
    out: list[str] = []
    allow = ", ".join(new.action_uri_allow) or "nobody"
    if new.action_uri_enabled and not old.action_uri_enabled:
        out.append(f"turns on remote control (Action URI) for {allow}")
    if new.action_uri_enabled:
        if new.action_uri_bind_any and not old.action_uri_bind_any:
            out.append("lets other computers reach remote control (listens on all addresses)")
        if old.action_uri_enabled and new.action_uri_allow != old.action_uri_allow:
            out.append(f"changes who may use remote control to {allow}")
        if old.action_uri_prompt and not new.action_uri_prompt:
            out.append('turns off the "Allow remote control?" question')
    for event, url in sorted(new.action_urls.items()):
        if old.action_urls.get(event) != url:
            out.append(f"sends the {event} event (with caller numbers) to {_shown(url)}")
    return out


def plain_http_warning(risks: list[str]) -> str:
    """What the user is told before such changes from a plain-http file are applied."""
    lines = [f"  - {risk}" for risk in risks]
    return "\n".join(
        [
            "These settings came over plain http, where anyone on the network can read and "
            "change them, and they:",
            *lines,
        ]
    )


def provision_risks(old: Settings, new: Settings) -> list[str]:
    """Sentences for the dangerous differences from `old` to `new`; empty when none."""
    out = _remote_risks(old.remote, new.remote)
    for i, (before, after) in enumerate(zip(old.accounts, new.accounts, strict=False)):
        if not before.server:
            continue
        if _where(before) != _where(after):
            who = before.user or before.label or f"account {i + 1}"
            out.append(
                f"moves account {i + 1} ({who}) from {_where(before)} to {_where(after)}; "
                "its saved password would answer the new server"
            )
    if old.tls_verify_server and not new.tls_verify_server:
        out.append("turns off the check of the SIP server's certificate")
    if new.tls_ca_file != old.tls_ca_file and new.tls_ca_file:
        out.append(f"trusts the certificates in {new.tls_ca_file[:120]}")
    return out
