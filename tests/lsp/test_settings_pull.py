"""didChangeConfiguration without settings (``settings: null``, what pull-model editors
send): the server asks for them with workspace/configuration (section "acrouter") when
the client can be asked, and keeps the settings it has when it cannot — never falls back
to the defaults (no models: every request would be refused)."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.fakes.calc_project import make_project
from tests.lsp.test_e2e import route_arg, run, settings, start_session
from tests.lsp.test_editor_edges import until

ROUTE = "acrouter.server.routeAndComplete"


def logged(client: LanguageClient, words: str) -> bool:
    return any(words in m.message for m in client.log_messages)


def changed_without_settings(client: LanguageClient) -> None:
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))


async def test_settings_null_pulls_the_acrouter_section(fake, home, tmp_path):
    root = tmp_path / "proj"
    target = make_project(root)
    client, _ = await start_session(home, settings(fake.base_url), root)
    try:
        # costWeight -5 is refused with a warning: the sign that the pulled settings
        # were applied (the request below must not race the pull)
        pulled = settings(fake.base_url, maxAttempts=1, costWeight=-5)["acrouter"]
        client.set_configuration(pulled, section="acrouter")  # answers workspace/configuration
        changed_without_settings(client)
        await until(lambda: any("costWeight" in m.message for m in client.messages))
        res = await run(client, ROUTE, route_arg(target))
        assert len(res["attempts"]) == 1, res["attempts"]  # maxAttempts 1, as pulled
    finally:
        await client.shutdown_session()


async def test_settings_null_keeps_the_settings_when_the_client_cannot_be_asked(
    fake, home, tmp_path
):
    root = tmp_path / "proj"
    target = make_project(root)
    client, _ = await start_session(
        home, settings(fake.base_url, maxAttempts=2), root, pull_configuration=False
    )
    try:
        client.set_configuration(
            settings(fake.base_url, maxAttempts=1)["acrouter"], section="acrouter"
        )
        changed_without_settings(client)
        await until(lambda: logged(client, "the client cannot be asked for them: kept"))
        res = await run(client, ROUTE, route_arg(target))
        # the configured models and maxAttempts 2 still hold (the defaults have no model,
        # and the client's maxAttempts 1 was not asked for)
        assert [a["model"] for a in res["attempts"]] == ["cheap", "strong"], res["attempts"]
        assert res["verified"], res["why"]
    finally:
        await client.shutdown_session()


async def test_settings_null_keeps_the_settings_when_the_client_has_none(fake, home, tmp_path):
    root = tmp_path / "proj"
    target = make_project(root)
    client, _ = await start_session(home, settings(fake.base_url, maxAttempts=2), root)
    try:
        changed_without_settings(client)  # the client has no "acrouter" section
        await until(lambda: logged(client, "the client has no acrouter settings to give: kept"))
        res = await run(client, ROUTE, route_arg(target))
        assert [a["model"] for a in res["attempts"]] == ["cheap", "strong"], res["attempts"]
    finally:
        await client.shutdown_session()
