"""``verify_trust``'s edits of a Ruby project (minitest): Debian's builder in
``real_projects``.

Methods are found by line patterns: a ``def`` at any indentation, its body closing at
the first later ``end`` at the same indentation (a one-line ``def ...; end`` is none).
The edits: a comment (a control), a body changed without changing what it does (a
control: ``return`` put before the method's last line where that is a plain expression),
the method the tests name most made to raise at its first line, a method no test names
made to raise (a pass is right only when not counted: no test ran it), and dropped (the
guard against dropped code must refuse it), a method no test reaches (:data:`UNREACHED`, known per project: builder's ``String#to_xs``, which only a
Ruby without ``String#encode`` calls) made to return the wrong thing (likewise), the
file cut in half, ``exit 0`` at the top of the edited file, a test file's tests deleted,
a test file writing outside the workspace and a path outside the workspace."""

from __future__ import annotations

import re
from pathlib import Path

import attrs
from real_projects import Project
from trust_edits import ESCAPED, Trial, _globbed

RAISE = '::Kernel.raise "broken by verify_trust"'
#: per project: a file and the method in it no test reaches, and a wrong body line for it
#: (what the line was, what it becomes)
UNREACHED = {
    "ruby-builder": (
        "lib/builder/xchar.rb",
        "to_xs",
        "unpack('U*').map {|n| n.xchr(escape)}.join",
        "unpack('U*').map {|n| n.xchr(!escape)}.join",
    )
}


@attrs.frozen
class Method:
    name: str
    head: int  # the ``def`` line (0-based)
    end: int  # its ``end`` line (0-based)
    indent: str


def methods(text: str) -> list[Method]:
    """The methods of a Ruby file with a body of their own lines."""
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        m = re.match(r"(\s*)def\s+(?:self\.)?([\w]+[!?=]?)", line)
        if not m or re.search(r"\bend\s*$", line):
            continue
        indent = m.group(1)
        end = next(
            (k for k in range(i + 1, len(lines)) if re.match(rf"{indent}end\b", lines[k])), None
        )
        if end is not None and end > i + 1:
            out.append(Method(m.group(2), i, end, indent))
    return out


def _named(name: str, text: str) -> int:
    return len(re.findall(rf"(?<![\w]){re.escape(name)}(?![\w])", text))


def _raising(text: str, method: Method) -> str:
    lines = text.split("\n")
    lines.insert(method.head + 1, f"{method.indent}  {RAISE}")
    return "\n".join(lines)


def _dropped(text: str, method: Method) -> str:
    """``text`` without ``method``'s lines, from its ``def`` to its ``end``."""
    lines = text.split("\n")
    return "\n".join(lines[: method.head] + lines[method.end + 1 :])


def ruby_trials(project: Project, root: Path, work: Path) -> list[Trial]:
    """The edits tried on a Ruby ``project`` set up in ``root``."""
    rel = project.edit_file
    text = (root / rel).read_text(encoding="utf-8")
    test_files = _globbed(root, project.tests)
    tests = "\n".join(p.read_text(encoding="utf-8") for p in test_files)
    found = methods(text)
    public = [m for m in found if not m.name.startswith("_") and m.name != "initialize"]
    tested = max(public, key=lambda m: (_named(m.name, tests), -m.head))
    untested = [m for m in found if _named(m.name, tests) == 0]
    trials = [
        Trial("comment", {rel: text + "\n# a harmless comment\n"}, may_pass=True),
        Trial("break covered", {rel: _raising(text, tested)}, note=f"{tested.name} raises"),
    ]
    if untested:
        quiet = untested[-1]
        trials += [
            Trial(
                "break a method no test names",
                {rel: _raising(text, quiet)},
                note=f"{quiet.name} raises",
                uncounted=True,
            ),
            # a pure deletion leaves no changed line to measure: the guard must refuse it
            Trial("drop a method no test names", {rel: _dropped(text, quiet)}, note=quiet.name),
        ]
    if project.name in UNREACHED:
        other, name, line, wrong = UNREACHED[project.name]
        source = (root / other).read_text(encoding="utf-8")
        if source.count(line) == 1:
            trials.append(
                Trial(
                    "break a method no test reaches",
                    {other: source.replace(line, wrong)},
                    note=f"{other}: {name}",
                    uncounted=True,
                )
            )
    largest = max(test_files, key=lambda p: len(re.findall(r"\bdef test_", p.read_text())))
    test_rel = largest.relative_to(root).as_posix()
    test_text = largest.read_text(encoding="utf-8")
    no_tests = re.sub(r"(?m)^(\s*)def test_", r"\1def _gone_", test_text)
    targets = [str(work / ESCAPED), str(root.parent / ESCAPED)]
    writes = "".join(f'File.write("{t}", "written by a model\'s edit\\n")\n' for t in targets)
    escaping = f"{writes}require_relative {Path(test_rel).stem!r}\n"
    trials += [
        Trial("truncate", {rel: text[: len(text) // 2]}),
        Trial("exit 0 at the top of the code", {rel: "exit 0\n" + text}),
        Trial("delete a test file's tests", {test_rel: no_tests}, note=test_rel),
        Trial(
            "a test file writing outside the workspace",
            {f"{Path(test_rel).parent.as_posix()}/test_acr_escape.rb": escaping},
        ),
        Trial("edited path outside the workspace", {f"../{ESCAPED}.rb": "x = 1\n"}),
    ]
    return trials
