"""What README.md and docs/*.md say about the interfaces is what they are:

- every ``acrouter SUBCOMMAND --flag`` the docs show is a subcommand and an option of
  ``acrouter.cli.build_parser()``, and the README's "Command line" synopsis names every
  option of every subcommand;
- every ``benchmarks/NAME.py --flag`` the docs show is a script of the repository that
  defines that option (itself or in a benchmark module it imports);
- every path of the repository's own code the docs cite exists;
- the README's settings table lists exactly the settings of the extension's package.json,
  with its defaults, and marks those the command line's config.toml does not read.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest
from acrouter.cli import build_parser
from acrouter.config import FIELDS

ROOT = Path(__file__).resolve().parents[2]
DOCS = ("README.md", *sorted(f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md")))
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def _code(markdown: str) -> list[str]:
    """The code of a markdown text: each line of a fenced block (a line ending in a
    backslash joined with the next) and each inline code span (one may wrap a line)."""
    chunks: list[str] = []
    prose: list[str] = []
    fence, pending = "", ""
    for line in markdown.splitlines():
        opener = re.match(r" {0,3}(`{3,}|~{3,})", line)
        if fence:
            if opener and opener.group(1).startswith(fence) and not line.strip(" `~"):
                fence = ""
                continue
            if line.rstrip().endswith("\\"):
                pending += line.rstrip()[:-1] + " "
                continue
            chunks.append(pending + line)
            pending = ""
        elif opener:
            fence = opener.group(1)
            prose.append("")  # a code span does not run across a fenced block
        else:
            prose.append(line)
    return chunks + _spans("\n".join(prose))


def _spans(text: str) -> list[str]:
    """Inline code spans as CommonMark reads them: a run of N backticks up to the next
    run of exactly N (```` ``` ```` is a span holding three backticks)."""
    spans, at = [], 0
    while (m := re.compile(r"`+").search(text, at)) is not None:
        close = re.compile(rf"(?<!`){m.group(0)}(?!`)").search(text, m.end())
        if close is None:
            at = m.end()  # a run nothing closes is literal text
            continue
        spans.append(text[m.end() : close.start()].replace("\n", " ").strip())
        at = close.end()
    return spans


def _docs_code() -> dict[str, list[str]]:
    return {doc: _code((ROOT / doc).read_text(encoding="utf-8")) for doc in DOCS}


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, set[str]]:
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return {
        name: {o for a in sub._actions for o in a.option_strings if o.startswith("--")}
        for name, sub in action.choices.items()
    }


def _commands(chunk: str) -> list[tuple[str, str]]:
    """(subcommand, the rest of its command) for each ``acrouter WORD`` in a chunk of code.
    The command ends at a shell separator or a comment; in ``memory show | export``
    a ``|`` before a memory action separates alternatives, not commands."""
    out = []
    for m in re.finditer(r"(?<![\w.-])acrouter ([a-z][a-z-]*)(?![\w.-])(.*)", chunk):
        rest = re.split(r"\s#|;|&|\s\|(?!\s*(?:show|export|reset)\b)|\$\(", m.group(2))[0]
        out.append((m.group(1), rest))
    return out


def _unknown_cli_words(parser: argparse.ArgumentParser) -> list[str]:
    subs = _subparsers(parser)
    wrong = []
    for doc, chunks in _docs_code().items():
        for chunk in chunks:
            for sub, rest in _commands(chunk):
                if sub not in subs:
                    wrong.append(f"{doc}: no subcommand 'acrouter {sub}': {chunk.strip()}")
                    continue
                wrong += [
                    f"{doc}: 'acrouter {sub}' has no option {flag}: {chunk.strip()}"
                    for flag in FLAG.findall(rest)
                    if flag not in subs[sub]
                ]
    return wrong


def test_every_acrouter_command_in_the_docs_exists() -> None:
    found = [c for chunks in _docs_code().values() for chunk in chunks for c in _commands(chunk)]
    assert ("verify", " --no-cache") in found  # the extraction still finds what it should
    assert _unknown_cli_words(build_parser()) == []


def test_a_flag_the_parser_lost_is_caught() -> None:
    """The check above, against a parser whose ``verify`` lost ``--allow-removal``."""
    parser = build_parser()
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    verify = action.choices["verify"]
    (removal,) = [a for a in verify._actions if "--allow-removal" in a.option_strings]
    verify._remove_action(removal)
    assert any(
        "'acrouter verify' has no option --allow-removal" in w for w in _unknown_cli_words(parser)
    )


def _synopsis() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Command line\n", 1)[1]
    return re.search(r"```sh\n(.*?)```", section, re.DOTALL).group(1)  # type: ignore[union-attr]


