"""``verify_trust``'s renames across JavaScript/TypeScript code and tests: the npm
projects' counterpart of ``rename_everywhere``.

The most tested function of the edited module (a ``function NAME(`` whose name the
tests name most often) is renamed ``NAME_renamed``: in the module every whole word (its
strings too: ``exports['sprintf']``, error messages), in the test files that name it the
names only (not strings, comments or template text), as an editor's rename does.  Two
trials: the rename (a control: the verifier's rename rule, ``verifier/jsrenames.py``,
should let it pass) and the same rename with the function broken (must fail).
"""

from __future__ import annotations

import re
from pathlib import Path

from acrouter.verifier.jsrenames import RESERVED
from real_projects import Project
from trust_edits import Trial, npm_test_files
from trust_mocha import break_js_function

_FUNCTION = re.compile(r"(?m)^[ \t]*(?:export\s+)?(?:async\s+)?function\s+([A-Za-z_$][\w$]*)\s*\(")
#: what a test file's names are not: strings, template literals, comments
_NOT_NAMES = (
    r"""'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`|//[^\n]*|/\*[\s\S]*?\*/"""
)


def _word(name: str) -> str:
    return rf"(?<![\w$]){re.escape(name)}(?![\w$])"


def most_tested_function(text: str, tests: str) -> str | None:
    """The function of ``text`` the tests name most often (None: none named)."""
    counts = {
        n: len(re.findall(_word(n), tests))
        for n in set(_FUNCTION.findall(text))
        if n not in RESERVED
    }
    named = {n: c for n, c in counts.items() if c}
    return max(named, key=lambda n: (named[n], n)) if named else None


def rename_names(text: str, old: str, new: str) -> str:
    """``text`` (a test file) with the name ``old`` replaced by ``new`` outside strings,
    template literals and comments."""
    pattern = re.compile(f"({_NOT_NAMES})|{_word(old)}")
    return pattern.sub(lambda m: m.group(1) or new, text)


def js_rename_trials(project: Project, root: Path, rel: str, text: str, tests: str) -> list[Trial]:
    """The rename and the rename of a broken function, for the module ``rel``."""
    name = most_tested_function(text, tests)
    if name is None:
        return []
    new = f"{name}_renamed"
    renamed_tests = {}
    for path in npm_test_files(root, project):
        test_text = path.read_text(encoding="utf-8")
        if re.search(_word(name), test_text):
            renamed_tests[path.relative_to(root).as_posix()] = rename_names(test_text, name, new)
    word = re.compile(_word(name))
    broken = break_js_function(text, name)
    instruction = f"Rename {name} to {new}"
    return [
        Trial(
            "rename the most tested function across code and tests",
            {rel: word.sub(new, text), **renamed_tests},
            may_pass=True,
            note=f"{name} -> {new}",
            instruction=instruction,
        ),
        Trial(
            "break + a rename across code and tests",
            {rel: word.sub(new, broken), **renamed_tests},
            note=f"{name} throws, renamed {new}",
            instruction=instruction,
        ),
    ]
