"""How well the guard against dropped code reads what a Go file declares at package
level, against what Go's own parser (``go/parser``) finds in the same file.

The guard (``acrouter.godefinitions.go_members``) reads a file's functions and
methods (with their receiver's type), types, variables and constants from its lines,
brackets counted, and the fields of its structs and the methods and embedded interfaces
of its interfaces (with their type).  This compares, file by file, what it reads with the declarations of
the file's syntax tree, each with the type that owns it (a method's receiver):

- read but not parsed: something the guard would report as dropped if it went, though
  Go sees no such declaration there (a false refusal waiting to happen);
- parsed but not read: a declaration the guard does not protect.

Usage, on Go's own library (the default) or any folder of Go code::

    .venv/bin/python benchmarks/go_members.py
    .venv/bin/python benchmarks/go_members.py --sources /usr/share/gocode/src

It prints the counts and the first differences, and exits 0; files Go cannot parse
(a ``testdata`` folder's broken ones) are left out, and counted.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
from pathlib import Path

from acrouter.godefinitions import go_members
from members_report import compare_parsed, rows

#: the package-level declarations of each file named on standard input, a JSON line per
#: file: [[owner, name, kind], ...], or null when the file does not parse (the blank
#: ``_`` declares nothing a program can name, and the guard does not read it)
PARSER = r"""
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
)

func receiver(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return receiver(t.X)
	case *ast.ParenExpr:
		return receiver(t.X)
	case *ast.IndexExpr:
		return receiver(t.X)
	case *ast.IndexListExpr:
		return receiver(t.X)
	case *ast.Ident:
		return t.Name
	case *ast.SelectorExpr:
		return t.Sel.Name
	}
	return ""
}

// the fields of a struct (an embedded one by its type's name; an array's or a slice's
// element's too) and the methods of an interface a type spec declares, held by the type
func members(s *ast.TypeSpec, out [][3]string) [][3]string {
	typ := s.Type
	for { // (an array's or a slice's elements: type T []struct { … })
		array, ok := typ.(*ast.ArrayType)
		if !ok {
			break
		}
		typ = array.Elt
	}
	switch t := typ.(type) {
	case *ast.StructType:
		for _, f := range t.Fields.List {
			if len(f.Names) == 0 {
				out = append(out, [3]string{s.Name.Name, receiver(f.Type), "variable"})
			}
			for _, n := range f.Names {
				if n.Name != "_" {
					out = append(out, [3]string{s.Name.Name, n.Name, "variable"})
				}
			}
		}
	case *ast.InterfaceType:
		for _, f := range t.Methods.List {
			if _, ok := f.Type.(*ast.FuncType); ok {
				for _, n := range f.Names {
					out = append(out, [3]string{s.Name.Name, n.Name, "method"})
				}
			}
			switch f.Type.(type) { // an embedded interface (not a union's terms)
			case *ast.Ident, *ast.SelectorExpr, *ast.IndexExpr, *ast.IndexListExpr:
				out = append(out, [3]string{s.Name.Name, receiver(f.Type), "variable"})
			}
		}
	}
	return out
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		f, err := parser.ParseFile(token.NewFileSet(), in.Text(), nil, parser.SkipObjectResolution)
		if err != nil {
			fmt.Println("null")
			continue
		}
		out := [][3]string{}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				owner := ""
				if d.Recv != nil && len(d.Recv.List) > 0 {
					owner = receiver(d.Recv.List[0].Type)
				}
				if d.Name.Name != "_" {
					out = append(out, [3]string{owner, d.Name.Name, "method"})
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						if s.Name.Name != "_" {
							out = append(out, [3]string{"", s.Name.Name, "type"})
							out = members(s, out)
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.Name != "_" {
								out = append(out, [3]string{"", n.Name, "variable"})
							}
						}
					}
				}
			}
		}
		line, _ := json.Marshal(out)
		fmt.Println(string(line))
	}
}
"""


def _parsed(files: list[Path], go: str = "go") -> list[list[tuple[str, str, str]] | None]:
    with tempfile.TemporaryDirectory() as tmp:
        main = Path(tmp) / "main.go"
        main.write_text(PARSER)
        env = {**os.environ, "GO111MODULE": "off", "GOFLAGS": ""}
        out = subprocess.run(
            [go, "run", str(main)],
            input="".join(f"{f}\n" for f in files),
            capture_output=True,
            text=True,
            check=True,
            cwd=tmp,
            env=env,
        ).stdout
    return rows(out)


def compare(sources: Path, go: str = "go", show: int = 25) -> int:
    files = sorted(f for f in sources.rglob("*.go") if f.is_file())
    return compare_parsed(
        sources,
        files,
        _parsed(files, go),
        lambda text: ((m.owner, m.name, m.kind) for m in go_members(text)),
        judge="Go",
        noun="declarations",
        owners="by the type that owns each (a method's receiver; how a loss is named):",
        shown=_shown,
        show=show,
    )


def _shown(owner: str, name: str, kind: str) -> str:
    return f"{owner}.{name} ({kind})" if owner else f"{name} ({kind})"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sources", type=Path, help="a folder of Go files (default: Go's own)")
    p.add_argument("--go", default="go", help="the go to parse with")
    p.add_argument("--show", type=int, default=25, help="differences listed of each kind")
    args = p.parse_args(argv)
    sources = args.sources
    if sources is None:
        root = subprocess.run(
            [args.go, "env", "GOROOT"], capture_output=True, text=True, check=True
        ).stdout.strip()
        sources = Path(root) / "src"
    if not sources.is_dir():
        p.error(f"{sources} is not a folder")
    return compare(sources, args.go, args.show)


if __name__ == "__main__":
    raise SystemExit(main())
