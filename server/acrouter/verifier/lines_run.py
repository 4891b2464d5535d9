"""What the run with an edit is asked about the lines it runs, for every language
:mod:`.lines` (Python), :mod:`.lines_js` (JavaScript under node's own loader),
:mod:`.lines_istanbul` (JavaScript and TypeScript under jest or vitest) and
:mod:`.lines_go` (Go), :mod:`.lines_rubycov` (Ruby), :mod:`.lines_perlcov` (Perl),
:mod:`.lines_phpcov` (PHP), :mod:`.lines_javacov` (Java) and :mod:`.lines_ccov` (C and
C++) measure: ``asked`` reads the
edit's changes, ``traced_spec`` traces the run (``trace_env``: its variables; for go, its
flags), ``suspect`` a traced run to redo without tracing, ``read_run`` what it found.
Whether jest or vitest cover the files is the run's plan (``TestPlan.covered``); its
``cover`` is :attr:`Asked.covered`.  Every other file of the edit is only asked whether
the run opened it (:attr:`Asked.opened`, :mod:`.lines_opened`, watched by ``sandboxrun``;
a Ruby, Perl, PHP or Java file too, which says so when no ruby, perl, php or JVM of the
run loaded it)."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs

from .lines import (
    NO_COVERAGE,
    NO_TRACER,
    UNTRACED,
    Change,
    Traced,
    monitored,
    plugin_env,
    python_changes,
    read_traced,
    tracer_suspect,
)
from .lines_built import find
from .lines_ccov import cover_env as c_env
from .lines_ccov import is_c, read_ccov
from .lines_ccov import suspect as c_named
from .lines_go import is_go_code, packages, read_profile
from .lines_gotrace import LISTER, SHIM_DIR, cover_argv, lister, shim, shim_path, users_coverage
from .lines_gotrace import named as go_named
from .lines_istanbul import SUFFIXES as RUNNER_SUFFIXES
from .lines_istanbul import SUSPECT_WORDS, read_istanbul
from .lines_javacov import cover_env as java_env
from .lines_javacov import is_java, read_javacov
from .lines_javacov import suspect as java_named
from .lines_js import (
    COVERAGE_DIR,
    COVERAGE_VAR,
    KEEPER,
    SUFFIXES,
    js_change,
    keeper,
    keeper_option,
    read_coverage,
    read_scripts,
)
from .lines_perlcov import cover_env as perl_env
from .lines_perlcov import is_perl, read_perlcov
from .lines_perlcov import suspect as perl_named
from .lines_phpcov import cover_env as php_env
from .lines_phpcov import is_php, read_phpcov
from .lines_phpcov import suspect as php_named
from .lines_rubycov import cover_env as ruby_env
from .lines_rubycov import is_ruby, read_rubycov
from .lines_rubycov import suspect as ruby_named
from .lines_rust import is_rust
from .lines_rustcov import cover_env
from .lines_rustcov import suspect as rust_named
from .lines_trace import others
from .runtypes import RunOutcome, RunSpec


@attrs.frozen
class Asked:
    """What the run with the edit is asked about: the changed Python statements (their
    line ranges by file, for :mod:`.lines`' plugin), the changed JavaScript and
    TypeScript files' texts (TypeScript only jest and vitest measure) and the changed Go
    files' old and new texts (their statements are known from the run's coverage
    profile only: not among ``changes``)."""

    changes: tuple[Change, ...] = ()
    py: Mapping[str, Sequence[tuple[int, int]]] = attrs.field(factory=dict)
    js: Mapping[str, str] = attrs.field(factory=dict)
    go: Mapping[str, tuple[str, str]] = attrs.field(factory=dict)
    #: the changed Rust files' old and new texts: which of them ``cargo test`` built
    #: (:mod:`.lines_rust`), read from its target folder after the run
    rs: Mapping[str, tuple[str, str]] = attrs.field(factory=dict)
    #: the changed files no tracer measures (Markdown, JSON, a C source), and the Ruby,
    #: Rust and Go ones a run may not measure: whether the run opened them
    #: (:mod:`.lines_opened`; :func:`watched`)
    opened: tuple[str, ...] = ()
    #: whether the run's workspace crates are instrumented for coverage, to tell which
    #: of the changed Rust lines ran (:mod:`.lines_rustcov`)
    rust_cover: bool = False
    #: the changed Ruby files' old and new texts: which of their lines ran, from Ruby's
    #: ``Coverage`` in every ruby of the run (:mod:`.lines_rubycov`); they are in
    #: ``opened`` too (a file no ruby loaded is said so there)
    rb: Mapping[str, tuple[str, str]] = attrs.field(factory=dict)
    #: the changed Perl files' old and new texts: which of their lines ran, from perl's
    #: debugger hooks in every perl of the run (:mod:`.lines_perlcov`); they are in
    #: ``opened`` too (a file no perl compiled is said so there)
    pl: Mapping[str, tuple[str, str]] = attrs.field(factory=dict)
    #: the changed PHP files' old and new texts: which of their lines ran, from the pcov
    #: extension in every php of the run (:mod:`.lines_phpcov`); they are in ``opened``
    #: too (a file no php compiled is said so there)
    php: Mapping[str, tuple[str, str]] = attrs.field(factory=dict)
    #: the changed Java files' old and new texts: which of their lines ran, from our
    #: JVMTI agent in every JVM of the run (:mod:`.lines_javacov`); they are in
    #: ``opened`` too (a file no JVM loaded a class of is said so there)
    java: Mapping[str, tuple[str, str]] = attrs.field(factory=dict)
    #: the changed C and C++ files' old and new texts: which of their lines ran, from
    #: gcc's coverage of the run's compilations (:mod:`.lines_ccov`); they are in
    #: ``opened`` too (a file no process opened is said so there)
    c: Mapping[str, tuple[str, str]] = attrs.field(factory=dict)
    #: why the run could not be instrumented for ``c`` (then its files are not known)
    c_why: str = ""
    #: the gcovs that may read the run's C coverage (found before the run, never named
    #: by what the run wrote)
    c_gcov: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        asked = (self.py, self.js, self.go, self.rs, self.opened, self.rb, self.pl, self.php)
        return any(asked) or bool(self.java) or bool(self.c)

    @property
    def covered(self) -> tuple[str, ...]:
        """The files jest or vitest are asked to cover (``plan_command``'s ``cover``)."""
        return tuple(self.js)

    def v8(self) -> dict[str, str]:
        """The files node's own coverage can measure."""
        return {k: v for k, v in self.js.items() if k.endswith(SUFFIXES)}


def asked(texts: Mapping[str, str], olds: Mapping[str, str | None]) -> Asked:
    """The Python, JavaScript, Go and Rust changes of an edit (``texts``: the new texts by
    relative path; ``olds``: what they held)."""
    py = python_changes(texts, olds)
    js = []
    for rel, new in sorted(texts.items()):
        old = olds.get(rel) or ""
        if rel.endswith(RUNNER_SUFFIXES) and new != old:
            change = js_change(rel, old, new)
            if change is not None:
                js.append(change)
    go = {
        rel: (olds.get(rel) or "", new)
        for rel, new in sorted(texts.items())
        if is_go_code(rel) and new != (olds.get(rel) or "")
    }
    rs = {
        rel: (olds.get(rel) or "", new)
        for rel, new in sorted(texts.items())
        if is_rust(rel) and new != (olds.get(rel) or "")
    }
    rb = {
        rel: (olds.get(rel) or "", new)
        for rel, new in sorted(texts.items())
        if is_ruby(rel) and new != (olds.get(rel) or "")
    }
    pl = {
        rel: (olds.get(rel) or "", new)
        for rel, new in sorted(texts.items())
        if is_perl(rel) and new != (olds.get(rel) or "")
    }
    php = {
        rel: (olds.get(rel) or "", new)
        for rel, new in sorted(texts.items())
        if is_php(rel) and new != (olds.get(rel) or "")
    }
    java = {
        rel: (olds.get(rel) or "", new)
        for rel, new in sorted(texts.items())
        if is_java(rel) and new != (olds.get(rel) or "")
    }
    c = {
        rel: (olds.get(rel) or "", new)
        for rel, new in sorted(texts.items())
        if is_c(rel) and new != (olds.get(rel) or "")
    }
    return Asked(
        (*py, *js),
        {c.path: c.wanted for c in py},
        {c.path: texts[c.path] for c in js},
        go,
        rs,
        tuple(rel for rel in sorted(texts) if texts[rel] != olds.get(rel) and watched(rel)),
        rb=rb,
        pl=pl,
        php=php,
        java=java,
        c=c,
    )


def measured(rel: str) -> bool:
    """A file whose lines (or, for Rust, whether it was built) a tracer measures: Python,
    JavaScript and TypeScript, Go, Rust; what the run does with any other file is only
    known by whether it opened it (:mod:`.lines_opened`)."""
    return rel.endswith((".py", ".pyw", *RUNNER_SUFFIXES)) or is_go_code(rel) or is_rust(rel)


def watched(rel: str) -> bool:
    """A file whose opening the run with the edit watches (:mod:`.lines_opened`): one no
    tracer measures, and a Rust or Go file, which a run may not measure (``make test``; a
    rustc without the profiler runtime): what was measured is dropped from what is said
    of the opened files, as a Ruby file's is."""
    return not measured(rel) or is_rust(rel) or is_go_code(rel)


#: the runners that compile the code before V8 runs it: V8's offsets are not the file's
COMPILING = frozenset({"jest", "vitest"})


def _loads_itself(ask: Asked, covered: str | None, runner: str | None) -> bool:
    """Whether node's coverage is asked for: the edit changes JavaScript or TypeScript
    and no runner that compiles it (jest, vitest) loads it.  For TypeScript, which
    node's offsets do not measure, the coverage tells which scripts node loaded
    (:mod:`.lines_built`)."""
    return bool(ask.js) and not covered and runner not in COMPILING


def trace_env(
    out_dir: str,
    seen: str,
    ask: Asked,
    env: Mapping[str, str],
    covered: str | None = None,
    runner: str | None = None,
) -> dict[str, str]:
    """The variables that trace the run (``seen``: where it sees the workspace;
    ``covered``: jest or vitest already collect the JavaScript's coverage; ``runner``:
    the plan's, whose V8 coverage is not asked for when it compiles the code).  node's
    coverage comes with the preload that keeps a coverage wrapper's files
    (:data:`.lines_js.KEEPER`), added to ``env``'s ``NODE_OPTIONS``."""
    extra: dict[str, str] = {}
    if ask.py:
        extra.update(plugin_env(out_dir, {f"{seen}/{r}": v for r, v in ask.py.items()}, env))
    if _loads_itself(ask, covered, runner):
        folder = Path(out_dir) / COVERAGE_DIR
        folder.mkdir(exist_ok=True)
        extra[COVERAGE_VAR] = str(folder)
        # a coverage wrapper's own folder (c8 --temp-directory, borp --coverage): copied
        # into ours by a preload before the wrapper deletes it (lines_js)
        preload = Path(out_dir) / KEEPER
        preload.write_text(keeper(str(folder)), encoding="utf-8")
        existing = env.get("NODE_OPTIONS", "")
        option = keeper_option(str(preload))
        extra["NODE_OPTIONS"] = f"{existing} {option}" if existing else option
    return extra


def traced_spec(
    spec: RunSpec,
    runner: str | None,
    out_dir: str,
    seen: str,
    ask: Asked,
    covered: str | None = None,
    root: str = "",
) -> tuple[RunSpec, Asked | None]:
    """``spec`` traced for ``ask`` (its variables, :func:`trace_env`; for Go, ``go
    test``'s coverage flags; for C and C++, a ``PATH`` with our compiler wrappers first),
    and what it is then asked (Go left out when the command cannot be measured:
    :func:`.lines_gotrace.cover_argv`), or None when nothing is.  ``root``: the
    workspace on this machine (where ``seen`` may be a copy)."""
    pkgs = packages(seen, ask.go) if ask.go else []
    argv = cover_argv(spec.argv, runner, out_dir, spec.env, pkgs) if pkgs else None
    extra: dict[str, str] = {}
    if argv is not None:
        Path(out_dir, LISTER).write_text(lister(out_dir, pkgs), encoding="utf-8")
    elif pkgs and not users_coverage(spec.env):
        # go test out of the planner's sight (make test, a script): a go first on the PATH
        bin_dir = Path(out_dir, SHIM_DIR)
        bin_dir.mkdir(exist_ok=True)
        (bin_dir / "go").write_text(shim(out_dir, pkgs), encoding="utf-8")
        (bin_dir / "go").chmod(0o755)
        extra["PATH"] = shim_path(out_dir, spec.env)
    elif ask.go:
        ask = attrs.evolve(ask, go={})
    cover = cover_env(out_dir, seen, spec.env) if ask.rs and runner == "cargo" else None
    if cover is not None:  # which Rust lines ran: .lines_rustcov
        extra.update(cover)
        ask = attrs.evolve(ask, rust_cover=True)
    ruby = ruby_env(out_dir, seen, ask.rb, spec.env) if ask.rb else None
    if ruby is not None:  # which Ruby lines ran: .lines_rubycov
        extra.update(ruby)
    elif ask.rb:
        ask = attrs.evolve(ask, rb={})
    perl = perl_env(out_dir, seen, ask.pl, spec.env) if ask.pl else None
    if perl is not None:  # which Perl lines ran: .lines_perlcov
        extra.update(perl)
    elif ask.pl:
        ask = attrs.evolve(ask, pl={})
    php = php_env(out_dir, seen, ask.php, spec.env) if ask.php else None
    if php is not None:  # which PHP lines ran: .lines_phpcov
        extra.update(php)
    elif ask.php:
        ask = attrs.evolve(ask, php={})
    java = java_env(out_dir, ask.java, {**spec.env, **extra}) if ask.java else None
    if java is not None:  # which Java lines ran: .lines_javacov
        extra.update(java)
    elif ask.java:
        ask = attrs.evolve(ask, java={})
    if ask.c:  # which C and C++ lines ran: .lines_ccov (compiler wrappers first on the PATH)
        path, why, gcovs = c_env(out_dir, seen, spec.env, extra.get("PATH"), root)
        extra.update(path or {})
        ask = attrs.evolve(ask, c_why=why, c_gcov=gcovs)
    if not ask:
        return spec, None
    env = {**spec.env, **extra, **trace_env(out_dir, seen, ask, spec.env, covered, runner)}
    return attrs.evolve(spec, env=env, argv=argv or spec.argv), ask


def suspect(
    ask: Asked,
    outcome: RunOutcome,
    out_dir: str | Path | None = None,
    covered: str | None = None,
) -> bool:
    """A traced run that failed in a way the tracing may have caused (run again without
    it): :func:`.lines.tracer_suspect` for Python (``out_dir``: where the plugin wrote,
    to see how it traced); for node, a timeout (coverage slows it), a stop by the
    watcher (the coverage files count in what a run may write), or output naming the
    coverage variable or folder (a test comparing the environment) or the preload that
    keeps a coverage wrapper's files (a node that refused it); for jest and vitest
    asked for coverage (``covered``), the same, or output naming one of their coverage
    options, a threshold or the coverage provider (:data:`.lines_istanbul.SUSPECT_WORDS`);
    for go, a timeout, a stop by the watcher, or output naming coverage or a package
    that did not build (:func:`.lines_gotrace.named`)."""
    code, timed_out, output = outcome.exit_code, outcome.timed_out, outcome.output
    if code == 0 and not timed_out and not outcome.killed:
        return False
    watched = out_dir is not None and monitored(out_dir)
    if ask.py and tracer_suspect(code, timed_out, output, watched):
        return True
    if ask.py and not watched and out_dir is not None and others(out_dir):
        # sys.settrace in a process the tests started: how it failed there need not reach
        # the output (a check that its sys.gettrace() is None), so the failure is confirmed
        # without the tracer (with sys.monitoring nothing of the tests' changes)
        return True
    stopped = timed_out or bool(outcome.killed)
    if ask.go and (stopped or go_named(output)):
        return True
    if ask.rust_cover and (stopped or rust_named(output)):
        return True
    if ask.rb and (stopped or ruby_named(output)):
        return True
    if ask.pl and (stopped or perl_named(output)):
        return True
    if ask.php and (stopped or php_named(output)):
        return True
    if ask.java and (stopped or java_named(output)):
        return True
    if ask.c and not ask.c_why and (stopped or c_named(output)):
        return True
    named = COVERAGE_VAR in output or COVERAGE_DIR in output or KEEPER in output
    if covered:
        named = named or any(w in output for w in SUSPECT_WORDS)
    return bool(ask.js) and (stopped or named)


def read_run(
    out_dir: str | Path,
    seen: str,
    ask: Asked,
    covered: str | None = None,
    runner: str | None = None,
    origin: str | None = None,
) -> Traced | None:
    """What the traced run found, Python's, JavaScript's and Go's together: a side that
    found nothing leaves its files unmeasured, and so does node's own coverage the
    TypeScript files (when jest or vitest did not cover them: ``covered``), and every
    JavaScript file under a ``runner`` that compiles the code and was not asked.
    ``origin``: the user's workspace, when the run saw a copy (:func:`.lines_built.find`)."""
    node = ask.js if covered else {} if runner in COMPILING else ask.v8()
    scripts = read_scripts(out_dir) if _loads_itself(ask, covered, runner) else None
    read = read_istanbul if covered else functools.partial(read_coverage, scripts=scripts)
    python = read_traced(out_dir, seen) if ask.py else None
    if ask.py and python is None:
        python = Traced({}, True, unknown=dict.fromkeys(ask.py, NO_TRACER))
    script = read(out_dir, seen, node) if node else None
    if node and script is None and not covered:
        script = Traced({}, True, unknown=dict.fromkeys(node, NO_COVERAGE))
    sides = [
        (set(ask.py), python),
        (set(node), script),
        (set(ask.go), read_profile(out_dir, seen, ask.go) if ask.go else None),
        (set(ask.rb), read_rubycov(out_dir, ask.rb) if ask.rb else None),
        (set(ask.pl), read_perlcov(out_dir, ask.pl) if ask.pl else None),
        (set(ask.php), read_phpcov(out_dir, ask.php) if ask.php else None),
        (set(ask.java), read_javacov(out_dir, ask.java) if ask.java else None),
        (
            set(ask.c),
            read_ccov(out_dir, seen, ask.c, ask.c_gcov) if ask.c and not ask.c_why else None,
        ),
    ]
    found = find(seen, ask.js, scripts, origin) if scripts else None
    parts = [t for _, t in sides if t is not None]
    if not parts and not found:
        return None
    loads, instead = found or (None, {})
    # TypeScript node loaded in no form of its own ran none of its lines (lines_built)
    none_ran = {r: frozenset[int]() for r in loads.unloaded if r not in node} if loads else {}
    lost = set(ask.js) - set(node)
    lost |= set().union(*(files for files, t in sides if t is None))
    return Traced(
        {**{k: v for t in parts for k, v in t.lines.items()}, **none_ran},
        all(t.intact for t in parts),
        frozenset(lost.union(*(t.unmeasured for t in parts)) - none_ran.keys()),
        any(t.cut for t in parts),
        tuple(c for t in parts for c in t.changes),
        {**{k: v for t in parts for k, v in t.elsewhere.items()}, **instead},
        loads,
        {k: v for t in parts for k, v in t.unknown.items()},
        called=next((t.called for t in parts if not t.intact), None),
        off=any(t.off for t in parts),
    )


def untraced(ask: Asked) -> Traced:
    """What a run redone without tracing (:func:`suspect`) tells of the asked files:
    nothing, and why."""
    files = [*ask.py, *ask.js, *ask.go, *(ask.rs if ask.rust_cover else ()), *ask.rb, *ask.pl]
    files += [*ask.php, *ask.java, *(ask.c if not ask.c_why else ())]
    return Traced({}, True, unknown=dict.fromkeys(files, UNTRACED))