def test_the_command_line_synopsis_names_every_option() -> None:
    named: dict[str, set[str]] = {}
    for chunk in _code(f"```sh\n{_synopsis()}```"):
        for sub, rest in _commands(chunk):
            named.setdefault(sub, set()).update(FLAG.findall(rest))
    options = {sub: flags - {"--help"} for sub, flags in _subparsers(build_parser()).items()}
    assert named == options


def _scripts_source(name: str, seen: set[str]) -> str:
    """A benchmark script's source and that of the benchmark modules it imports."""
    path = ROOT / "benchmarks" / f"{name}.py"
    if name in seen or not path.is_file():
        return ""
    seen.add(name)
    text = path.read_text(encoding="utf-8")
    for module in re.findall(r"^(?:from|import) (\w+)", text, re.MULTILINE):
        text += _scripts_source(module, seen)
    return text


def _benchmark_mismatches(docs: dict[str, list[str]]) -> list[str]:
    wrong = []
    for doc, chunks in docs.items():
        for chunk in chunks:
            for m in re.finditer(r"benchmarks/(\w+)\.py(.*)", chunk):
                source = _scripts_source(m.group(1), set())
                if not source:
                    wrong.append(f"{doc}: no script benchmarks/{m.group(1)}.py")
                    continue
                rest = re.split(r"\s#|;|&|\||\$\(", m.group(2))[0]
                wrong += [
                    f"{doc}: benchmarks/{m.group(1)}.py has no option {flag}"
                    for flag in FLAG.findall(rest)
                    if f'"{flag}"' not in source and f"'{flag}'" not in source
                ]
    return wrong


def test_every_benchmark_command_in_the_docs_exists() -> None:
    docs = _docs_code()
    assert any("benchmarks/verify_trust.py --work" in c for c in docs["docs/verification.md"])
    assert _benchmark_mismatches(docs) == []


@pytest.mark.parametrize(
    ("line", "wrong"),
    [
        ("`.venv/bin/python benchmarks/verify_trust.py --wrok DIR`", "has no option --wrok"),
        ("`.venv/bin/python benchmarks/verify_trusts.py`", "no script"),
    ],
)
def test_a_wrong_benchmark_command_is_caught(line: str, wrong: str) -> None:
    (found,) = _benchmark_mismatches({"x.md": _code(line)})
    assert wrong in found


#: Paths of the repository's own code: a change that renames or moves one must update
#: the docs.  (tests/test_calc.py and the like are a user's project, not ours.)
REPO_PATH = re.compile(
    r"(?<![\w/.:~-])((?:server|benchmarks|\.ci|tests/(?:unit|policy|bench|cli|lsp|gateway|"
    r"verifier|stress|fixtures|fakes|ui))/[\w./@-]*\w)"
)


def _missing_paths(text: str) -> list[str]:
    return sorted({p for p in REPO_PATH.findall(text) if not (ROOT / p).exists()})


def test_every_path_of_the_repository_the_docs_cite_exists() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "tests/fakes/openai_server.py" in REPO_PATH.findall(readme)
    missing = {doc: _missing_paths((ROOT / doc).read_text(encoding="utf-8")) for doc in DOCS}
    assert missing == {doc: [] for doc in DOCS}
    assert _missing_paths("see `tests/verifier/test_no_such_thing.py`") == [
        "tests/verifier/test_no_such_thing.py"
    ]


def _package_settings() -> dict[str, object]:
    package = json.loads((ROOT / "vscode-client" / "package.json").read_text(encoding="utf-8"))
    props = package["contributes"]["configuration"]["properties"]
    return {key: spec["default"] for key, spec in props.items()}


def _section(readme: str, title: str) -> str:
    """The text under a ``## title`` or ``### title`` heading, up to the next heading."""
    return re.split(rf"\n#{{2,3}} {title}\n", readme, maxsplit=1)[1].split("\n#", 1)[0]


def _settings_table(readme: str) -> dict[str, tuple[object, str]]:
    """The Settings section's rows: setting -> (default, description)."""
    section = _section(readme, "Settings")
    rows = {}
    for m in re.finditer(
        r"^\| `(acrouter\.[\w.]+)` \| `([^`]*)` \| (.*) \|$", section, re.MULTILINE
    ):
        rows[m.group(1)] = (json.loads(m.group(2)), m.group(3))
    return rows


