"""The environment a test run gets: an allowlist, never keys or tokens, and the
user's credential folders hidden."""

from __future__ import annotations

import logging
import os
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

from .detection import POETRY_VENVS, project_python, pyenv_shim, pyenv_versions, tool_folder

log = logging.getLogger(__name__)

#: Environment variables passed through to the tests (nothing else is).
ENV_ALLOW = frozenset(
    {
        "PATH",
        "LANG",
        "LANGUAGE",
        "LC_ALL",
        "LC_CTYPE",
        "LC_MESSAGES",
        "LC_NUMERIC",
        "LC_COLLATE",
        "LC_TIME",
        "TERM",
        "TZ",
        "USER",
        "LOGNAME",
        "SHELL",
        "COLUMNS",
        "PYTHONPATH",
        "PYTHONHASHSEED",
        "PYTHONIOENCODING",
        "PYTHONUTF8",
        "PYTHONWARNINGS",
        "PYTHONDONTWRITEBYTECODE",
        "PYTHONFAULTHANDLER",
        "PYTHONDEVMODE",
        "PYTHONUNBUFFERED",
        "PYTEST_ADDOPTS",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD",
        "PYTEST_PLUGINS",
        "PYTEST_XDIST_AUTO_NUM_WORKERS",  # how many workers pytest-xdist's `-n auto` starts
        "JAVA_HOME",
        "GOROOT",
        "GOPATH",
        "GOMODCACHE",
        "GOFLAGS",
        "CARGO_HOME",
        "RUSTUP_HOME",
        "NODE_PATH",
        "NVM_DIR",
        "NVM_BIN",
        "PYENV_ROOT",
        "PYENV_VERSION",  # (``pyenv shell 3.12``: the Python the user's shims run)
        "CONDA_PREFIX",
        "HATCH_DATA_DIR",  # where hatch keeps environments (TOOL_ENV_DIRS)
        "POETRY_VIRTUALENVS_PATH",
    }
)
#: Never passed, even if allowlisted by mistake: keys, tokens, cloud credentials.
_ENV_DENY = re.compile(
    r"(^(OPENAI|ANTHROPIC|AWS|AZURE|GOOGLE|GCP|GCLOUD|HF|HUGGING|GITHUB|GH|GITLAB|LITELLM|"
    r"MISTRAL|COHERE|GROQ|DEEPSEEK|OPENROUTER|TOGETHER|DASHSCOPE|MOONSHOT|ZHIPU|MINIMAX)_)"
    r"|KEY|TOKEN|SECRET|PASSW|CREDENTIAL|SESSION|COOKIE|AUTH",
    re.IGNORECASE,
)
#: Folders in the user's home hidden inside the sandbox (credentials live there).
HIDDEN_HOME_DIRS = (
    ".ssh",
    ".aws",
    ".gnupg",
    ".docker",
    ".kube",
    ".azure",
    ".config/gcloud",
    ".config/gh",
)
HIDDEN_HOME_FILES = (
    ".netrc",
    ".git-credentials",
    ".pypirc",
    ".npmrc",
    # repositories' and signing credentials (the run's Gradle has a home of its own)
    ".gradle/gradle.properties",
    # Maven's master password (its settings.xml, which an empty file would break, is
    # read without its credentials instead: maven_settings)
    ".m2/settings-security.xml",
)
#: Where Python tools keep the project's virtualenvs outside it, in the user's home:
#: (variable, XDG base variable, its default under the home, folder under it).  The
#: tests' HOME is a scratch folder, so ``hatch test`` / ``hatch run`` and ``poetry run``
#: found no environment, made a new one and, without network, failed.  The variable is
#: set to the real folder (read-only in the sandbox) when it exists and the user has not
#: set it.  (``pipenv run`` found its virtualenv without: ``benchmarks/python_tools.py``.)
TOOL_ENV_DIRS = (("HATCH_DATA_DIR", "XDG_DATA_HOME", ".local/share", "hatch"), POETRY_VENVS)


