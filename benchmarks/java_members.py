"""How well the guard against dropped code reads a Java class's members, against what
javac compiled from the same sources.

The guard (``acrouter.javadefinitions.java_members``) reads the methods, nested types,
fields and enum constants each class body declares from the source's code.  This
compares, file by file, the method names it reads with those ``javap -p`` lists in the
file's compiled classes (the top-level classes named after the file and their named
nested classes; not constructors, static initialisers, synthetic methods, anonymous or
local classes), and how many times each name both list is declared (the guard counts
overloads), and then its fields, enum constants and records' components with javap's
fields (not javac's own; a component is its record's private final field, the only
fields a record has that are not static):

- read but not compiled: a name the guard would report as dropped if it went, though
  no such method exists (a false refusal waiting to happen);
- compiled but not read: a method the guard does not protect.

Usage, with Commons Codec's sources and classes from ``benchmarks/lines_cost_java.py``
or ``verify_trust.py`` (any Maven project built once)::

    .venv/bin/python benchmarks/java_members.py --sources DIR/src/main/java --classes DIR/target/classes

or a part of the JDK's own library, from its ``src.zip`` and ``jimage``::

    .venv/bin/python benchmarks/java_members.py --jdk /usr/lib/jvm/java-17-openjdk-amd64 --package java/util

It prints the counts and the first differences, and exits 0.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

from acrouter.javadefinitions import java_members
from members_report import listed

#: a method in javap -p's listing: "  public static int add(int, int);"
_JAVAP_METHOD = re.compile(
    r"^\s+(?:[\w.$<>\[\], ?&]+\s+)?([\w$]+)\(([^()]*)\)(?:\s+throws [^;]+)?;$"
)

#: a field in javap -p's listing: "  private static final int LIMIT;" (an enum's
#: constants too: "  public static final p.Kind ROUND;")
_JAVAP_FIELD = re.compile(r"^\s+(?:[\w.$<>\[\], ?&]+\s+)?([\w$]+);$")

#: a constructor in javap -p's listing: "  public calc.Calc$Bag(int);"
_JAVAP_CONSTRUCTOR = re.compile(
    r"^\s+(?:(?:public|private|protected)\s+)?([\w.$]+)\([^()]*\)(?:\s+throws [^;]+)?;$"
)


def _named(f: Path) -> bool:
    """Whether class file ``f`` is a named class (Name.class, Name$Inner.class), not an
    anonymous or local one (Name$1.class, Name$1Local.class)."""
    return all(p and not p[0].isdigit() for p in f.stem.split("$")[1:])


def _javap_methods(
    files: list[Path], javap: str = "javap"
) -> tuple[
    dict[Path, Counter[str]],
    dict[Path, set[str]],
    dict[Path, Counter[str]],
    dict[Path, Counter[str]],
]:
    """The declared methods of the named classes ``files``, by their source file (its
    folder and the name javac records), counted by name (overloads): no constructors,
    initialisers, synthetic lambdas or accessors, no enum's ``values`` and ``valueOf``,
    each class's constructors as ``constructor Name`` (an implicit one too); the names
    of the classes each source declares; their fields (a record's components among
    them) and enum constants, counted by name (not javac's own, ``this$0``,
    ``$VALUES``); and the records' components, apart."""
    found: dict[Path, Counter[str]] = {}
    classes: dict[Path, set[str]] = {}
    fields: dict[Path, Counter[str]] = {}
    components: dict[Path, Counter[str]] = {}
    for start in range(0, len(files), 200):
        batch = files[start : start + 200]
        out = subprocess.run(
            [javap, "-p", *map(str, batch)], capture_output=True, text=True, check=True
        ).stdout
        parts = re.split(r'^Compiled from "([^"]+)"$', out, flags=re.MULTILINE)[1:]
        for f, source, block in zip(batch, parts[0::2], parts[1::2], strict=True):
            names: Counter[str] = Counter()
            for line in block.splitlines():
                m = _JAVAP_METHOD.match(line)
                if (
                    m
                    and not m.group(1).startswith(("lambda$", "access$"))
                    and "." not in m.group(1)
                ):
                    names[m.group(1)] += 1
            own = f.stem.split("$")[-1]
            del names[own]  # constructors (of a class in no package), counted below
            names[f"constructor {own}"] = sum(
                1
                for line in block.splitlines()
                if (m := _JAVAP_CONSTRUCTOR.match(line))
                and re.split(r"[.$]", m.group(1))[-1] == own
            )
            if re.search(r"\bclass [\w.$]+ extends java\.lang\.Enum<", block):
                # an enum's, made by javac (not a valueOf of its own with other arguments)
                del names["values"], names["$values"]
                if not any(
                    m.group(1) == "valueOf" and m.group(2) != "java.lang.String"
                    for m in map(_JAVAP_METHOD.match, block.splitlines())
                    if m
                ):
                    del names["valueOf"]
            found.setdefault(f.parent / source, Counter()).update(names)
            classes.setdefault(f.parent / source, set()).add(f.stem.split("$")[-1])
            fields.setdefault(f.parent / source, Counter()).update(
                m.group(1)
                for line in block.splitlines()
                if (m := _JAVAP_FIELD.match(line))
                and not re.match(r"\$|(?:this|val)\$", m.group(1))  # (javac's)
            )
            if re.search(
                r"^[^{\n]*\bclass\b[^{\n]* extends java\.lang\.Record\b", block, re.MULTILINE
            ):
                components.setdefault(f.parent / source, Counter()).update(
                    m.group(1)
                    for line in block.splitlines()
                    if (m := _JAVAP_FIELD.match(line)) and " static " not in f" {line.strip()}"
                )
    return found, classes, fields, components