def _settings_mismatches(readme: str, editor_only_marked: bool = True) -> list[str]:
    """How the README's settings table differs from package.json; with
    ``editor_only_marked`` (the repository's README, which also documents config.toml),
    also a setting config.toml does not read that is not marked *Editor only*, or the
    reverse."""
    table, package = _settings_table(readme), _package_settings()
    wrong = [f"{key}: in package.json, not in the README" for key in package.keys() - table.keys()]
    wrong += [f"{key}: in the README, not in package.json" for key in table.keys() - package.keys()]
    for key in table.keys() & package.keys():
        default, description = table[key]
        if default != package[key]:
            wrong.append(
                f"{key}: default {default!r} in the README, {package[key]!r} in package.json"
            )
        read = key.removeprefix("acrouter.") in FIELDS  # by config.toml and the server
        marked = description.startswith("*Editor only.*")
        if editor_only_marked and read == marked:
            wrong.append(
                f"{key}: the README {'marks' if marked else 'does not mark'} it *Editor only*, "
                f"and config.toml {'reads' if read else 'does not read'} it"
            )
    return wrong


def test_the_settings_table_is_package_json() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(_settings_table(readme)) >= 10  # the parser still reads the table
    assert _settings_mismatches(readme) == []
    # the extension's own README (shown on its page in VS Code) lists them too
    extension = (ROOT / "vscode-client" / "README.md").read_text(encoding="utf-8")
    assert _settings_mismatches(extension, editor_only_marked=False) == []
    # the server reads no setting the extension does not declare
    assert {f"acrouter.{key}" for key in FIELDS} <= _package_settings().keys()


@pytest.mark.parametrize(
    ("edit", "wrong"),
    [
        (("| `acrouter.maxAttempts` | `3` |", "| `acrouter.maxAttempts` | `4` |"), "default 4"),
        (("| `acrouter.contextTokens` |", "| `acrouter.contextTokenz` |"), "contextTokenz"),
        (
            (
                '| `acrouter.pythonPath` | `""` | *Editor only.* ',
                '| `acrouter.pythonPath` | `""` | ',
            ),
            "pythonPath",
        ),
    ],
)
def test_a_wrong_settings_table_is_caught(edit: tuple[str, str], wrong: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert edit[0] in readme
    found = _settings_mismatches(readme.replace(edit[0], edit[1], 1))
    assert found and any(wrong in w for w in found)


MAKE = re.compile(r"^make(?: [A-Z]+=(?:<[^>]*>|\S+))* ([a-z][\w-]*)")


def _missing_make_targets(docs: dict[str, list[str]], makefile: str) -> list[str]:
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, re.MULTILINE))
    return [
        f"{doc}: no target '{m.group(1)}' in the Makefile: {chunk}"
        for doc, chunks in docs.items()
        for chunk in chunks
        if (m := MAKE.match(chunk.strip())) and m.group(1) not in targets
    ]


def test_every_make_target_the_docs_name_exists() -> None:
    docs = _docs_code()
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert any(MAKE.match(c) for c in docs["README.md"] if c.startswith("make PY="))
    assert _missing_make_targets(docs, makefile) == []
    broken = makefile.replace("\ntest-ui:", "\ntest-browser:")
    assert [w.split(":")[1] for w in _missing_make_targets(docs, broken)] == [
        " no target 'test-ui' in the Makefile"
    ] * 2


def _palette_commands(package: dict) -> set[str]:
    """The commands a user finds in the Command Palette: 'Category: Title', all but those
    package.json hides there (``"when": "false"``)."""
    hidden = {
        m["command"]
        for m in package["contributes"]["menus"].get("commandPalette", [])
        if m.get("when") == "false"
    }
    return {
        f"{c['category']}: {c['title']}"
        for c in package["contributes"]["commands"]
        if c["command"] not in hidden
    }


def _commands_table(readme: str) -> set[str]:
    section = _section(readme, "Commands")
    return set(re.findall(r"^\| (ACRouter: [^|]+?) \|", section, re.MULTILINE))


def test_the_commands_table_is_the_command_palette() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    package = json.loads((ROOT / "vscode-client" / "package.json").read_text(encoding="utf-8"))
    assert "ACRouter: Route and Complete" in _commands_table(readme)
    assert _commands_table(readme) == _palette_commands(package)
    extension = (ROOT / "vscode-client" / "README.md").read_text(encoding="utf-8")
    assert _commands_table(extension) == _palette_commands(package)
    package["contributes"]["commands"][0]["title"] += " Again"  # a renamed command is seen
    assert _commands_table(readme) != _palette_commands(package)


def test_the_readme_names_every_credential_path_the_sandbox_hides() -> None:
    """What the sandbox hides in the home (``environment.HIDDEN_HOME_*``) is what the
    README's sandbox section tells a user the code under test cannot read."""
    from acrouter.verifier.environment import HIDDEN_HOME_DIRS, HIDDEN_HOME_FILES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = set(_code(readme))
    missing = [p for p in (*HIDDEN_HOME_DIRS, *HIDDEN_HOME_FILES) if f"~/{p}" not in code]
    assert not missing, f"hidden in the sandbox but not named in README.md: {missing}"
