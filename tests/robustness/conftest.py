"""One engine per test module, registered at its own Kamailio on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.engine_harness import EngineClient, EngineProcess, running_engine, write_account
from tests.sipnet import HOST, Kamailio, kamailio


@dataclass
class RunningPhone:
    engine: EngineProcess
    client: EngineClient
    kam: Kamailio
    pid: int


@pytest.fixture(scope="module")
def phone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPhone]:
    base = tmp_path_factory.mktemp("phone")
    config = base / "config"
    config.mkdir()
    with kamailio(base / "kam") as kam:
        write_account(config, "alice", HOST, kam.port)
        with running_engine(config) as (engine, client):
            client.wait_account("Registered", 15)
            assert engine.proc is not None
            yield RunningPhone(engine, client, kam, engine.proc.pid)
