"""Headers embedded in a dialled URI never reach the INVITE.

`sip:bob@host?Route=<...>&P-Asserted-Identity=...` handed to the engine over the control socket
(what the window and a clicked link use) or over Action URI: pjsua copies such headers into
the request, so the Route sent the call to another host (127.0.0.3 here) and the identity was
forged. Both far ends are SIPp answering 486; the engine runs with its local account only.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.engine_harness import running_engine
from tests.integration.test_action_uri_engine import get, write_settings
from tests.sipnet import HOST, Sipp, free_port

pytestmark = pytest.mark.sip

ROUTER_HOST = "127.0.0.3"


def _uas(workdir: Path, host: str) -> Sipp:
    sipp = Sipp("redirect/uas-486.xml", free_port(), workdir, host=host, timeout=20)
    sipp.listen()
    return sipp


@pytest.mark.parametrize("path", ["control socket", "Action URI"])
def test_uri_headers_of_a_dialled_target_are_dropped(
    tmp_path: Path, config_dir: Path, path: str
) -> None:
    uri_port = free_port()
    write_settings(config_dir, uri_port, {})
    bob = _uas(tmp_path / "bob", HOST)
    router = _uas(tmp_path / "router", ROUTER_HOST)
    headers = {
        "Route": f"<sip:{ROUTER_HOST}:{router.port};lr>",
        "P-Asserted-Identity": "<sip:boss@corp.example>",
        "Subject": "injected",
    }
    query = "&".join(f"{k}={quote(v, safe=':')}" for k, v in headers.items())  # RFC 3261 escaping
    target = f"sip:bob@{HOST}:{bob.port}?{query}"
    try:
        with running_engine(config_dir) as (_engine, client):
            if path == "control socket":
                client.send("dial", target=target)
            else:
                assert get(uri_port, "/servlet?number=" + quote(target, safe=""))[0] == 200
            failed = client.wait_call("CallFailed", timeout=15)
        # The Route was not obeyed: nothing reached the host it named.
        assert (
            re.findall(r"^(?:INVITE|Route|P-Asserted-Identity)\b.*", router.messages(), re.M) == []
        )
        assert bob.wait(15) == 0, bob.messages()[-1500:]
    finally:
        bob.stop()
        router.stop()
    invite = bob.messages().split("INVITE sip:", 1)[1].split("\n\n", 1)[0]
    for name in headers:
        assert not re.search(rf"^{name}:", invite, re.MULTILINE | re.IGNORECASE), invite
    assert invite.startswith(f"bob@{HOST}:{bob.port} SIP/2.0"), invite
    assert failed["remote_uri"] == f"sip:bob@{HOST}:{bob.port}"
    assert failed["text"] == "Busy here!"
