"""An edit of a JSON, TOML or YAML file that drops a key or a list's item nobody asked to
remove is refused, as a dropped function is: configuration is code no test reaches.

Before, the guard read no data file: an edit of ``pyproject.toml`` asked to add a
dependency, which also dropped ``[tool.ruff]``, was verified by ``acrouter verify`` on a
pytest project ("pass: 1 passed, 0 failed": pytest reads the file, and nothing in it
tells ruff's settings are gone).  A key moved, a value changed, a version bumped, the
file reformatted, and what the instruction names beside a removal word are no loss;
a file that read before and no longer reads is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from acrouter.datadefinitions import MAX_PATHS, data_format, data_paths, item_name
from acrouter.definitions import dropped_definitions, guard
from acrouter.domain import Edit
from acrouter.errors import ParseError
from acrouter.verifier.cli import verify_edit

from .helpers import OVERLAY_AND_NONE, PYTEST, verifier, write_tree

PYPROJECT = """\
[project]
name = "shapes"
version = "0.1.0"
dependencies = [
    "attrs>=23",
    "numpy>=1.26; python_version >= '3.10'",
]

[project.optional-dependencies]
dev = ["pytest>=8", "ruff"]

[tool.pytest.ini_options]
pythonpath = ["."]

[tool.ruff]
line-length = 100
select = ["E", "F", "B"]

[tool.mypy]
strict = true
"""

PACKAGE = """\
{
  "name": "shapes",
  "version": "1.0.0",
  "scripts": {
    "test": "jest",
    "lint": "eslint src",
    "build": "tsc -p ."
  },
  "dependencies": {
    "lodash": "^4.17.21"
  }
}
"""

TSCONFIG = """\
{
  // the compiler's settings
  "compilerOptions": {
    "strict": true,
    "target": "es2022", /* modern runtimes only */
    "outDir": "dist",
  },
  "include": ["src"],
}
"""

WORKFLOW = """\
name: ci
on:
  push:
    branches: [main]
  pull_request:
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: lint
        run: make lint
      - name: test
        run: make test
"""

TEMPLATE = """\
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${AWS::StackName}-data"
      Tags:
        - Key: team
          Value: !Ref Team
---
extra: document
"""


SETUP_CFG = """\
[metadata]
name = shapes

[options]
install_requires =
    attrs>=23
    numpy

[flake8]
max-line-length = 100
"""

REQUIREMENTS = """\
# what the service runs
-r base.txt
attrs==23.1.0 \\
    --hash=sha256:1f28b4522cdc2fb4256ac1a020c78acf9cba2c6b4a9b1fb0b4f4d2a1f5e0c2b1
numpy>=1.26  # arrays
"""

MAKEFILE = """\
PY ?= python3
VENV := .venv

.PHONY: test lint docs

test: $(VENV)
\t$(VENV)/bin/pytest -q

lint:
\t$(VENV)/bin/ruff check .

docs: lint
\t$(VENV)/bin/mkdocs build
"""

GITIGNORE = """\
# secrets
.env
*.pem

