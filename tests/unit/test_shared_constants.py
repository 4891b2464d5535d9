"""The server side of tests/fixtures/shared-constants.json: the values the extension
(vscode-client/test/shared.test.ts asserts the same file) and the server must share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from acrouter.bench import PROTOCOLS
from acrouter.bench.cli import add_parser
from acrouter.config import (
    DEFAULTS,
    ENV_NAME,
    FIELDS,
    MAX_PRICE_PER_1M,
    RANGES,
    SANDBOX_MODES,
    parse_settings,
)
from acrouter.domain import BENCHMARK_MODELS
from acrouter.explain import fmt_usd
from acrouter.verifier import fingerprint

SHARED = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "shared-constants.json").read_text(
        encoding="utf-8"
    )
)
SETTINGS = SHARED["settings"]
BUNDLED_MODELS = (
    Path(__file__).resolve().parents[2] / "server" / "acrouter" / "data" / "models.json"
)


def test_names() -> None:
    assert list(BENCHMARK_MODELS) == SHARED["benchmarkModels"]
    bundled = json.loads(BUNDLED_MODELS.read_text(encoding="utf-8"))["models"]
    assert sorted(m["model"] for m in bundled) == sorted(SHARED["benchmarkModels"])
    assert list(SANDBOX_MODES) == SHARED["sandboxModes"]
    assert list(PROTOCOLS) == SHARED["benchProtocols"]


def test_the_bench_command_offers_exactly_the_protocols() -> None:
    import argparse

    sub = argparse.ArgumentParser().add_subparsers()
    parser = add_parser(sub)
    (action,) = [a for a in parser._actions if a.dest == "protocol"]
    assert list(action.choices or ()) == SHARED["benchProtocols"]


@pytest.mark.parametrize("key", sorted(SETTINGS["defaults"]))
def test_defaults(key: str) -> None:
    attr, _parse = FIELDS[key]
    shared = SETTINGS["defaults"][key]
    if key == "testCommand":  # "" in the editor, None (detect) here
        assert DEFAULTS.test_command is None and shared == ""
    else:
        assert getattr(DEFAULTS, attr) == shared


def test_ranges() -> None:
    assert {
        key: (r["min"], r["max"], r["integer"]) for key, r in SETTINGS["ranges"].items()
    } == RANGES
    assert (0, MAX_PRICE_PER_1M) == (SETTINGS["modelPrice"]["min"], SETTINGS["modelPrice"]["max"])


def test_env_name_pattern() -> None:
    assert ENV_NAME.pattern == SETTINGS["envNamePattern"]


def _range_cases() -> list[tuple[dict[str, Any], bool]]:
    cases: list[tuple[dict[str, Any], bool]] = []
    for key, r in SETTINGS["ranges"].items():
        cases += [({key: r["min"]}, True), ({key: r["max"]}, True)]
        cases += [({key: r["min"] - 1}, False), ({key: r["max"] + 1}, False)]
        if r["integer"]:
            cases.append(({key: r["min"] + 0.5}, False))
    for mode in SHARED["sandboxModes"]:
        cases.append(({"sandbox": mode}, True))
    for bm in SHARED["benchmarkModels"]:
        cases.append(({"models": [{"name": "a", "model": "m", "benchmarkModel": bm}]}, True))
    price = SETTINGS["modelPrice"]
    for value, ok in ((price["min"], True), (price["max"], True), (price["max"] * 1.5, False)):
        cases.append(({"models": [{"name": "a", "model": "m", "inputCostPer1M": value}]}, ok))
    return cases


CASES = [(c["settings"], c["valid"]) for c in SETTINGS["cases"]] + _range_cases()


@pytest.mark.parametrize(("raw", "valid"), CASES, ids=[json.dumps(c[0])[:60] for c in CASES])
def test_settings_validation_agrees_with_the_client(raw: dict[str, Any], valid: bool) -> None:
    _settings, problems = parse_settings(raw)
    assert (problems == []) == valid, problems
    assert all("sk-abc123" not in p for p in problems)  # a pasted key is never echoed


KEPT = [(c["settings"], c["modelsKept"]) for c in SETTINGS["cases"] if "modelsKept" in c]


@pytest.mark.parametrize(("raw", "kept"), KEPT, ids=[json.dumps(c[0])[:60] for c in KEPT])
def test_the_same_model_entries_are_kept_as_by_the_client(raw: dict[str, Any], kept: int) -> None:
    """An entry that may not say where its requests go (an invalid apiBase, an unknown,
    perhaps misspelt, field) is dropped, not used with the provider's own host."""
    settings, _ = parse_settings(raw)
    assert len(settings.models) == kept


