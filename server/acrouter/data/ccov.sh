#!/bin/sh
# ACRouter: gcc's coverage (--coverage) for the compilations of the workspace's C and C++
# sources in the tests' run with the edit (lines_ccov.py).  The notes (.gcno) and counts
# (.gcda) go into a fresh folder of the verifier's out folder, never the workspace; any
# compilation this script does not instrument runs as it was asked.
real=@REAL@
out=@OUT@
seen=@SEEN@
bin=@BIN@
gcov=@GCOV@
kind=@KIND@
# our folder off the PATH of what runs next (ccache, c89-gcc and the like find the real one)
set -f
p=
old_ifs=$IFS
IFS=:
for d in $PATH; do [ "$d" = "$bin" ] || p="${p:+$p:}$d"; done
IFS=$old_ifs
set +f
PATH=$p
export PATH

mode=link; deps=; own=; aux=; at=; skip=; target=; n=0; mine=; srcs=; stem=; nolib=; arch=
for a in "$@"; do
  if [ -n "$skip" ]; then
    [ "$skip" = o ] && target=$a
    skip=
    continue
  fi
  case $a in
    -c) mode=compile ;;
    -S|-E) mode=none ;;
    -M|-MM) deps=1 ;;
    --coverage|-fprofile-arcs|-ftest-coverage|-fprofile-generate*|-fprofile-instr-generate*|\
    -fprofile-dir=*|-fprofile-note=*|-fprofile-abs-path|-fcoverage-mapping|-fprofile-update=*|\
    -fprofile-prefix-path=*|-dumpdir*|-dumpbase*) own=1; case $a in -dumpdir|-dumpbase|-dumpbase-ext) skip=1 ;; esac ;;
    -MD|-MMD|-save-temps*|-gsplit-dwarf|-fstack-usage|-fdump-*|-fcallgraph-info*|-fdiagnostics-format=*-file) aux=1 ;;
    -nostdlib|-nodefaultlibs|-nostartfiles|-nolibc) nolib=1 ;;
    -m32|-mx32|-m16|-m31|-m64|--target=*|-march=*) arch=1 ;;
    -o) skip=o ;;
    -I|-L|-D|-U|-x|-include|-imacros|-idirafter|-iprefix|-iwithprefix|-iwithprefixbefore|\
    -isystem|-isysroot|-iquote|-imultilib|-MF|-MT|-MQ|-Xlinker|-Xassembler|-Xpreprocessor|\
    -aux-info|-T|-u|-z|-e|--param|-A|-l|-B|-wrapper|-specs|-Xclang|-target|--target|-arch) skip=1 ;;
    @*) at=1 ;;
    -*) ;;
    *.c|*.cc|*.cp|*.cxx|*.cpp|*.CPP|*.c++|*.C)
      n=$((n + 1))
      case $a in /*) f=$a ;; *) f=$PWD/$a ;; esac
      srcs="$srcs$f
"
      stem=${a##*/}; stem=${stem%.*}
      case $f in "$seen"/*) mine=1 ;; esac ;;
  esac
done
[ -n "$deps" ] && [ -z "$aux" ] && mode=none

# a line in the out folder saying why a compilation of workspace sources was left alone
note() {
  printf '%s' "$srcs" | while IFS= read -r f; do
    printf '%s\t%s\n' "$1" "$f" >> "$out/acrouter-c-skipped"
  done
}

if [ -n "$at" ] || [ "$mode" = none ]; then
  [ -n "$at" ] && [ -n "$mine" ] && note response
  exec "$real" "$@"
fi
if [ "$kind" != gcc ]; then
  [ -n "$mine" ] && note "$kind"
  exec "$real" "$@"
fi
if [ -n "$own" ]; then
  [ -n "$mine" ] && note own
  exec "$real" "$@"
fi
if [ -n "$mine" ] && [ "$n" -gt 1 ] && [ -n "$aux" ]; then
  note aux
  mine=
fi

# the process marks of a link of the workspace's own programs (lines_ccov: cut)
mark=
if [ "$mode" = link ] && [ -z "$nolib$arch" ]; then
  case "$PWD/:$target" in
    "$seen"/*|*:"$seen"/*) mark=1 ;;
  esac
fi
if [ -n "$mark" ]; then
  obj=$out/acrouter-c-mark.o
  if [ ! -s "$obj" ]; then
    "$real" -x c -c -fPIC -O1 -w -o "$obj.$$" "$out/acrouter-c-mark.c" >/dev/null 2>&1 \
      && mv -f "$obj.$$" "$obj"
    rm -f "$obj.$$"
  fi
  [ -s "$obj" ] || mark=
fi

if [ -z "$mine" ]; then
  if [ "$mode" = link ]; then
    if [ -n "$mark" ]; then exec "$real" "$@" "$obj" -lgcov; fi
    exec "$real" "$@" -lgcov
  fi
  exec "$real" "$@"
fi
notes=$(mktemp -d "$out/acrouter-c-notes.XXXXXX") || exec "$real" "$@"
printf '%s' "$srcs" > "$notes/sources"
printf '%s\n' "$gcov" > "$notes/gcov"
if [ "$n" -gt 1 ]; then
  set -- "$@" --coverage -fprofile-abs-path -dumpdir "$notes/"
else
  set -- "$@" --coverage -fprofile-abs-path "-fprofile-note=$notes/$stem.gcno" "-fprofile-dir=$notes"
fi
if [ -n "$mark" ]; then set -- "$@" "$obj"; fi
exec "$real" "$@"