__pycache__/
.venv/
"""

DOTENV = """\
DATABASE_URL=postgres://localhost/shapes
export SECRET_KEY=dev-only
DEBUG=1
"""


@pytest.mark.parametrize(
    ("path", "old", "before", "after", "lost"),
    [
        (
            "pyproject.toml",
            PYPROJECT,
            '[tool.ruff]\nline-length = 100\nselect = ["E", "F", "B"]\n\n',
            "",
            ["tool.ruff"],
        ),
        ("pyproject.toml", PYPROJECT, "line-length = 100\n", "", ["tool.ruff.line-length"]),
        ("pyproject.toml", PYPROJECT, '    "attrs>=23",\n', "", ["attrs in project.dependencies"]),
        ("pyproject.toml", PYPROJECT, ', "B"]', "]", ["B in tool.ruff.select"]),
        ("package.json", PACKAGE, '    "lint": "eslint src",\n', "", ["scripts.lint"]),
        ("tsconfig.json", TSCONFIG, '    "strict": true,\n', "", ["compilerOptions.strict"]),
        (
            ".github/workflows/ci.yml",
            WORKFLOW,
            "      - name: lint\n        run: make lint\n",
            "",
            ["an item of jobs.test.steps"],
        ),
        (".github/workflows/ci.yml", WORKFLOW, "  pull_request:\n", "", ["on.pull_request"]),
        (
            "template.yaml",
            TEMPLATE,
            "      Tags:\n",
            "      Labels:\n",
            ["Resources.Bucket.Properties.Tags"],
        ),
        ("setup.cfg", SETUP_CFG, "    numpy\n", "", ["numpy in options.install_requires"]),
        ("setup.cfg", SETUP_CFG, "[flake8]\nmax-line-length = 100\n", "", ["flake8"]),
        ("requirements.txt", REQUIREMENTS, "-r base.txt\n", "", ["-r=base.txt"]),
        ("requirements/prod.txt", REQUIREMENTS, "numpy>=1.26  # arrays\n", "", ["numpy"]),
        (".env.example", DOTENV, "export SECRET_KEY=dev-only\n", "", ["SECRET_KEY"]),
        ("Makefile", MAKEFILE, "lint:\n\t$(VENV)/bin/ruff check .\n\n", "", ["lint"]),
        ("Makefile", MAKEFILE, "PY ?= python3\n", "", ["PY"]),
        (".gitignore", GITIGNORE, ".env\n", "", [".env"]),
    ],
    ids=[
        "toml-table",
        "toml-key",
        "toml-requirement",
        "toml-string-item",
        "json-script",
        "jsonc-option",
        "yaml-step",
        "yaml-trigger",
        "yaml-tags",
        "ini-requirement",
        "ini-section",
        "requirements-include",
        "requirements-project",
        "dotenv-variable",
        "make-target",
        "make-variable",
        "gitignore-line",
    ],
)
def test_a_key_or_item_gone_is_lost_unless_asked_for(
    path: str, old: str, before: str, after: str, lost: list[str]
) -> None:
    assert old.count(before) == 1
    edited = old.replace(before, after)
    assert dropped_definitions(old, edited, path) == lost
    name = lost[0].split()[0].split(".")[-1]
    if lost[0].startswith("an item of "):
        name = lost[0].split(".")[-1].removesuffix("s")  # (the list's key: "the lint step")
    if lost[0].startswith("-r="):
        name = "-r base.txt"  # (as a user writes pip's option)
    assert dropped_definitions(old, edited, path, instruction=f"Remove the {name} one") == []
    assert dropped_definitions(old, edited, path, instruction=f"Rename {name}") == []
    # naming it without a removal word does not ask for it
    assert dropped_definitions(old, edited, path, instruction=f"Document {name}") == lost
    # a selection of the lines it was on lets it go
    first = old[: old.index(before)].count("\n")
    last = first + max(0, before.count("\n") - 1)
    assert dropped_definitions(old, edited, path, exempt_lines=(first, last)) == []


def test_a_key_moved_a_value_changed_a_version_bumped_or_reformatted_is_no_loss() -> None:
    same_toml = [
        PYPROJECT.replace('"attrs>=23"', '"attrs>=24.2"'),  # a new version
        PYPROJECT.replace('"attrs>=23",\n', '"attrs>=23",\n    "httpx>=0.27",\n'),  # one more
        PYPROJECT.replace("line-length = 100", "line-length = 88"),
        # ruff's own move of its rules under lint
        PYPROJECT.replace(
            'select = ["E", "F", "B"]\n', '\n[tool.ruff.lint]\nselect = ["E", "F", "B"]\n'
        ),
        PYPROJECT.replace('dev = ["pytest>=8", "ruff"]', 'dev = ["ruff", "pytest>=8.3"]'),
        # (pytest moved from the dev extra into the dependencies)
        PYPROJECT.replace('"pytest>=8", ', "").replace(
            '"attrs>=23",', '"attrs>=23",\n    "pytest",'
        ),
    ]
    for edited in same_toml:
        assert edited != PYPROJECT
        assert dropped_definitions(PYPROJECT, edited, "pyproject.toml") == [], edited
    reformatted = json.dumps(json.loads(PACKAGE), indent=4, sort_keys=True)
    assert dropped_definitions(PACKAGE, reformatted, "package.json") == []
    # comments and trailing commas dropped: the same settings
    plain = json.dumps(
        {
            "compilerOptions": {"outDir": "dist", "strict": True, "target": "es2022"},
            "include": ["src"],
        }
    )
    assert dropped_definitions(TSCONFIG, plain, "tsconfig.json") == []
    same_other = [
        ("setup.cfg", SETUP_CFG, SETUP_CFG.replace("attrs>=23", "attrs>=24")),
        ("setup.cfg", SETUP_CFG, SETUP_CFG.replace("max-line-length = 100", "max-line-length: 88")),
        ("requirements.txt", REQUIREMENTS, REQUIREMENTS.replace("numpy>=1.26", "numpy==2.1.3")),
        # (pip-compile's layout: the hash on its own line, the comment gone)
        ("requirements.txt", REQUIREMENTS, REQUIREMENTS.replace("  # arrays", "")),
        (".env", DOTENV, DOTENV.replace("DEBUG=1", "DEBUG=0\nLOG_LEVEL=info")),
        ("Makefile", MAKEFILE, MAKEFILE.replace("docs: lint", "docs: lint test")),
        # (a recipe changed, the .PHONY line split: targets and variables stay)
        ("Makefile", MAKEFILE, MAKEFILE.replace("pytest -q", "pytest -q -x")),
        (".gitignore", GITIGNORE, GITIGNORE.replace("# secrets\n", "") + "dist/\n"),
        (".gitignore", GITIGNORE, ".venv/\n" + GITIGNORE.replace(".venv/\n", "")),
        (
            "Makefile",
            MAKEFILE,
            MAKEFILE.replace(".PHONY: test lint docs", ".PHONY: test\n.PHONY: lint docs"),
        ),
    ]
    for path, old, edited in same_other:
        assert edited != old
        assert dropped_definitions(old, edited, path) == [], edited
    step = WORKFLOW.replace("run: make test", "run: make test PYTEST_WORKERS=2")
    flow = WORKFLOW.replace("branches: [main]", "branches:\n      - main\n      - release")
    for edited in (step, flow, WORKFLOW.replace('"3.12"', '"3.13"')):
        assert dropped_definitions(WORKFLOW, edited, "ci.yml") == [], edited


def test_a_file_that_no_longer_reads_is_refused() -> None:
    cases = [
        ("pyproject.toml", PYPROJECT, PYPROJECT.replace("[tool.mypy]", "[tool.mypy"), "TOML"),
        ("package.json", PACKAGE, PACKAGE.replace('"lint"', "lint"), "JSON (line 6:"),
        ("ci.yml", WORKFLOW, WORKFLOW.replace("branches: [main]", "branches: [main"), "YAML (line"),
        # (a file with comments: the error is the one after them, not the first comment)
        (
            "tsconfig.json",
            TSCONFIG,
            TSCONFIG.replace('"outDir": "dist"', '"outDir" "dist"'),
            "JSON (line 6:",
        ),
    ]
    for path, old, new, said in cases:
        with pytest.raises(ParseError, match="unreadable as") as caught:
            guard({path: old}, {path: new}, language_of=lambda _r: None, instruction="")
        assert f"leaves {path} unreadable as {said}" in str(caught.value), caught.value
    # a file that did not read before is not judged by it
    broken = "[tool.ruff\n"
    guard({"a.toml": broken}, {"a.toml": "x = 1\n"}, language_of=lambda _r: None, instruction="")


@pytest.mark.parametrize(
    "instruction",
    [
        "Use ruff instead of flake8",
        "Migrate the flake8 settings to ruff",
        "Switch from flake8 to ruff",
        "Convert the flake8 config to ruff's",
        "Disable flake8",
    ],
)
def test_a_tool_replaced_by_another_may_take_its_settings(instruction: str) -> None:
    """What the instruction replaces, migrates from, switches from, converts or disables
    and names may go, as what it removes may."""
    ruff = SETUP_CFG.replace("[flake8]\nmax-line-length = 100\n", "")
    assert dropped_definitions(SETUP_CFG, ruff, "setup.cfg") == ["flake8"]
    assert dropped_definitions(SETUP_CFG, ruff, "setup.cfg", instruction=instruction) == []
    # (the words let only what is named go)
    numpy = ruff.replace("    numpy\n", "")
    assert dropped_definitions(SETUP_CFG, numpy, "setup.cfg", instruction=instruction) == [
        "numpy in options.install_requires"
    ]


def test_a_key_moved_to_another_file_of_the_edit_is_no_loss() -> None:
    jest = '{\n  "testEnvironment": "node"\n}\n'
    package = PACKAGE.replace(
        '"version": "1.0.0",', '"version": "1.0.0",\n  "jest": {"testEnvironment": "node"},'
    )
    moved = PACKAGE
    guard(
        {"package.json": package, "jest.config.json": ""},
        {"package.json": moved, "jest.config.json": jest},
        language_of=lambda _r: None,
        instruction="Put jest's settings in their own file",
    )
    with pytest.raises(ParseError, match=r"key\(s\) or list item\(s\) of package.json.*: jest$"):
        guard(
            {"package.json": package},
            {"package.json": moved},
            language_of=lambda _r: None,
            instruction="Put jest's settings in their own file",
        )


def test_formats_by_suffix_name_or_language_and_what_items_name() -> None:
    """(Names are compared as PEP 503 compares projects: ``Typing_Extensions`` is
    ``typing-extensions``.)"""
    others = ("setup.cfg", "tox.ini", ".flake8", ".env", ".env.local", "requirements-dev.txt")
    assert [data_format(p) for p in others] == ["ini", "ini", "ini", "env", "env", "requirements"]
    assert [data_format(p) for p in ("Makefile", "site/makefile", "rules.mk")] == ["make"] * 3
    lists = (".gitignore", "web/.dockerignore", ".github/CODEOWNERS", "MANIFEST.in")
    assert [data_format(p) for p in lists] == ["lines"] * 4
    assert data_format("requirements/base.txt") == "requirements"
    assert data_format("notes.txt") is None
    assert [data_format(p) for p in ("a.json", "b.jsonc", "c.toml", "d.yml", "e.YAML")] == [
        "json",
        "json",
        "toml",
        "yaml",
        "yaml",
    ]
    assert data_format(".eslintrc") == "json" and data_format("Dockerfile") is None
    assert data_format("settings", "jsonc") == "json" and data_format("x.py", None) is None
    names = {
        "attrs>=23": "attrs",
        "requests[socks] >= 2.31": "requests",
        "typing_extensions; python_version < '3.11'": "typing_extensions",
        "@types/node": "@types/node",
        "lodash@^4": "lodash",
        "E501": "E501",
        "--fix": "--fix",
        "src/**/*.ts": "src/**/*.ts",
        "3.12": None,  # (a version: a value)
        "Fix the bug in add": None,  # (prose: an item, counted only)
    }
    assert {v: item_name(v) for v in names} == names


@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_acrouter_verify_refuses_the_dropped_table_before_pytest_passes_it(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    shapes = "def area(w, h):\n    return w * h\n"
    test = "from shapes import area\n\n\ndef test_area():\n    assert area(2, 3) == 6\n"
    files = {"pyproject.toml": PYPROJECT, "shapes.py": shapes, "tests/test_shapes.py": test}
    root = write_tree(tmp_path / "ws", files)
    ver = verifier(cache_dir=tmp_path / "cache", **mode)
    added = PYPROJECT.replace('"attrs>=23",\n', '"attrs>=23",\n    "httpx>=0.27",\n')
    edit = Edit(
        files={
            "pyproject.toml": added.replace(
                '[tool.ruff]\nline-length = 100\nselect = ["E", "F", "B"]\n\n', ""
            )
        }
    )
    v = verify_edit(ver, str(root), edit, PYTEST)
    assert v.verdict == "error" and not v.counted, v.detail
    assert "of pyproject.toml that the instruction did not ask to remove: tool.ruff" in v.detail
    # the tests cannot tell: with the removal allowed they run, and pass
    allowed = verify_edit(ver, str(root), edit, PYTEST, allow_removal=True)
    assert allowed.verdict == "pass", allowed.detail
    kept = verify_edit(ver, str(root), Edit(files={"pyproject.toml": added}), PYTEST)
    assert kept.verdict == "pass", kept.detail


def test_yaml_aliases_without_end_are_not_compared() -> None:
    """Nested aliases ("billion laughs": 10 x 9^8 paths from 9 short lines) stop the
    reading at ``MAX_PATHS``: the file is left uncompared rather than the server hung."""
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(8):
        prev, name = chr(97 + i), chr(98 + i)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    bomb = "\n".join(lines) + "\n"
    assert data_paths(bomb, "yaml") is None
    assert dropped_definitions(bomb, "a: 1\n", "x.yml") == []
    # (a text of many paths below the bound is read: 60,000 keys)
    many = json.dumps({f"k{i}": {"a": 1, "b": 2} for i in range(20_000)})
    counted = data_paths(many, "json")
    assert counted is not None and counted.total() == 60_000 < MAX_PATHS


COMPOSE = """\
x-defaults: &defaults
  image: python:3.12
  restart: always
