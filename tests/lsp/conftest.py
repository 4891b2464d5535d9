"""The ``lsp`` fixture: ``acrouter serve`` on the sample project, talking to the fake models."""

from __future__ import annotations

import pytest_asyncio

from tests.fakes.calc_project import make_project
from tests.lsp.test_e2e import settings, start


@pytest_asyncio.fixture
async def lsp(fake, home, tmp_path):
    root = tmp_path / "proj"
    target = make_project(root)
    client = await start(home, settings(fake.base_url), root)
    yield client, target, root
    await client.shutdown_session()
