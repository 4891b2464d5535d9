"""What a sandboxed run is given (``RunSpec``) and what it gives back (``RunOutcome``)."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from .bwrap import Mount
from .limits import Limits


@attrs.frozen
class RunSpec:
    argv: tuple[str, ...]
    cwd: str  # as seen by the command
    env: Mapping[str, str]
    timeout_s: float
    mounts: tuple[Mount, ...] = ()  # bwrap only; applied in order after the base layout
    hide: tuple[str, ...] = ()  # host folders / files hidden inside the sandbox (bwrap only)
    limits: Limits = attrs.field(factory=Limits)
    capture: str | None = None  # host file that receives the whole output (up to a bound)
    #: host folder where whatever the run writes outside its tmpfs mounts lands (its
    #: scratch folder): its growth is bounded while the run runs (:mod:`.writebound`)
    write_root: str | None = None


@attrs.frozen
class RunOutcome:
    exit_code: int | None  # 128 + n when killed by signal n
    timed_out: bool
    killed: str | None  # why the watcher stopped the run
    output: str  # head + tail of stdout+stderr
    output_bytes: int  # everything the command wrote
    duration_ms: float
    max_processes_seen: int
    #: how the number of processes was bounded (bwrap mode), for the why: says so when
    #: no pids cgroup held the run (e.g. cgroups not delegated to the user) and why
    process_bound: str = ""
    #: ``killed`` by the machine's free space (:class:`.writebound.Stop`): not the edit's doing
    low_space: bool = False
