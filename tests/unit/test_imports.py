"""The import graph of server/acrouter, read from the source (AST), not by importing it.

- every third-party module the package imports is declared in pyproject.toml (a plain
  ``pip install`` must be enough; the ``bench`` extra only for the chart);
- no import cycles between the package's modules;
- the bench imports the product, never the reverse.
"""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "server" / "acrouter"
#: modules that may import a dependency of an extra (and must do so lazily)
EXTRA_IMPORTERS = {"bench": {"acrouter.bench.chart"}}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path) -> list[tuple[str, int]]:
    """(absolute module name, line) of every import in the file, lazy ones included;
    ``from pkg import mod`` yields ``pkg.mod`` when that is a module of the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.append((target, node.lineno))
            found += [(f"{target}.{a.name}", node.lineno) for a in node.names]
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges = set()
        for target, _line in _imports(name, path):
            if target in modules and target != name:
                edges.add(target)
        graph[name] = edges
    return graph


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> tuple[set[str], dict[str, set[str]]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

    def names(reqs: list[str]) -> set[str]:
        return {_norm(re.match(r"\s*([A-Za-z0-9._-]+)", r).group(1)) for r in reqs}  # type: ignore[union-attr]

    extras = {k: names(v) for k, v in project.get("optional-dependencies", {}).items()}
    return names(project["dependencies"]), extras


def test_every_third_party_import_is_declared() -> None:
    runtime, extras = _declared()
    dists = packages_distributions()
    problems = []
    for name, path in _modules().items():
        for target, line in _imports(name, path):
            top = target.split(".")[0]
            if not top or top == "acrouter" or top in sys.stdlib_module_names or top == "tomli":
                continue  # tomli: the Python 3.10 fallback of tomllib, declared with a marker
            # not installed here (e.g. a platform marker): the import name as the distribution's
            owners = {_norm(d) for d in dists.get(top, [])} or {_norm(top)}
            if owners & runtime:
                continue
            allowed = {
                e
                for e, deps in extras.items()
                if owners & deps and name in EXTRA_IMPORTERS.get(e, ())
            }
            if not allowed:
                problems.append(
                    f"{name}:{line} imports {top} ({', '.join(sorted(owners))}), not declared"
                )
    assert not problems, "\n".join(problems)


def test_tomli_is_declared_for_python_3_10() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert any(
        r.startswith("tomli") and "python_version < '3.11'" in r for r in project["dependencies"]
    )


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _without_packages(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """A package's __init__ re-exporting its modules is not a cycle with them: drop the
    edges from an __init__ to its own submodules."""
    return {
        name: {t for t in edges if not t.startswith(name + ".")} for name, edges in graph.items()
    }


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles() -> None:
    assert _cycles(_without_packages(_graph())) == []


def test_no_cycles_between_stages() -> None:
    """Nor between the stages (acrouter.policy, acrouter.bench, acrouter.app, ...): a
    cycle through two packages is a cycle even when no two modules import each other."""

    def stage(module: str) -> str:
        return ".".join(module.split(".")[:2])

    stages: dict[str, set[str]] = {}
    for name, edges in _graph().items():
        stages.setdefault(stage(name), set()).update(
            stage(t) for t in edges if stage(t) != stage(name)
        )
    assert _cycles(stages) == []


def test_only_the_bench_imports_the_bench() -> None:
    """The bench imports the product, never the reverse.  The one exception is the
    command line (acrouter.cli), which dispatches ``acrouter bench`` to it."""
    offenders = []
    for name, path in _modules().items():
        if name == "acrouter.bench" or name.startswith("acrouter.bench.") or name == "acrouter.cli":
            continue
        for target, line in _imports(name, path):
            if target == "acrouter.bench" or target.startswith("acrouter.bench."):
                offenders.append(f"{name}:{line} imports {target}")
    assert offenders == []


def test_only_the_gateway_loader_imports_litellm() -> None:
    """litellm is imported lazily, in one place, after its environment defaults are set
    (``LITELLM_LOCAL_MODEL_COST_MAP=True``): ``acrouter.gateway.loader``."""
    importers = sorted(
        f"{name}:{line}"
        for name, path in _modules().items()
        for target, line in _imports(name, path)
        if target.split(".")[0] == "litellm"
    )
    assert [i.split(":")[0] for i in importers] == ["acrouter.gateway.loader"], importers