def build_env(
    base: Mapping[str, str],
    *,
    home: str,
    tmp: str,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The tests' environment: allowlisted variables of ``base`` plus HOME/TMPDIR."""
    env = {k: v for k, v in base.items() if k in ENV_ALLOW and not _ENV_DENY.search(k)}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env.setdefault("LANG", "C.UTF-8")
    real_home = Path(base.get("HOME") or os.path.expanduser("~"))
    for var, name in (("CARGO_HOME", ".cargo"), ("RUSTUP_HOME", ".rustup"), ("GOPATH", "go")):
        if var not in env and _is_dir(real_home / name):
            env[var] = str(real_home / name)
    env.update(
        HOME=home,
        TMPDIR=tmp,
        CI="true",
        GOCACHE=f"{home}/.cache/go-build",
        npm_config_cache=f"{home}/.npm",
        GIT_CONFIG_NOSYSTEM="1",
    )
    for k, v in (extra or {}).items():
        if _ENV_DENY.search(k):
            raise ValueError(f"refusing to pass {k} to the tests")
        env[k] = v
    return env


def tool_env_dirs(base: Mapping[str, str]) -> dict[str, str]:
    """:data:`TOOL_ENV_DIRS` that exist in the real home of ``base`` and are not set."""
    found: dict[str, str] = {}
    for row in TOOL_ENV_DIRS:
        folder = tool_folder(base, row)
        if row[0] not in base and _is_dir(folder):
            found[row[0]] = str(folder)
    return found


def gradle_home(home: str, base: Mapping[str, str]) -> dict[str, str]:
    """Gradle's variables for a run whose HOME is the scratch folder ``home``.  Java
    takes the user's home from the password database, not ``HOME``, so Gradle wrote its
    caches and locks in the real ``~/.gradle``: read-only in the sandbox, where every
    Gradle build failed ("Could not create service of type FileHasher ... Read-only file
    system").  So ``GRADLE_USER_HOME`` is ``home/.gradle``; the real one's dependency
    cache is Gradle's read-only cache (``GRADLE_RO_DEP_CACHE``: what the user's builds
    downloaded, as the sandbox has no network); and the Gradle versions the wrapper
    (``./gradlew``) unpacked there are linked into ``home/.gradle/wrapper/dists``, their
    marker files copied, so the wrapper finds them and writes its lock files in
    ``home``; so are the JDKs Gradle provisioned for toolchains (``jdks``).  The real
    one's ``gradle.properties`` and ``init.d`` are not brought: repositories'
    credentials live there."""
    real_home = Path(base.get("HOME") or os.path.expanduser("~"))
    real = Path(base.get("GRADLE_USER_HOME") or real_home / ".gradle")
    ours = Path(home) / ".gradle"
    env = {"GRADLE_USER_HOME": str(ours)}
    if base.get("GRADLE_RO_DEP_CACHE"):
        env["GRADLE_RO_DEP_CACHE"] = base["GRADLE_RO_DEP_CACHE"]
    elif _is_dir(real / "caches" / "modules-2"):
        env["GRADLE_RO_DEP_CACHE"] = str(real / "caches")
    _link_wrapper_dists(real / "wrapper" / "dists", ours / "wrapper" / "dists")
    if _is_dir(real / "jdks") and not (ours / "jdks").exists():
        try:  # the JDKs Gradle provisioned for a build's toolchain, found there
            ours.mkdir(parents=True, exist_ok=True)
            (ours / "jdks").symlink_to(real / "jdks")
        except OSError as e:
            log.debug("not linking Gradle's JDKs: %s", e)
    return env


#: an XML comment (Maven's own settings.xml template holds its examples in them)
_XML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
#: the parts of Maven's settings.xml that hold credentials: each server's password,
#: passphrase and private key, each proxy's password
_MAVEN_CREDENTIALS = re.compile(r"<(servers|proxies)\b[^>]*?(?:/>|>.*?</\1\s*>)", re.DOTALL)
#: the copy the sandbox's Maven reads, in the run's home
MAVEN_SETTINGS_COPY = ".acrouter-maven-settings.xml"


def settings_without_credentials(text: str) -> str:
    """Maven's ``settings.xml`` without its comments, ``<servers>`` and ``<proxies>``;
    its local repository, mirrors and profiles are kept (offline, an artifact downloaded
    through a mirror is found only under the mirror's id)."""
    return _MAVEN_CREDENTIALS.sub("", _XML_COMMENT.sub("", text))


def java_user_home() -> str:
    """The home Java takes as ``user.home``: the password database's, not ``HOME``."""
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_dir
    except (ImportError, KeyError):
        return os.path.expanduser("~")


def maven_settings(home: str) -> tuple[str, str] | None:
    """``(copy, path)``: the user's ``~/.m2/settings.xml`` (``path``, in the home Java
    takes from the password database, as Maven's ``user.home``) without its credentials,
    written as ``copy`` in the run's scratch ``home``, for the sandbox to put in its
    place; None when there is none.  Hidden outright it would be an empty file, which
    Maven refuses ("Non-readable settings … input contained no data")."""
    path = Path(java_user_home()) / ".m2" / "settings.xml"
    try:
        if path.is_symlink() or not path.is_file():
            return None
        text = path.read_text(encoding="utf-8", errors="replace")
        copy = Path(home) / MAVEN_SETTINGS_COPY
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(settings_without_credentials(text), encoding="utf-8")
    except OSError as e:
        log.debug("not bringing Maven's settings: %s", e)
        return None
    return str(copy), str(path)


def gradle_dependency_cache(base: Mapping[str, str]) -> str | None:
    """The user's Gradle dependency cache (``~/.gradle/caches/modules-2``, or under
    ``$GRADLE_USER_HOME``), if there is one: the sandbox lays it under the run's own
    Gradle home as an overlay, where a Gradle older than 6.2, which does not read
    ``GRADLE_RO_DEP_CACHE``, finds what the user's builds downloaded."""
    real_home = Path(base.get("HOME") or os.path.expanduser("~"))
    cache = Path(base.get("GRADLE_USER_HOME") or real_home / ".gradle") / "caches" / "modules-2"
    return str(cache) if _is_dir(cache) and not cache.is_symlink() else None


def maven_repository() -> str | None:
    """The user's Maven repository (``~/.m2/repository`` in the home Java takes from the
    password database, Maven's ``user.home``), if there is one: the sandbox lays it under
    an overlay at its own path, so ``mvn install`` can write there (into the run's scratch
    folder); read-only, every install failed ("Failed to install artifact … (No such file
    or directory)") after the tests had run."""
    repo = Path(java_user_home()) / ".m2" / "repository"
    return str(repo) if _is_dir(repo) and not repo.is_symlink() else None


def _link_wrapper_dists(real: Path, ours: Path) -> None:
    """``dists/<name>/<hash>/``: each unpacked Gradle linked, each small file (the
    ``.ok`` marker) copied; the downloaded zips and lock files are left."""
    try:
        versions = [d for d in real.glob("*/*") if d.is_dir()]
    except OSError:
        return
    for version in versions:
        mine = ours / version.relative_to(real)
        try:
            mine.mkdir(parents=True, exist_ok=True)
            for item in version.iterdir():
                if (mine / item.name).exists() or item.name.endswith((".zip", ".lck", ".part")):
                    continue
                if item.is_dir():
                    (mine / item.name).symlink_to(item)
                elif item.stat().st_size < 4096:
                    shutil.copyfile(item, mine / item.name)
        except OSError as e:
            log.debug("not linking Gradle %s: %s", version, e)


def tox_pass_env(extra: Mapping[str, str]) -> str:
    """``TOX_OVERRIDE`` passing the run's own variables (``extra``: the tracer's
    ``PYTHONPATH``, pytest's report request in ``PYTEST_ADDOPTS``, ...) through tox, which
    gives its commands only the variables its ``pass_env`` names: ``tox -e py311`` was
    weak (no report) and its pass said no test ran the lines it changed (the tracer ran
    only in tox's own process)."""
    names = {k for k in extra if k not in ("PATH", "VIRTUAL_ENV")}
    names |= {"PYTHONPATH", "PYTEST_ADDOPTS", "ACROUTER_*"}  # the tracer's, added later
    return "testenv.pass_env+=" + ",".join(sorted(names))


def _is_dir(path: Path) -> bool:
    """``path.is_dir()``, False also when this user may not look (``/root/.cargo`` for
    a user whose HOME is still root's, as after ``su`` without ``-``)."""
    try:
        return path.is_dir()
    except OSError:
        return False


def hidden_home_paths(home: str | None = None) -> tuple[str, ...]:
    root = Path(home or os.path.expanduser("~"))
    return tuple(str(root / p) for p in (*HIDDEN_HOME_DIRS, *HIDDEN_HOME_FILES))


def project_env(root: Path, source_env: Mapping[str, str]) -> dict[str, str]:
    """VIRTUAL_ENV and PATH for the project's own virtualenv, if it has one (in its
    folder, or poetry's or pipenv's in the user's home); PYENV_VERSION for pyenv's
    shims (:func:`pyenv_version`)."""
    extra: dict[str, str] = pyenv_version(root, source_env)
    venv_python = project_python(root, source_env)
    if venv_python is not None:
        venv = venv_python.parent.parent
        extra["VIRTUAL_ENV"] = str(venv)
        extra["PATH"] = f"{venv / 'bin'}{os.pathsep}{source_env.get('PATH', '/usr/bin:/bin')}"
    return extra


def pyenv_version(root: Path, source_env: Mapping[str, str]) -> dict[str, str]:
    """``PYENV_VERSION`` for a user whose ``python3`` is a pyenv shim and who has not set
    it: the versions pyenv picks in the workspace (its ``.python-version``, or one in a
    folder above it: ``~/projects/.python-version``; else the global one).  The tests run
    in a copy elsewhere (or in a sandbox that shows the workspace alone), where pyenv
    found no such file and ran its global Python, not the one the user's terminal runs
    in the workspace.  Not where the workspace has a ``.python-version`` of its own (at
    its top or a folder below): the copy has it, and a ``PYENV_VERSION`` would override
    a subproject's (``cd api && python3 -m pytest``)."""
    if source_env.get("PYENV_VERSION"):
        return {}  # (passed through: ENV_ALLOW)
    if (root / ".python-version").is_file() or any(root.glob("*/.python-version")):
        return {}
    shim = pyenv_shim("python3", source_env) or pyenv_shim("python", source_env)
    if shim is None:
        return {}
    return {"PYENV_VERSION": ":".join(pyenv_versions(root, source_env, shim.parent.parent))}
