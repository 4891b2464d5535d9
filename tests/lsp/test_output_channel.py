"""What `acrouter serve` writes on stderr, which the editor shows as the ACRouter output
channel: started as the extension starts it (no ACROUTER_LOG_LEVEL)."""

from __future__ import annotations

import pytest
from pygls.exceptions import JsonRpcException

from tests.fakes.calc_project import make_project
from tests.lsp.test_e2e import route_arg, run, settings, start_session


async def test_a_refused_request_leaves_its_reason_and_no_traceback(fake, home, tmp_path, capfd):
    # pygls logged every refusal (a JSON-RPC error the server raises on purpose: no
    # bubblewrap, no test command, a file too large) at ERROR with two chained
    # tracebacks, so the output channel looked as if the server had crashed
    root = tmp_path / "proj"
    target = make_project(root)
    (root / "big.py").write_text("x = 1\n" * 400)
    client, _ = await start_session(
        home, settings(fake.base_url, maxFileKilobytes=1), root, log_level=None
    )
    try:
        with pytest.raises(JsonRpcException, match="acrouter.maxFileKilobytes"):
            await run(
                client, "acrouter.server.routeAndComplete", route_arg(root / "big.py", range=None)
            )
        # the server still serves after it
        assert (await run(client, "acrouter.server.history", {}))["entries"] == []
    finally:
        await client.shutdown_session()
    err = capfd.readouterr().err
    assert "request refused before any model call: big.py is" in err  # the reason is there
    assert "Traceback" not in err and "ERROR" not in err, err
    assert target.exists() and fake.chat_requests() == []
