"""`acrouter complete` and `acrouter memory` from a terminal, against the fake OpenAI server."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.cli.terminal import acrouter, cli_env, complete, write_config
from tests.fakes.calc_project import BUGGY, CALC13, ONLY_ADD, RIGHT, SR_FIX, WRONG

RIGHT_CALC = BUGGY.replace("a - b", "a + b")
from tests.fakes.openai_server import Behaviour


def test_complete_json_then_apply_then_memory(home, target, fake):
    write_config(home, fake.base_url)
    r = complete(home, target, "Fix the bug in add", "--range", "1:1-3:1", "--json")
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert res["verified"] and res["finalModel"] == "strong"
    assert res["edit"]["files"] == {"calc.py": "def add(a, b):\n    return a + b\n"}
    assert target.read_text() == BUGGY  # not applied without --apply

    r = complete(home, target, "Fix the bug in add", "--apply")
    assert r.returncode == 0, r.stderr
    assert "strong" in r.stdout and "+    return a + b" in r.stdout
    assert target.read_text() == "def add(a, b):\n    return a + b\n"

    show = acrouter(home, "memory", "show")
    assert (
        show.returncode == 0 and "Fix the bug in add" in show.stdout and "2 records" in show.stdout
    )
    exported = json.loads(acrouter(home, "memory", "export").stdout)
    assert len(exported["records"]) == 2
    assert "sk-cli-test" not in (home / "memory.json").read_text()

    refused = acrouter(home, "memory", "reset")  # no terminal, no --yes: refuse
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert acrouter(home, "memory", "reset", "--yes").stdout.strip() == "removed 2 records"
    assert "no routing history" in acrouter(home, "memory", "show").stdout


def test_complete_without_config_says_what_to_do(home, target):
    r = complete(home, target, "fix")
    assert r.returncode == 2
    assert "config.toml" in r.stderr
    bad = complete(home, target, "fix", "--range", "0:0-1:1")
    assert bad.returncode == 2 and "1-based" in bad.stderr


def attempt_rows(res: dict) -> list[tuple[str, str, bool]]:
    """(model, verdict, counted) of each attempt of a ``complete --json`` result."""
    return [(a["model"], a["verdict"], a["counted"]) for a in res["attempts"]]


def test_a_gateway_budget_error_is_not_counted_in_json_show_and_export(home, target, fake):
    fake.behaviours["cheap-m"] = Behaviour(proxy_error="budget")  # a LiteLLM proxy's 422
    write_config(home, fake.base_url)
    r = complete(home, target, "Fix the bug in add", "--json")
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert attempt_rows(res) == [("cheap", "error", False), ("strong", "pass", True)]
    assert res["attempts"][0]["detail"].startswith("budget: budget exceeded at http://127.0.0.1:")
    assert "not held against cheap: budget exceeded" in res["why"]

    show = acrouter(home, "memory", "show")
    assert show.returncode == 0
    assert "attempts: cheap error (not counted: budget exceeded at http://127.0.0.1:" in show.stdout
    assert "-> strong pass" in show.stdout
    exported = json.loads(acrouter(home, "memory", "export").stdout)
    assert [a["counted"] for a in exported["records"][0]["attempts"]] == [False, True]
    assert "sk-cli-test" not in (home / "memory.json").read_text()


# ----------------------------------------------------------------------------- issue 10


def test_whole_file_reply_that_drops_code_is_refused_and_the_next_model_is_told_why(
    home, target, fake
):
    target.write_text(CALC13)
    fake.behaviours["cheap-m"] = Behaviour(reply=ONLY_ADD)
    fake.behaviours["strong-m"] = Behaviour(reply=SR_FIX)
    write_config(home, fake.base_url)
    r = complete(home, target, "Fix the bug in add", "--apply", "--json")
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    cheap, strong = res["attempts"]
    assert cheap["verdict"] == "fail" and "unusable reply" in cheap["detail"]
    assert (
        "mul" in cheap["detail"] and "area" in cheap["detail"] and "import math" in cheap["detail"]
    )
    assert strong["verdict"] == "pass" and res["verified"]
    # nothing was lost: only the fixed line changed
    assert target.read_text() == CALC13.replace("a - b", "a + b")
    # what each model saw, as the server received it
    first, second = fake.prompts("cheap-m")[0], fake.prompts("strong-m")[0]
    for prompt in (first, second):
        assert (
            "<<<<<<< SEARCH" in prompt and ">>>>>>> REPLACE" in prompt
        )  # the edit format asked for
        assert "complete new file" not in prompt
        assert "def mul(a, b):" in prompt  # the whole 13-line file
        assert "Test file tests/test_calc.py" in prompt and "assert add(2, 3) == 5" in prompt
        assert "test_add: assert -1 == 5" in prompt  # the failing test and its first assertion line
    assert "Earlier attempts" not in first
    assert "Attempt 1: fail: unusable reply" in second and "mul" in second
    feedback = second[second.index("Earlier attempts") : second.index("Instruction:")]
    assert "def add(a, b):\n    return a + b" not in feedback  # never the failed code


def test_preflight_refuses_before_any_model_is_called(tmp_path, home, target, fake):
    binary = tmp_path / "proj" / "blob.py"
    binary.write_bytes(b"x = 1\n\x00\x01\x02")
    latin = tmp_path / "proj" / "latin.py"
    latin.write_bytes("name = 'Jos\u00e9'\n".encode("latin-1"))
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / ".git").mkdir()
    untested = bare / "m.py"
    untested.write_text("def f():\n    return 1\n")
    fake.behaviours = {"*": Behaviour(reply=RIGHT)}
    cfg = write_config(home, fake.base_url, test_command=False, extra="maxFileKilobytes = 1\n")
    r = complete(home, binary, "fix")
    assert r.returncode == 2 and "NUL bytes" in r.stderr and "Traceback" not in r.stderr
    r = complete(home, latin, "fix")
    assert r.returncode == 2 and "not UTF-8" in r.stderr and "Traceback" not in r.stderr
    big = tmp_path / "proj" / "big.py"
    big.write_text("x = 1\n" * 400)
    r = complete(home, big, "fix")
    assert r.returncode == 2 and "maxFileKilobytes" in r.stderr and str(cfg) in r.stderr
    r = complete(home, untested, "fix f")
    assert r.returncode == 2, r.stderr
    assert (
        "no test command" in r.stderr
        and "testCommand" in r.stderr
        and "acrouter.testCommand" not in r.stderr
    )
    assert "no model was called" in r.stderr
    # the tests cannot run at all (pytest collects nothing): refused as well
    r = complete(
        home,
        untested,
        "fix f",
        "--test-command",
        f"{sys.executable} -m pytest -q -p no:cacheprovider",
    )
    assert r.returncode == 2 and "no model was called" in r.stderr, r.stderr
    assert fake.chat_requests() == []  # nothing was paid for
    assert (
        json.loads(acrouter(home, "memory", "export").stdout)["records"] == []
    )  # no attempt recorded
    # a link in the project to a file of another project: refused, nothing written there
    other = tmp_path / "other"
    other.mkdir()
    (other / "pyproject.toml").write_text("")
    (other / "calc.py").write_text(BUGGY)
    link = target.parent / "linked.py"
    link.symlink_to(other / "calc.py")
    r = complete(home, link, "Fix the bug in add", "--apply")
    assert r.returncode == 2 and "leads outside the workspace" in r.stderr, r.stderr
    assert "no model was called" in r.stderr and (other / "calc.py").read_text() == BUGGY
    assert fake.chat_requests() == []


def test_cli_details_range_timeout_broken_pipe_and_config_key_names(home, target, fake):
    # replies slower than any test run: only --timeout can end the request in time
    fake.behaviours["cheap-m"] = Behaviour(reply=WRONG, delay_s=900)
    fake.behaviours["strong-m"] = Behaviour(reply=RIGHT, delay_s=900)
    write_config(home, fake.base_url, extra='costWeight = "high"\n')
    r = complete(home, target, "fix", "--range", "50:1-51:1")
    assert r.returncode == 2 and "line 50" in r.stderr and "(2 lines)" in r.stderr
    r = complete(home, target, "fix", "--range", "1:40-2:1")
    assert r.returncode == 2 and "column 40" in r.stderr and "line 1" in r.stderr
    # config problems name the key as written in config.toml
    assert "costWeight" in r.stderr and "acrouter.costWeight" not in r.stderr
    r = complete(home, target, "Fix the bug in add", "--timeout", "45", "--apply")
    assert r.returncode == 124, r.stderr
    assert "gave up after 45 s (--timeout)" in r.stderr
    assert fake.delays_done == []  # the deadline ended it, not a slow reply (if one came)
    assert target.read_text() == BUGGY
    # the call it was paying for is recorded, cost unknown, and not held against the model
    shown = acrouter(home, "memory", "show").stdout
    assert "cancelled" in shown and "unknown" in shown, shown
    assert "cheap error (not counted: the request was cancelled while cheap was answering" in shown

    from acrouter.domain import Attempt, Outcome
    from acrouter.memory import TinyDBMemory

    mem = TinyDBMemory(home / "memory.json")
    for i in range(400):
        mem.record(
            Outcome(
                f"r{i}",
                1.0e9 + i,
                "bug_fixing",
                (Attempt("cheap", "pass", 0.001, 5.0, score=1.0),),
                "cheap",
                True,
                "why " * 20,
                "ws",
                f"instruction {i}",
            )
        )
    env = cli_env(home)
    piped = subprocess.run(
        ["sh", "-c", f"'{sys.executable}' -m acrouter memory export | head -n 3"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert len(piped.stdout.splitlines()) == 3
    assert "Traceback" not in piped.stderr and "BrokenPipe" not in piped.stderr, piped.stderr


def test_apply_writes_a_multi_file_edit_whole_or_not_at_all(tmp_path, capsys):
    from acrouter.apply import apply_edit as _apply
    from acrouter.apply import changed_on_disk as _changed_on_disk

    (tmp_path / ".git").mkdir()
    main, helper, new = tmp_path / "m.py", tmp_path / "a_helper.py", tmp_path / "b_new.py"
    main.write_text("b = 2\n")
    helper.write_text("h = 0\n")
    files = {"a_helper.py": "h = 1\n", "m.py": "b = 3\n"}  # the other file comes first
    bases = {"a_helper.py": "h = 0\n", "m.py": "b = 2\n"}
    # the requested file changed on disk while routing: nothing is written, not even a_helper.py
    main.write_text("b = 2  # edited meanwhile\n")
    assert _apply(files, bases, tmp_path) == 1
    assert helper.read_text() == "h = 0\n" and main.read_text() == "b = 2  # edited meanwhile\n"
    assert f"{main} changed while routing; nothing was applied" in capsys.readouterr().err
    # a file the edit creates was created meanwhile: nothing is written
    main.write_text("b = 2\n")
    new.write_text("mine = 1\n")
    with_new = {**files, "b_new.py": "n = 1\n"}
    assert _apply(with_new, {**bases, "b_new.py": None}, tmp_path) == 1
    assert f"{new} was created while routing" in capsys.readouterr().err
    assert (main.read_text(), helper.read_text(), new.read_text()) == (
        "b = 2\n",
        "h = 0\n",
        "mine = 1\n",
    )
    # a file the edit changes whose base is not known: refused, not guessed
    assert _apply(files, {"m.py": "b = 2\n"}, tmp_path) == 1
    assert f"cannot tell whether {helper} changed" in capsys.readouterr().err
    # a CRLF file whose base was read with its CRLF (a diff reply) or translated: unchanged
    helper.write_bytes(b"h = 0\r\n")
    assert _changed_on_disk(helper, {helper: "h = 0\r\n"}) is None
    assert _changed_on_disk(helper, {helper: "h = 0\n"}) is None
    assert _changed_on_disk(helper, {helper: "h = 1\n"}) == f"{helper} changed"
    helper.write_text("h = 0\n")
    # unchanged: every file is written
    new.unlink()
    assert _apply(with_new, {**bases, "b_new.py": None}, tmp_path) == 0
    assert (main.read_text(), helper.read_text(), new.read_text()) == (
        "b = 3\n",
        "h = 1\n",
        "n = 1\n",
    )


#: a reply that edits two files: the requested calc.py and helper.py
TWO_FILES = (
    "calc.py\n```python\n<<<<<<< SEARCH\n    return a - b\n=======\n    return a + b\n"
    '>>>>>>> REPLACE\n```\n\nhelper.py\n```python\n<<<<<<< SEARCH\nNAME = "calc"\n=======\n'
    'NAME = "calculator"\n>>>>>>> REPLACE\n```'
)


def test_apply_refuses_a_multi_file_edit_when_another_file_changed_while_routing(
    home, target, fake, monkeypatch, capsys
):
    """Through the CLI's entry point: the user saves helper.py after the edit was made
    from it (while its tests run); --apply writes neither file and says which changed."""
    from acrouter.cli import main
    from acrouter.verifier import ProjectVerifier

    helper = target.parent / "helper.py"
    helper.write_text('NAME = "calc"\n')
    fake.behaviours = {"*": Behaviour(reply=TWO_FILES)}
    write_config(home, fake.base_url)
    for name, value in {**cli_env(home), "CHEAP_KEY": "sk-cli-test"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    saved = 'NAME = "calc"\nEXTRA = 1  # typed and saved while the tests ran\n'
    real_verify = ProjectVerifier.verify

    def verify_then_the_user_saves(self, task, edit, model, cancel=None):
        verdict = real_verify(self, task, edit, model, cancel)
        helper.write_text(saved)
        return verdict

    monkeypatch.setattr(ProjectVerifier, "verify", verify_then_the_user_saves)
    argv = ["complete", "--file", str(target), "--instruction", "Fix the bug in add", "--apply"]
    assert main(argv) == 1
    out, err = capsys.readouterr()
    assert "verified: True" in out  # the edit passed its tests; only writing it was refused
    assert f"{helper.resolve()} changed while routing; nothing was applied" in err, err
    assert target.read_text() == BUGGY and helper.read_text() == saved

    # the same request with nobody saving meanwhile: both files are written
    monkeypatch.setattr(ProjectVerifier, "verify", real_verify)
    helper.write_text('NAME = "calc"\n')
    assert main(argv) == 0, capsys.readouterr().err
    assert target.read_text() == RIGHT_CALC and helper.read_text() == 'NAME = "calculator"\n'


def test_the_printed_diff_of_a_crlf_file_shows_only_the_changed_line(home, target, fake):
    # the file keeps its CRLF line breaks; the diff must not show every line as changed
    fake.behaviours["cheap-m"] = Behaviour(reply=SR_FIX)
    write_config(home, fake.base_url)
    target.write_bytes(CALC13.replace("\n", "\r\n").encode())
    r = complete(home, target, "Fix the bug in add")
    assert r.returncode == 0, r.stderr
    body = r.stdout.split("+++ b/calc.py", 1)[1].split("\n")
    assert [line.rstrip("\r") for line in body if line[:1] in "+-" and line] == [
        "-    return a - b",
        "+    return a + b",
    ]


def test_the_printed_diff_of_a_file_without_a_final_newline_says_so(home, target, fake):
    # before: the diff's last line ran into the next output ("+    return a + bapplied to"),
    # and a patch tool reading the diff would have added a newline the file does not get
    fake.behaviours["cheap-m"] = Behaviour(reply=SR_FIX)
    write_config(home, fake.base_url)
    target.write_text(BUGGY.rstrip("\n"))
    r = complete(home, target, "Fix the bug in add", "--apply")
    assert r.returncode == 0, r.stderr
    assert r.stdout.endswith("+    return a + b\n\\ No newline at end of file\n")
    assert target.read_text() == BUGGY.rstrip("\n").replace("a - b", "a + b")


def test_apply_creates_a_new_file_in_a_new_folder(tmp_path, capsys):
    # before: FileNotFoundError (a traceback) after the edit was verified, and the files
    # of a multi-file edit written before it stayed written
    from acrouter.apply import apply_edit

    (tmp_path / "calc.py").write_text("x = 1\n")
    files = {"calc.py": "x = 2\n", "pkg/deep/util.py": "y = 1\n"}
    assert apply_edit(files, {"calc.py": "x = 1\n", "pkg/deep/util.py": None}, tmp_path) == 0
    assert (tmp_path / "pkg" / "deep" / "util.py").read_text() == "y = 1\n"
    assert (tmp_path / "calc.py").read_text() == "x = 2\n"


def test_range_columns_of_a_file_with_a_bom_count_as_the_editor_shows_them(home, target, fake):
    # before: the byte-order mark counted as line 1's first column, so 1:5-1:8 sent ' ad'
    # to the model as the selection instead of 'add' (and a reply replaced the wrong text)
    fake.behaviours["cheap-m"] = Behaviour(reply="```python\nadd\n```")
    write_config(home, fake.base_url)
    target.write_bytes(b"\xef\xbb\xbf" + BUGGY.encode())
    complete(home, target, "Rename", "--range", "1:5-1:8")
    prompt = fake.prompts("cheap-m")[0]
    assert "```python\nadd\n```" in prompt, prompt


def test_complete_workspace_names_a_project_without_a_marker(home, tmp_path, fake):
    # a project with no .git, pyproject.toml, ... : the workspace was always the file's
    # folder, so tests beside it (here in ../tests) were never found from the terminal
    proj = tmp_path / "plain"
    (proj / "src").mkdir(parents=True)
    (proj / "tests").mkdir()
    calc = proj / "src" / "calc.py"
    calc.write_text(BUGGY)
    (proj / "tests" / "test_calc.py").write_text(
        "import pathlib\nimport sys\n\n"
        "sys.path.insert(0, str(pathlib.Path(__file__).parent.parent / 'src'))\n"
        "from calc import add\n\n\n"
        "def test_add():\n    assert add(2, 3) == 5\n"
    )
    write_config(home, fake.base_url)
    tests = ("--test-command", f"{sys.executable} -m pytest -q -p no:cacheprovider")
    r = complete(home, calc, "Fix the bug in add", *tests)
    assert r.returncode == 2 and "no model was called" in r.stderr, r.stderr
    assert fake.chat_requests() == []
    r = complete(home, calc, "Fix the bug in add", *tests, "--workspace", str(proj), "--apply")
    assert r.returncode == 0, r.stderr
    assert calc.read_text() == RIGHT_CALC
    # a folder that does not hold the file, or no folder: said, nothing called
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    r = complete(home, calc, "fix", "--workspace", str(elsewhere))
    assert r.returncode == 2 and "does not hold" in r.stderr, r.stderr
    r = complete(home, calc, "fix", "--workspace", str(tmp_path / "missing"))
    assert r.returncode == 2 and "is not a folder" in r.stderr, r.stderr
    assert len(fake.chat_requests()) == 2  # the one request that ran: cheap, then strong


def test_a_provider_outage_is_not_counted_in_json_and_show_and_each_run_tries_again(
    home, target, fake
):
    """A 503 is the provider's passing trouble: not counted, the run goes on to the next
    model; the cooldown lives in the process, so the next run calls the models again."""
    fake.behaviours["cheap-m"] = Behaviour(status=503)
    fake.behaviours["strong-m"] = Behaviour(status=503)
    write_config(home, fake.base_url)
    r = complete(home, target, "Fix the bug in add", "--json")
    assert r.returncode == 1, r.stderr  # nothing verified
    res = json.loads(r.stdout)
    assert attempt_rows(res) == [("cheap", "error", False), ("strong", "error", False)]
    assert res["attempts"][0]["detail"].startswith("unavailable: provider error 503")
    assert "provider error 503 Service Unavailable" in res["why"]
    assert "— not counted against cheap: the provider's passing trouble" in res["why"]
    assert "No model is at fault here: the provider failed for a moment" in res["why"]

    fake.behaviours["strong-m"] = Behaviour(reply=RIGHT)
    text = complete(home, target, "Fix the bug in add")  # a new run: nothing cools down
    assert text.returncode == 0, text.stderr
    assert len(fake.chat_requests("cheap-m")) == 2  # nothing was learned against cheap
    assert "[provider error 503 Service Unavailable" in text.stdout
    show = acrouter(home, "memory", "show")
    assert (
        "attempts: cheap error (not counted: provider error 503 Service Unavailable" in show.stdout
    )
    exported = json.loads(acrouter(home, "memory", "export").stdout)
    counted = [[a["counted"] for a in r["attempts"]] for r in exported["records"]]
    assert counted == [[False, True], [False, False]]  # newest first
    assert exported["aggregates"] == []


README_MD = """\
# calc