def compare(sources: Path, classes: Path, javap: str = "javap", show: int = 25) -> int:
    files = [
        f
        for f in sorted(sources.rglob("*.java"))
        if f.name not in ("package-info.java", "module-info.java")
    ]
    folders = {classes / f.relative_to(sources).parent for f in files}
    compiled = [c for d in sorted(folders) if d.is_dir() for c in sorted(d.glob("*.class"))]
    methods, declared, variables, components = _javap_methods(
        [c for c in compiled if _named(c)], javap
    )
    read_only: list[str] = []
    compiled_only: list[str] = []
    total_read = total_compiled = compared = 0
    count_read = count_compiled = 0
    read_more: list[str] = []
    compiled_more: list[str] = []
    made_read = made_compiled = 0
    made_more: list[str] = []
    fields_read = fields_compiled = 0
    components_compiled = components_read = 0
    fields_read_only: list[str] = []
    fields_compiled_only: list[str] = []
    for src in files:
        rel = src.relative_to(sources)
        have = methods.get(classes / rel)
        if have is None:
            continue
        compared += 1
        text = src.read_text(encoding="utf-8", errors="replace")
        members = java_members(text)
        counted = Counter(m.name for m in members if m.kind not in ("constructor", "variable"))
        held = Counter(m.name for m in members if m.kind == "variable")
        compiled_fields = variables.get(classes / rel, Counter())
        compiled_components = components.get(classes / rel, Counter())
        components_compiled += compiled_components.total()
        components_read += (held & compiled_components).total()
        fields_read += held.total()
        fields_compiled += compiled_fields.total()
        fields_read_only += [f"{rel}: {n}" for n in sorted((held - compiled_fields).elements())]
        fields_compiled_only += [f"{rel}: {n}" for n in sorted((compiled_fields - held).elements())]
        for name in declared[classes / rel]:
            del counted[name]
        made = Counter(f"constructor {m.name}" for m in members if m.kind == "constructor")
        for name in declared[classes / rel]:
            key = f"constructor {name}"
            made_read += made[key]
            made_compiled += have[key]
            if made[key] > have[key]:
                made_more.append(f"{rel}: {key} ({made[key]} read, {have[key]} compiled)")
            del have[key]
        read = set(counted)
        total_read += len(read)
        total_compiled += len(have)
        read_only += [f"{rel}: {n}" for n in sorted(read - set(have))]
        compiled_only += [f"{rel}: {n}" for n in sorted(set(have) - read)]
        for name in sorted(read & set(have)):
            count_read += counted[name]
            count_compiled += have[name]
            if counted[name] > have[name]:
                read_more.append(f"{rel}: {name} ({counted[name]} read, {have[name]} compiled)")
            elif counted[name] < have[name]:
                compiled_more.append(f"{rel}: {name} ({counted[name]} read, {have[name]} compiled)")
    print(f"files compared: {compared}")
    print(f"method names read by the guard: {total_read}; compiled (javap): {total_compiled}")
    listed("read but not compiled (false refusals waiting to happen)", read_only, show)
    listed("compiled but not read (methods the guard does not protect)", compiled_only, show)
    print(
        f"declarations of the names both have (overloads counted): read {count_read}; "
        f"compiled {count_compiled}"
    )
    listed("names read more often than compiled", read_more, show)
    listed("names compiled more often than read (bridges among them)", compiled_more, show)
    print(
        f"constructors read: {made_read}; compiled: {made_compiled} (javac's own among "
        "them, and those that take nothing and do nothing, which the guard leaves out)"
    )
    listed("classes with more constructors read than compiled", made_more, show)
    print(
        "fields, enum constants and record components read by the guard: "
        f"{fields_read}; compiled: {fields_compiled}"
    )
    print(
        f"record components among them: compiled {components_compiled}, "
        f"read (by their names) {components_read}"
    )
    listed("fields read but not compiled", fields_read_only, show)
    listed("fields compiled but not read", fields_compiled_only, show)
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sources", type=Path, help="a source folder (src/main/java)")
    p.add_argument("--classes", type=Path, help="its compiled classes (target/classes)")
    p.add_argument("--jdk", type=Path, help="a JDK with lib/src.zip and lib/modules")
    p.add_argument("--package", default="java/util", help="with --jdk: the package folder")
    p.add_argument("--show", type=int, default=25, help="differences listed of each kind")
    args = p.parse_args(argv)
    if args.jdk:
        if not (args.jdk / "lib/src.zip").is_file():
            p.error(f"{args.jdk}/lib/src.zip is missing (Debian: openjdk-NN-source)")
        with tempfile.TemporaryDirectory(prefix="acrouter-java-members-") as tmp:
            src, cls = Path(tmp) / "src", Path(tmp) / "classes"
            with zipfile.ZipFile(args.jdk / "lib/src.zip") as z:
                prefix = f"java.base/{args.package}/"
                names = [
                    n for n in z.namelist() if n.startswith(prefix) and "/" not in n[len(prefix) :]
                ]
                for n in names:
                    target = src / n[len("java.base/") :]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(z.read(n))
            print(
                f"extracting java.base/{args.package} from {args.jdk}/lib/modules ...", flush=True
            )
            only = f"regex:/java.base/{args.package}/[^/]*"
            subprocess.run(
                [str(args.jdk / "bin/jimage"), "extract", "--dir", str(cls), "--include", only]
                + [str(args.jdk / "lib/modules")],
                check=True,
            )
            return compare(src, cls / "java.base", str(args.jdk / "bin/javap"), args.show)
    if not (args.sources and args.classes):
        p.error("give --sources and --classes, or --jdk")
    return compare(args.sources, args.classes, show=args.show)


if __name__ == "__main__":
    raise SystemExit(main())
