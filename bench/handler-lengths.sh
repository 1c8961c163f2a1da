#!/usr/bin/env bash
# The length of each door's handlers: every `async fn` in crates/loket-web/src/pages and
# crates/loket-web/src/api, counted from the line of `async fn` to the line of its closing brace
# (both included; its doc comments and attributes are not counted). Prints the longest of each
# door, then the N longest overall. See docs/architecture.md, "Handlers stay short".
#
#   bash bench/handler-lengths.sh        # the longest of each door and the 10 longest
#   TOP=30 bash bench/handler-lengths.sh # the 30 longest
#
# Braces are counted outside string, char and comment text; that is enough for this code.
set -euo pipefail

cd "$(dirname "$0")/.."
TOP=${TOP:-10}

lengths() {
  # Prints "<lines> <file>:<line> <name>" for each async fn of the files given.
  awk '
    function strip(s,   out, i, c, n, in_str, esc) {
      out = ""; in_str = 0; esc = 0; n = length(s)
      for (i = 1; i <= n; i++) {
        c = substr(s, i, 1)
        if (in_str) {
          if (esc) { esc = 0 } else if (c == "\\") { esc = 1 } else if (c == "\"") { in_str = 0 }
          continue
        }
        if (c == "/" && substr(s, i + 1, 1) == "/") break
        if (c == "\"") { in_str = 1; continue }
        if (c == "'"'"'" && substr(s, i + 2, 1) == "'"'"'") { i += 2; continue }
        if (c == "'"'"'" && substr(s, i + 1, 1) == "\\" && substr(s, i + 3, 1) == "'"'"'") { i += 3; continue }
        out = out c
      }
      return out
    }
    FNR == 1 { active = 0 }
    {
      line = strip($0)
      if (!active && line ~ /(^|[^A-Za-z0-9_])async fn [A-Za-z0-9_]+/) {
        match(line, /async fn [A-Za-z0-9_]+/)
        name = substr(line, RSTART + 9, RLENGTH - 9)
        active = 1; start = FNR; depth = 0; opened = 0; parens = 0
      }
      if (active) {
        n = length(line)
        for (i = 1; i <= n; i++) {
          c = substr(line, i, 1)
          if (!opened) {
            # The signature: braces of a pattern in the parameters are not the body.
            if (c == "(") parens++
            else if (c == ")") parens--
            else if (c == "{" && parens == 0) { depth = 1; opened = 1 }
          }
          else if (c == "{") depth++
          else if (c == "}") depth--
        }
        if (!opened && line ~ /;[[:space:]]*$/) { active = 0 }   # a declaration without a body
        else if (opened && depth == 0) {
          print FNR - start + 1, FILENAME ":" start, name
          active = 0
        }
      }
    }
  ' "$@"
}

for door in pages api; do
  mapfile -t files < <(find "crates/loket-web/src/$door" -name '*.rs' | sort)
  longest=$(lengths "${files[@]}" | sort -k1,1nr -k2,2 | head -n 1)
  count=$(lengths "${files[@]}" | wc -l)
  echo "longest async fn in $door/ ($count in all): ${longest:-none}"
done
echo
echo "the $TOP longest:"
mapfile -t all < <(find crates/loket-web/src/pages crates/loket-web/src/api -name '*.rs' | sort)
lengths "${all[@]}" | sort -k1,1nr -k2,2 | head -n "$TOP"