## Install

Run `pip install calc`. Teh package needs Python 3.9.

## Security

Report vulnerabilities to security@example.com. Do not open public issues.

## License

MIT
"""


def test_a_readme_edit_that_drops_a_section_is_refused_and_the_next_model_fixes_the_typo(
    home, target, fake
):
    """What a user saw: asked to fix a typo in README.md, the cheap model's block fixed it
    and dropped the Security section; no test reads the README, and it was offered (with
    only "read those lines yourself").  Now it is refused and the next model's edit, the
    typo alone, is the one offered."""
    target.write_text(RIGHT_CALC)  # (the project's tests pass, before and after)
    readme = target.parent / "README.md"
    readme.write_text(README_MD)
    dropped = (
        "README.md\n```markdown\n<<<<<<< SEARCH\n"
        "Run `pip install calc`. Teh package needs Python 3.9.\n\n## Security\n\n"
        "Report vulnerabilities to security@example.com. Do not open public issues.\n\n"
        "## License\n=======\nRun `pip install calc`. The package needs Python 3.9.\n\n"
        "## License\n>>>>>>> REPLACE\n```\n"
    )
    typo = (
        "README.md\n```markdown\n<<<<<<< SEARCH\n"
        "Run `pip install calc`. Teh package needs Python 3.9.\n=======\n"
        "Run `pip install calc`. The package needs Python 3.9.\n>>>>>>> REPLACE\n```\n"
    )
    fake.behaviours["cheap-m"] = Behaviour(reply=dropped)
    fake.behaviours["strong-m"] = Behaviour(reply=typo)
    write_config(home, fake.base_url)
    r = complete(home, readme, "Fix the typo in the install section", "--apply", "--json")
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    cheap, strong = res["attempts"]
    assert cheap["verdict"] == "fail", cheap
    assert (
        "the edit would delete 1 section(s) of README.md that the instruction did not ask to "
        "remove: Security" in cheap["detail"]
    )
    assert strong["verdict"] == "pass", strong
    assert readme.read_text() == README_MD.replace("Teh", "The")
