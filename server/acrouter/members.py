"""What a class body declares, as the guard against dropped code reads it in languages
whose methods the line patterns do not see (:mod:`.javadefinitions`,
:mod:`.rubydefinitions`, :mod:`.cdefinitions`, :mod:`.godefinitions`,
:mod:`.kotlindefinitions`, :mod:`.phpdefinitions`)."""

from __future__ import annotations

from typing import Literal, NamedTuple

#: a method (a C function), a constructor, a nested type (a C struct, a typedef), a C
#: function's prototype, a C macro, a Go variable or constant, a Kotlin property, a PHP
#: constant, property, enum case or used trait
Kind = Literal["method", "constructor", "type", "declaration", "macro", "variable"]


class Member(NamedTuple):
    """A method, constructor or nested type a class (or module) body declares."""

    line: int  # 0-based
    name: str  # the method's or type's name; a constructor's is its class's
    header: str  # the declaration's first line
    owner: str  # the class whose body declares it, dotted from the file's top level
    kind: Kind = "method"
