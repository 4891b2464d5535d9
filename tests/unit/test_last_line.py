"""The output line a message quotes when the tests cannot run (``results.last_line``)."""

from __future__ import annotations

from acrouter.verifier.results import last_line

#: what vitest printed when vite could not bundle its config into a read-only
#: node_modules: node's dump of the error object ends with a lone "}"
NODE_ERROR = """\
failed to load config from /ws/vitest.config.mjs
Error: EROFS: read-only file system, mkdir '/ws/node_modules/.vite-temp'
    at async mkdir (node:internal/fs/promises:852:10) {
  errno: -30,
  code: 'EROFS',
  syscall: 'mkdir',
  path: '/ws/node_modules/.vite-temp'
}
"""


def test_the_last_line_when_it_says_something() -> None:
    assert last_line("collected 0 items\n\nERROR: file or directory not found: t.py\n\n") == (
        "ERROR: file or directory not found: t.py"
    )
    assert last_line("sh: 1: npm: not found") == "sh: 1: npm: not found"
    assert last_line("") == "" and last_line("\n  \n") == ""
    assert last_line("x" * 300) == "x" * 200


def test_a_closing_bracket_gives_way_to_the_error_above_it() -> None:
    assert last_line(NODE_ERROR) == (
        "Error: EROFS: read-only file system, mkdir '/ws/node_modules/.vite-temp'"
    )
    # without a line naming an error: the last one with words
    assert last_line("loading the suite\n  {\n    ok: false\n  }\n)\n") == "ok: false"
    # nothing but punctuation: that is what there is
    assert last_line("}\n]\n") == "]"


def test_the_truncation_marker_is_not_a_line() -> None:
    assert (
        last_line("real failure here\n[... 51200 bytes of output omitted ...]\n")
        == "real failure here"
    )


#: what rake printed when its Rakefile needed a gem that is not installed (minitest
#: 5.15.0's, which requires Hoe)
RAKE_ABORTED = """\
rake aborted!
LoadError: cannot load such file -- hoe
<internal:/usr/lib/ruby/vendor_ruby/rubygems/core_ext/kernel_require.rb>:85:in `require'
/ws/Rakefile:4:in `<top (required)>'
(See full trace by running task with --trace)
"""


def test_rakes_error_not_its_advice() -> None:
    """Before, the message quoted "(See full trace by running task with --trace)"."""
    assert last_line(RAKE_ABORTED) == "LoadError: cannot load such file -- hoe"
    assert last_line("rake aborted!\n") == "rake aborted!"  # (nothing below it)
