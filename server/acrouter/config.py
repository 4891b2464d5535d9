"""Typed, fully defaulted settings.

The same keys (camelCase) arrive from the editor (``initializationOptions`` /
``workspace/didChangeConfiguration`` under ``acrouter``) and from
``$ACROUTER_HOME/config.toml`` for the command line.  A bad value falls back to its
default and produces one problem message naming the key as the user wrote it
(``acrouter.maxAttempts`` in the editor, ``maxAttempts`` in config.toml); nothing raises.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import attrs

from .domain import BENCHMARK_MODELS, ModelSpec

SANDBOX_MODES = ("bwrap", "none")
#: How messages name a setting (the ``prefix`` of ``parse_settings``): in the editor
#: ``acrouter.testCommand``, in config.toml ``testCommand``.
EDITOR_PREFIX = "acrouter."
CONFIG_FILE_PREFIX = ""
#: What ``apiKeyEnv`` must look like: the NAME of an environment variable, never a key.
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: The most a model may cost per million tokens (input or output), in USD.
MAX_PRICE_PER_1M = 1e6
MODEL_FIELDS = frozenset(
    {"name", "model", "apiBase", "apiKeyEnv", "inputCostPer1M", "outputCostPer1M", "benchmarkModel"}
)
#: Field names that suggest a pasted secret: reported without echoing the value.
SECRETISH = re.compile(r"key|secret|token|password|credential", re.IGNORECASE)


@attrs.frozen
class Settings:
    models: tuple[ModelSpec, ...] = ()
    test_command: str | None = None  # None = detect
    max_attempts: int = 3
    cost_weight: float = 0.1
    request_timeout_s: float = 120.0
    test_timeout_s: float = 300.0
    sandbox: str = "bwrap"
    store_instructions: bool = True
    team_priors: tuple[str, ...] = ()  # team priors files (acrouter memory export --team)
    share_failures: bool = True  # tell the next model why the previous attempt failed
    #: record which changed lines the tests ran (a pass names those none ran)
    trace_changed_lines: bool = True
    context_tokens: int = 32_000  # prompt budget when the model's context window is unknown
    max_file_kilobytes: int = 1024  # larger files are refused before any model is called


DEFAULTS = Settings()


def acrouter_home(env: Mapping[str, str] | None = None, *, cache: bool = False) -> Path:
    """Where ACRouter keeps its files: ``$ACROUTER_HOME`` when set; else, for data (memory,
    config.toml) ``$XDG_DATA_HOME/acrouter`` or ``~/.local/share/acrouter``, and for caches
    (``cache=True``) ``$XDG_CACHE_HOME/acrouter`` or ``~/.cache/acrouter``."""
    env = os.environ if env is None else env
    if env.get("ACROUTER_HOME"):
        return Path(env["ACROUTER_HOME"]).expanduser()
    xdg, fallback = (
        ("XDG_CACHE_HOME", (".cache",)) if cache else ("XDG_DATA_HOME", (".local", "share"))
    )
    if env.get(xdg):
        return Path(env[xdg]).expanduser() / "acrouter"
    return Path.home().joinpath(*fallback, "acrouter")


def _num(raw: Any, where: str, lo: float, hi: float, problems: list[str], integer: bool = False):
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        problems.append(f"{where} must be a number (got {raw!r}); using the default")
        return None
    if integer and int(raw) != raw:
        problems.append(f"{where} must be a whole number (got {raw!r}); using the default")
        return None
    if not (lo <= raw <= hi):
        problems.append(
            f"{where} must be between {lo:g} and {hi:g} (got {raw!r}); using the default"
        )
        return None
    return int(raw) if integer else float(raw)


#: what happens to a model entry that may not say where its requests go
NOT_USED = "this model is not used until that is fixed"


def _model(raw: Any, i: int, problems: list[str], prefix: str = "acrouter.") -> ModelSpec | None:
    where = f"{prefix}models[{i}]"
    if not isinstance(raw, Mapping):
        problems.append(f"{where} must be an object with at least name and model; ignored")
        return None
    name, model = raw.get("name"), raw.get("model")
    if (
        not isinstance(name, str)
        or not name.strip()
        or not isinstance(model, str)
        or not model.strip()
    ):
        problems.append(f"{where} needs string keys 'name' and 'model'; ignored")
        return None
    kw: dict[str, Any] = {"name": name.strip(), "model": model.strip()}
    for key, attr in (("apiBase", "api_base"), ("apiKeyEnv", "api_key_env")):
        v = raw.get(key)
        if v is None or v == "":
            continue
        if not isinstance(v, str):
            problems.append(f"{where}.{key} must be a string; ignored")
            continue
        kw[attr] = v.strip()
    if "api_base" in kw and not _is_http_url(kw["api_base"]):
        # without it the requests would go to the provider's own host: not what was meant
        problems.append(f"{where}.apiBase must be an http(s) URL; {NOT_USED}")
        return None
    if "api_key_env" in kw and not ENV_NAME.match(kw["api_key_env"]):
        problems.append(
            f"{where}.apiKeyEnv must be an environment variable name like OPENAI_API_KEY; ignored"
        )
        del kw["api_key_env"]
    for key, attr in (
        ("inputCostPer1M", "input_cost_per_1m"),
        ("outputCostPer1M", "output_cost_per_1m"),
    ):
        v = raw.get(key)
        if v is None:
            continue
        n = _num(v, f"{where}.{key}", 0.0, MAX_PRICE_PER_1M, problems)
        if n is not None:
            kw[attr] = n
    bm = raw.get("benchmarkModel")
    if bm not in (None, ""):
        if bm in BENCHMARK_MODELS:
            kw["benchmark_model"] = bm
        else:
            problems.append(
                f"{where}.benchmarkModel must be one of {', '.join(BENCHMARK_MODELS)} (got {bm!r}); ignored"
            )
    unknown = False
    for key in sorted(set(raw) - MODEL_FIELDS, key=str):
        if SECRETISH.search(str(key)):  # never echo the value: it may be a pasted key
            problems.append(
                f"{where}.{key} is not supported: keys never go in settings; use apiKeyEnv"
            )
        else:  # a misspelt apiBase would send the requests to the provider's own host
            problems.append(f"{where}: unknown field {key!r}; {NOT_USED}")
            unknown = True
    return None if unknown else ModelSpec(**kw)


def _is_http_url(value: str) -> bool:
    url = urlparse(value)
    return url.scheme in ("http", "https") and bool(url.netloc)


def _team_path_ok(path: str) -> bool:
    p = path.strip()
    return bool(p) and (p.startswith("~") or os.path.isabs(p))


#: A setting's parser: the value as written, the key as the user wrote it ("acrouter.x" or
#: "x") for problem messages, the list they go to; returns the value, or KEEP for the default.
Parser = Callable[[Any, str, list[str]], Any]
KEEP = object()


def _models(raw: Any, where: str, problems: list[str]) -> Any:
    if not isinstance(raw, list):
        problems.append(f"{where} must be a list of models; using the default (none)")
        return KEEP
    prefix = where[: -len("models")]
    specs = [s for i, m in enumerate(raw) if (s := _model(m, i, problems, prefix)) is not None]
    seen: set[str] = set()
    uniq = []
    for s in specs:
        if s.name in seen:
            problems.append(f"{where}: duplicate name {s.name!r}; the later one is ignored")
            continue
        seen.add(s.name)
        uniq.append(s)
    return tuple(uniq)


def _test_command(raw: Any, where: str, problems: list[str]) -> Any:
    if raw == "":
        return KEEP
    if isinstance(raw, str):
        return raw.strip() or None
    problems.append(f"{where} must be a string; using the default (detect)")
    return KEEP


def _number(lo: float, hi: float, integer: bool) -> Parser:
    def parse(raw: Any, where: str, problems: list[str]) -> Any:
        value = _num(raw, where, lo, hi, problems, integer)
        return KEEP if value is None else value

    return parse


def _sandbox(raw: Any, where: str, problems: list[str]) -> Any:
    if raw in SANDBOX_MODES:
        return raw
    problems.append(f"{where} must be one of {', '.join(SANDBOX_MODES)} (got {raw!r}); using bwrap")
    return KEEP


def _team_priors(raw: Any, where: str, problems: list[str]) -> Any:
    if isinstance(raw, list) and all(isinstance(p, str) and _team_path_ok(p) for p in raw):
        return tuple(p.strip() for p in raw)
    problems.append(
        f"{where} must be a list of absolute file paths (or paths starting "
        f"with ~) (got {raw!r}); using none"
    )
    return KEEP


def _flag(raw: Any, where: str, problems: list[str]) -> Any:
    if isinstance(raw, bool):
        return raw
    problems.append(f"{where} must be true or false; using true")
    return KEEP


#: The numeric settings: camelCase key -> (min, max, whole number).  The extension's
#: settings.ts and package.json declare the same (tests/fixtures/shared-constants.json).
RANGES: dict[str, tuple[float, float, bool]] = {
    "maxAttempts": (1, 8, True),
    "costWeight": (0.0, 1000.0, False),
    "requestTimeoutSeconds": (1.0, 3600.0, False),
    "testTimeoutSeconds": (1.0, 7200.0, False),
    "contextTokens": (2_000, 10_000_000, True),
    "maxFileKilobytes": (1, 1_000_000, True),
}

#: Every setting: camelCase key (as the user writes it) -> (Settings attribute, parser).
FIELDS: dict[str, tuple[str, Parser]] = {
    "models": ("models", _models),
    "testCommand": ("test_command", _test_command),
    "maxAttempts": ("max_attempts", _number(*RANGES["maxAttempts"])),
    "costWeight": ("cost_weight", _number(*RANGES["costWeight"])),
    "requestTimeoutSeconds": ("request_timeout_s", _number(*RANGES["requestTimeoutSeconds"])),
    "testTimeoutSeconds": ("test_timeout_s", _number(*RANGES["testTimeoutSeconds"])),
    "contextTokens": ("context_tokens", _number(*RANGES["contextTokens"])),
    "maxFileKilobytes": ("max_file_kilobytes", _number(*RANGES["maxFileKilobytes"])),
    "sandbox": ("sandbox", _sandbox),
    "teamPriors": ("team_priors", _team_priors),
    "storeInstructions": ("store_instructions", _flag),
    "shareFailures": ("share_failures", _flag),
    "traceChangedLines": ("trace_changed_lines", _flag),
}


def parse_settings(raw: Any, prefix: str = EDITOR_PREFIX) -> tuple[Settings, list[str]]:
    """Settings from a plain mapping (camelCase keys); problems name the offending key,
    written with ``prefix`` ("acrouter." for the editor, "" for config.toml)."""
    if raw is None:
        return DEFAULTS, []
    problems: list[str] = []
    # The editor may send its section whole ({"acrouter": {...}}).  config.toml has no such
    # section: there ``acrouter.maxAttempts = 3`` (copied from settings.json) makes an
    # ``acrouter`` table beside the other keys; its keys are read too (a key written both
    # ways keeps the plain one), and the prefix is reported.
    if isinstance(raw, Mapping) and isinstance(raw.get("acrouter"), Mapping):
        if prefix:
            raw = raw["acrouter"]
        else:
            rest = {k: v for k, v in raw.items() if k != "acrouter"}
            raw = {**raw["acrouter"], **rest}
            problems.append(
                "config.toml names settings without the editor's 'acrouter.' prefix "
                "(maxAttempts = 3, not acrouter.maxAttempts = 3); read them anyway"
            )
    if not isinstance(raw, Mapping):
        return DEFAULTS, [f"{prefix or 'acrouter '}settings must be an object; using defaults"]
    kw: dict[str, Any] = {}
    for key, (attr, parse) in FIELDS.items():
        if raw.get(key) is not None:
            value = parse(raw[key], f"{prefix}{key}", problems)
            if value is not KEEP:
                kw[attr] = value
    if not prefix:  # config.toml: a misspelt key would silently keep the default
        for key in sorted(set(raw) - set(FIELDS), key=str):
            problems.append(f"unknown key {key!r} ignored (known: {', '.join(FIELDS)})")
    return Settings(**kw), problems


def load_config_file(path: Path) -> tuple[Settings, list[str]]:
    """Settings from ``config.toml`` (same camelCase keys; models as ``[[models]]`` tables)."""
    if not path.exists():
        return DEFAULTS, [
            f"no config file at {path}; see README 'Configuring models' for an example"
        ]
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return DEFAULTS, [f"{path}: {exc}; using defaults"]
    settings, problems = parse_settings(data, prefix=CONFIG_FILE_PREFIX)
    return settings, [f"{path.name}: {p}" for p in problems]
