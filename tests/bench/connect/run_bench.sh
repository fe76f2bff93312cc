#!/bin/bash
# connect.region_merge benchmarks, each against its peers in the same run:
#   figures.py: instance quality on segmentations with known truth and missing pieces
#               (vesicles, double membranes, sheet stacks, the real shapes of
#               ../shared/data/real-labels) against plain and dilated 26-connected components;
#   speed.py:   1024x1024x300 with 2 % membrane voxels against scipy.ndimage.label with
#               MemBrain-seg's relabelling and scikit-learn's DBSCAN.
#   run_bench.sh [BUILD_DIR] [THREADS] [figures|speed|all]
# BUILD_DIR defaults to build-conn beside this checkout's sources.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source_dir="$(cd "$here/../../.." && pwd)"
build_dir="${1:-$source_dir/build-conn}"
threads="${2:-$(nproc)}"
what="${3:-all}"
python="${CELLFORGE_PYTHON:-/usr/bin/python3}"
bench="$build_dir/bin/connect_bench"
[ -x "$bench" ] || { echo "connect_bench not found in $build_dir/bin (build the target first)" >&2; exit 2; }
"$python" -c "import sklearn" 2>/dev/null || echo "note: python3-sklearn is not installed; DBSCAN is skipped" >&2

if [ "$what" = figures ] || [ "$what" = all ]; then
    echo "== instance quality (figures.py)"
    "$python" "$here/figures.py" --bench "$bench" --shared-data "$source_dir/../shared/data"
fi
if [ "$what" = speed ] || [ "$what" = all ]; then
    echo "== speed (speed.py, $threads threads)"
    "$python" "$here/speed.py" --bench "$bench" --threads "$threads"
fi