def test_an_accepted_value_is_kept() -> None:
    settings, _ = parse_settings({"maxAttempts": SETTINGS["ranges"]["maxAttempts"]["max"]})
    assert settings == attrs.evolve(DEFAULTS, max_attempts=SETTINGS["ranges"]["maxAttempts"]["max"])


@pytest.mark.parametrize(("value", "shown"), SHARED["usd"])
def test_usd_format(value: float | None, shown: str) -> None:
    assert fmt_usd(value) == shown


def test_config_toml_reports_a_misspelt_top_level_key(tmp_path) -> None:
    from acrouter.config import load_config_file

    cfg = tmp_path / "config.toml"
    cfg.write_text('maxAttemps = 5\n\n[[models]]\nname = "a"\nmodel = "m"\napibase = "http://x"\n')
    settings, problems = load_config_file(cfg)
    assert settings.max_attempts == DEFAULTS.max_attempts and settings.models == ()
    assert any("unknown key 'maxAttemps' ignored" in p for p in problems), problems
    assert any("unknown field 'apibase'; this model is not used" in p for p in problems), problems


def test_config_toml_with_the_editors_prefix_keeps_its_models_and_says_why(tmp_path) -> None:
    """``acrouter.maxAttempts = 2`` (copied from settings.json) makes an ``acrouter`` table
    in TOML; it used to replace the whole file, so the [[models]] beside it were dropped
    without a word and the command line said "no models configured".  Now both are read,
    and the prefix is reported; a file written wholly under ``[acrouter]`` loads too."""
    from acrouter.config import load_config_file

    note = (
        "config.toml: config.toml names settings without the editor's 'acrouter.' prefix "
        "(maxAttempts = 3, not acrouter.maxAttempts = 3); read them anyway"
    )
    cfg = tmp_path / "config.toml"
    cfg.write_text('acrouter.maxAttempts = 2\n\n[[models]]\nname = "a"\nmodel = "m"\n')
    settings, problems = load_config_file(cfg)
    assert [m.name for m in settings.models] == ["a"]
    assert settings.max_attempts == 2
    assert problems == [note]
    cfg.write_text('[acrouter]\nmaxAttempts = 4\n\n[[acrouter.models]]\nname = "b"\nmodel = "m"\n')
    settings, problems = load_config_file(cfg)
    assert [m.name for m in settings.models] == ["b"] and settings.max_attempts == 4
    assert problems == [note]
    # written both ways: the plain key wins
    cfg.write_text("maxAttempts = 3\nacrouter.maxAttempts = 5\n")
    settings, problems = load_config_file(cfg)
    assert settings.max_attempts == 3 and problems == [note]


DIGEST = SHARED["baseDigest"]


@pytest.mark.parametrize(("text", "digest"), DIGEST["cases"])
def test_base_digests_are_computed_like_the_client(text: str, digest: str) -> None:
    from acrouter.lsp.freshness import base_digest

    assert base_digest(text) == digest


def test_the_result_carries_the_base_digests_under_the_shared_name() -> None:
    from acrouter.domain import Result
    from acrouter.lsp.convert import result_json
    from acrouter.lsp.freshness import ABSENT, base_digest

    assert base_digest(None) == ABSENT == DIGEST["absent"]
    result = Result("r", "bug_fixing", "m", True, None, 0.0, (), "", None)
    bases = {"file:///w/a.py": base_digest("x\n")}
    assert result_json(result, {"documentChanges": []}, bases)[DIGEST["field"]] == bases


def test_file_changes_are_named_as_the_extension_names_them() -> None:
    words = SHARED["fileChanges"]
    assert {
        "edited": fingerprint.EDITED,
        "changed": fingerprint.CHANGED,
        "created": fingerprint.CREATED,
        "deleted": fingerprint.DELETED,
        "discarded": fingerprint.DISCARDED,
        "packages": fingerprint.PACKAGES,
    } == {k: v for k, v in words.items() if not k.startswith("_")}