services:
  web:
    <<: *defaults
    command: serve
  worker:
    <<: *defaults
    command: work
"""


def test_yaml_merge_keys_are_read_as_merged() -> None:
    """An anchor inlined is the same file to whatever reads it; a merge taken away
    loses what it brought."""
    inlined = COMPOSE.replace(
        "  web:\n    <<: *defaults\n", "  web:\n    image: python:3.12\n    restart: always\n"
    )
    assert dropped_definitions(COMPOSE, inlined, "compose.yml") == []
    unmerged = COMPOSE.replace("  worker:\n    <<: *defaults\n", "  worker:\n")
    assert dropped_definitions(COMPOSE, unmerged, "compose.yml") == [
        "services.worker.image",
        "services.worker.restart",
    ]


def test_a_value_gone_from_a_list_is_named_and_may_be_asked_for() -> None:
    """An item counted only (a version, a number) is named by its value when it goes, so
    "Drop Python 3.10" may take it; another value for it is no loss."""
    matrix = 'jobs:\n  test:\n    strategy:\n      matrix:\n        python: ["3.10", "3.11"]\n'
    dropped = matrix.replace('"3.10", ', "")
    assert dropped_definitions(matrix, dropped, "ci.yml") == [
        "3.10 in jobs.test.strategy.matrix.python"
    ]
    assert dropped_definitions(matrix, dropped, "ci.yml", instruction="Drop Python 3.10") == []
    assert dropped_definitions(matrix, matrix.replace("3.10", "3.13"), "ci.yml") == []
    ports = '{"ports": [8080, 9090], "hosts": [{"name": "a"}, {"name": "b"}]}'
    fewer = '{"ports": [8080], "hosts": [{"name": "a"}]}'
    assert dropped_definitions(ports, fewer, "a.json") == ["9090 in ports", "an item of hosts"]


def test_a_key_of_a_data_file_is_no_move_of_a_function() -> None:
    """Moves are counted between data files, and between code files: a script named
    ``build`` added to package.json does not stand for a function ``build`` deleted
    from a module by the same edit."""
    js_old = "function build() {\n  return 1;\n}\nfunction test() {\n  return 2;\n}\n"
    js_new = "function test() {\n  return 2;\n}\n"
    olds = {"a.js": js_old, "package.json": '{"scripts": {"test": "jest"}}'}
    news = {"a.js": js_new, "package.json": '{"scripts": {"test": "jest", "build": "tsc"}}'}
    with pytest.raises(
        ParseError, match=r"of a\.js that the instruction did not ask to remove: build$"
    ):
        guard(olds, news, language_of=lambda _r: None, instruction="Add a build script")


def test_plain_json_made_loose_is_refused_where_its_readers_take_no_comments() -> None:
    """A trailing comma or a comment added to ``package.json`` breaks npm (and any test
    run that does not read the file passes); in ``tsconfig.json`` or VS Code's settings
    both are allowed."""
    pkg = '{\n  "name": "calc",\n  "scripts": {\n    "test": "jest"\n  }\n}\n'
    comma = pkg.replace('"jest"\n', '"jest",\n')
    comment = pkg.replace('"name": "calc",', '"name": "calc", // the package')
    for loose in (comma, comment):
        with pytest.raises(ParseError, match="plain JSON before: no comments, no trailing commas"):
            guard(
                {"package.json": pkg},
                {"package.json": loose},
                language_of=lambda _r: None,
                instruction="",
            )
        for path in ("tsconfig.json", "tsconfig.build.json", ".vscode/settings.json", "a.jsonc"):
            guard({path: pkg}, {path: loose}, language_of=lambda _r: None, instruction="")
    # a file that had comments may keep them
    guard(
        {"cfg.json": comment},
        {"cfg.json": comma.replace('"jest",', '"jest", // run')},
        language_of=lambda _r: None,
        instruction="",
    )
