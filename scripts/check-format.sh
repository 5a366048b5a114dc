#!/usr/bin/env bash
# Fails when a tracked C++ file differs from what clang-format (the repo's .clang-format) makes
# of it; lists the files. Run as a ctest test, so CI checks formatting on every run.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if ! command -v clang-format >/dev/null; then
    echo "clang-format is not installed: run scripts/setup-debian.sh --tests" >&2
    exit 1
fi
bad=0
while IFS= read -r -d '' file; do
    if ! clang-format --style=file "$file" | cmp -s - "$file"; then
        echo "needs clang-format: $file"
        bad=1
    fi
done < <(git ls-files -z --cached --others --exclude-standard -- '*.h' '*.cpp')
exit $bad
