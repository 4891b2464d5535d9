"""A test command's own ``PYTHONPATH=`` / ``PYTEST_ADDOPTS=`` keeps what the verifier
appends (``verifier.inline_env``): the rewritten line run by ``/bin/sh``, as a test run
runs it, shows the program the environment it gets."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest
from acrouter.verifier.harness_py import harness_uses
from acrouter.verifier.inline_env import keep_ours, keeping_ours, leading_words
from acrouter.verifier.junit_own import unloaded
from acrouter.verifier.pytest_plugins import ADDOPTS_TAIL, PATH_TAIL, plugin_vars

#: what the verifier appended (a folder with a blank, options with a quote)
OURS_PATH = "/out dir/_acrouter_py"
OURS_OPTS = "--junitxml='/out dir/report.xml' -p acrouter_lines"


def _show(tmp_path: Path) -> str:
    """A program printing the PYTHONPATH and PYTEST_ADDOPTS it gets."""
    show = tmp_path / "show prog"
    show.write_text(
        '#!/bin/sh\nprintf "%s|%s\\n" "${PYTHONPATH-unset}" "${PYTEST_ADDOPTS-unset}"\n'
    )
    show.chmod(0o755)
    (tmp_path / "sub").mkdir(exist_ok=True)
    return shlex.quote(str(show))


def _run(line: str, cwd: Path, tails: bool = True) -> str:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd)}
    env.update(PYTHONPATH="/env/path", PYTEST_ADDOPTS="-p env")
    if tails:
        env.update({PATH_TAIL: OURS_PATH, ADDOPTS_TAIL: OURS_OPTS})
    done = subprocess.run(
        ["/bin/sh", "-c", line], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


CASES = [
    # (line, what the program gets: PYTHONPATH|PYTEST_ADDOPTS, with our tails appended)
    ("PYTHONPATH=. {show}", f".:{OURS_PATH}|-p env"),
    ("PYTHONPATH='a b' {show}", f"a b:{OURS_PATH}|-p env"),
    ('PYTHONPATH="$HOME/src" {show}', "{home}/src:" + OURS_PATH + "|-p env"),
    ("PYTHONPATH=a\\ b\\;c {show}", f"a b;c:{OURS_PATH}|-p env"),
    ('PYTHONPATH="x;y"z {show}', f"x;yz:{OURS_PATH}|-p env"),
    ("PYTHONPATH=$(echo 'p q') {show}", f"p q:{OURS_PATH}|-p env"),
    ("PYTHONPATH=`echo r` {show}", f"r:{OURS_PATH}|-p env"),
    ("PYTHONPATH=${{HOME%/}}/s {show}", "{home}/s:" + OURS_PATH + "|-p env"),
    ("PYTHONPATH= {show}", f"{OURS_PATH}|-p env"),
    ("env PYTHONPATH=src {show}", f"src:{OURS_PATH}|-p env"),
    ("env -u FOO PYTHONPATH=src {show}", f"src:{OURS_PATH}|-p env"),
    ("nice -n 5 env PYTEST_ADDOPTS=-q {show}", f"/env/path|-q {OURS_OPTS}"),
    ("FOO=1 PYTEST_ADDOPTS='-q -x' PYTHONPATH=. {show}", f".:{OURS_PATH}|-q -x {OURS_OPTS}"),
    ("cd sub && PYTHONPATH=. {show}", f".:{OURS_PATH}|-p env"),
    ("cd sub&&PYTHONPATH=.;{show}", f".:{OURS_PATH}|-p env"),  # a plain assignment too
    ("export PYTHONPATH=src; {show}", f"src:{OURS_PATH}|-p env"),
    ("true\nexport PYTEST_ADDOPTS=-q PYTHONPATH=s\n{show}", f"s:{OURS_PATH}|-q {OURS_OPTS}"),
    ("2>&1 PYTHONPATH=r {show} # PYTHONPATH=comment", f"r:{OURS_PATH}|-p env"),
    ("{{ if PYTHONPATH=i {show}; then :; fi; }}", f"i:{OURS_PATH}|-p env"),
    ("(PYTHONPATH=sub {show})", f"sub:{OURS_PATH}|-p env"),
    # what is not an assignment before a command stays as written
    ("echo PYTHONPATH=x && PYTHONPATH=y {show}", f"PYTHONPATH=x\ny:{OURS_PATH}|-p env"),
    ("echo 'PYTHONPATH=x;' PYTHONPATH=y", "PYTHONPATH=x; PYTHONPATH=y"),
    # a value that names the variable keeps ours already (appending again would put our
    # folder on the path twice)
    ("PYTHONPATH=src:$PYTHONPATH {show}", "src:/env/path|-p env"),
    ('PYTEST_ADDOPTS="${{PYTEST_ADDOPTS}} -q" {show}', "/env/path|-p env -q"),
    # what sh -c runs, a here-document or an unclosed quote is not read
    ('sh -c "PYTHONPATH=n {show}"', "n|-p env"),
]


@pytest.mark.parametrize(("line", "gets"), CASES)
def test_the_rewritten_line_appends_ours_to_the_commands_own(
    tmp_path: Path, line: str, gets: str
) -> None:
    show = _show(tmp_path)
    line = line.format(show=show)
    gets = gets.format(home=tmp_path)
    new = keep_ours(line)
    assert _run(new, tmp_path) == gets, new
    # without our tails (another runner's run), the line does what it did
    assert _run(new, tmp_path, tails=False) == _run(line, tmp_path, tails=False)


def test_lines_that_cannot_be_read_are_left_as_they_are() -> None:
    for line in (
        "PYTHONPATH=. pytest <<EOF\nx\nEOF",
        "PYTHONPATH='. pytest",
        'PYTHONPATH=". pytest',
        "PYTHONPATH=$(echo . pytest",
        "PYTHONPATH=.\\",
        "pytest -q",
    ):
        assert keep_ours(line) == line


def test_only_a_shell_line_is_rewritten() -> None:
    argv = ("/bin/sh", "-c", "PYTHONPATH=. pytest")
    assert keeping_ours(argv)[2] == (f'PYTHONPATH=."${{{PATH_TAIL}:+:${PATH_TAIL}}}" pytest')
    assert keeping_ours(("pytest", "PYTHONPATH=.")) == ("pytest", "PYTHONPATH=.")


def test_the_words_that_set_up_a_command_as_written() -> None:
    line = 'PYTHONPATH="$PWD/a b" uv run python -m unittest'
    assert leading_words(line, 3) == 'PYTHONPATH="$PWD/a b" uv run'
    assert leading_words(line, 0) == ""
    assert leading_words("A=1 2>&1 python", 2) is None  # a redirection among them
    assert leading_words("A='1", 1) is None


def test_the_tails_hold_what_we_appended_and_nothing_else(tmp_path: Path) -> None:
    env = {"PYTHONPATH": "/theirs", "PYTEST_ADDOPTS": "-q"}
    first = plugin_vars(tmp_path / "a", "mod_a", "", env)
    both = plugin_vars(tmp_path / "b", "mod_b", "", {**env, **first})
    assert both["PYTHONPATH"] == f"/theirs:{tmp_path}/a:{tmp_path}/b"
    assert both[PATH_TAIL] == f"{tmp_path}/a:{tmp_path}/b"
    assert both["PYTEST_ADDOPTS"] == "-q -p mod_a -p mod_b"
    assert both[ADDOPTS_TAIL] == "-p mod_a -p mod_b"
    # a run made again without our JUnit plugin drops it from both
    env = {"PYTEST_ADDOPTS": "-q -p acrouter_junit", ADDOPTS_TAIL: "-p acrouter_junit"}
    assert unloaded(env) == {"PYTEST_ADDOPTS": "-q"}


def test_code_naming_the_tails_trips_the_harness_wire() -> None:
    assert harness_uses(f'import os\nos.environ.get("{PATH_TAIL}")\n')
    assert harness_uses(f'import os\nos.environ["{ADDOPTS_TAIL}"]\n')
