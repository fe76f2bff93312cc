#!/bin/bash
# The filters benchmark: CellForge's Gaussian (sigma 2) and median (radius 2) against
# scipy.ndimage on the same seeded 512x512x200 float32 volume, in the same run.
#   run_bench.sh [BUILD_DIR] [NX NY NZ] [THREADS]
# BUILD_DIR defaults to build-filters beside this checkout's sources.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source_dir="$(cd "$here/../../.." && pwd)"
build_dir="${1:-$source_dir/build-filters}"
nx="${2:-512}"; ny="${3:-512}"; nz="${4:-200}"
threads="${5:-$(nproc)}"
python="${CELLFORGE_PYTHON:-/usr/bin/python3}"
bench="$build_dir/bin/filters_bench"
[ -x "$bench" ] || bench="$(find "$build_dir" -name filters_bench -type f -perm -u+x | head -n1)"
[ -x "$bench" ] || { echo "filters_bench not found under $build_dir (build the target first)" >&2; exit 2; }

work="$(mktemp -d /tmp/cellforge-filters-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
"$python" "$here/bench_scipy.py" generate "$work/input.raw" "$nx" "$ny" "$nz" 20240611
echo "CellForge filters_bench ($threads threads):"
"$bench" "$work/input.raw" "$nx" "$ny" "$nz" "$work/out" "$threads" 1 | tee "$work/times.txt"
echo "scipy.ndimage on the same data:"
"$python" "$here/bench_scipy.py" compare "$work/input.raw" "$nx" "$ny" "$nz" "$work/out" "$work/times.txt"
