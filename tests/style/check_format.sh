#!/usr/bin/env bash
# Fails, naming the files, when a C++ source of the project differs from what
# clang-format makes of it with the root .clang-format (STYLE.md). Fix with:
#   clang-format -i $(git ls-files '*.cpp' '*.h')
set -euo pipefail
root="$1"
cd "$root"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.cpp' '*.h')
else
  mapfile -t files < <(find app core plugins tests -name '*.cpp' -o -name '*.h')
fi
bad=()
for f in "${files[@]}"; do
  [[ -f "$f" ]] || continue
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then bad+=("$f"); fi
done
if ((${#bad[@]})); then
  echo "not formatted with clang-format (${#bad[@]} of ${#files[@]} files):"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "all ${#files[@]} C++ files are formatted"
