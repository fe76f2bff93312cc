#!/bin/bash
# MRC read benchmark: CellForge's reader against `cat FILE > /dev/null` (the ceiling for
# getting the bytes out of the page cache) and python3-mrcfile (mrcfile.read into a
# numpy array), on the same 1 GiB float32 file, in the same run, from a warm page cache.
#
#   tests/bench/mrc_read/run_bench.sh [BENCH_BINARY] [SIZE_MIB]
#
# BENCH_BINARY defaults to build/bin/bench_mrc_read under the checkout; SIZE_MIB to 1024;
# REPEATS (environment, default 5) reads of each kind, the best one counted.
# Goals: CellForge at >= 0.8 of cat's throughput, and faster than mrcfile.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
bench="${1:-$root/build/bin/bench_mrc_read}"
size_mib="${2:-1024}"
python=/usr/bin/python3
repeats="${REPEATS:-5}"

if [[ ! -x "$bench" ]]; then
  echo "bench_mrc_read not found at '$bench' (build it: ninja bench_mrc_read)" >&2
  exit 2
fi
work="$(mktemp -d /tmp/cellforge-mrcbench-XXXXXX)"
trap 'rm -rf "$work"' EXIT
file="$work/bench.mrc"

# 1. The file: float32, 1024 x 1024 x (SIZE_MIB / 4) written by mrcfile.
"$python" - "$file" "$size_mib" <<'PY'
import sys, numpy as np, mrcfile
path, mib = sys.argv[1], int(sys.argv[2])
nz = max(1, mib // 4)
rng = np.random.default_rng(1)
with mrcfile.new(path, overwrite=True) as m:
    m.set_data(np.zeros((nz, 1024, 1024), dtype=np.float32))
    for z in range(nz):
        m.data[z] = rng.standard_normal((1024, 1024), dtype=np.float32)
    m.voxel_size = 4.0
    m.update_header_stats()
PY
bytes=$(stat -c %s "$file")
echo "file: $file, $bytes bytes ($(( bytes / 1048576 )) MiB), float32"

# 2. Warm the page cache.
cat "$file" > /dev/null
cat "$file" > /dev/null

calc() { awk "BEGIN { printf \"%.4f\", $1 }"; }

# 3. cat: best of N, wall time from date; peak RSS from GNU time when present.
best_cat=""
for _ in $(seq $repeats); do
  t0=$(date +%s.%N); cat "$file" > /dev/null; t1=$(date +%s.%N)
  t=$(calc "$t1 - $t0")
  if [[ -z "$best_cat" ]] || [[ $(calc "$t < $best_cat") == "1.0000" ]]; then best_cat=$t; fi
done
cat_rss="n/a"
if [[ -x /usr/bin/time ]]; then
  cat_rss=$( { /usr/bin/time -f "%M" cat "$file" > /dev/null; } 2>&1 | tail -1 )
  cat_rss=$(calc "$cat_rss / 1024")
fi

# 4. CellForge.
cf_out="$("$bench" "$file" $repeats)"
echo "$cf_out" | sed 's/^/  /'
cf_line=$(echo "$cf_out" | grep '^cellforge ')
best_cf=$(echo "$cf_line" | sed 's/.*best_s=\([0-9.]*\).*/\1/')
cf_rss=$(echo "$cf_line" | sed 's/.*peak_rss_mib=\([0-9.]*\).*/\1/')

# 5. mrcfile.read + numpy, timed inside Python (interpreter start-up excluded).
mf_out="$("$python" - "$file" $repeats <<'PY'
import sys, time, resource, mrcfile, numpy as np
path, repeats = sys.argv[1], int(sys.argv[2])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
best = 1e30
for _ in range(repeats):
    t0 = time.perf_counter()
    data = mrcfile.read(path)
    t = time.perf_counter() - t0
    best = min(best, t)
    assert data.dtype == np.float32
    del data
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print("mrcfile best_s=%.4f peak_rss_mib=%.0f interpreter_mib=%.0f" % (best, peak / 1024, base / 1024))
PY
)"
best_mf=$(echo "$mf_out" | sed 's/.*best_s=\([0-9.]*\).*/\1/')
mf_rss=$(echo "$mf_out" | sed 's/.*peak_rss_mib=\([0-9.]*\).*/\1/')
mf_base=$(echo "$mf_out" | sed 's/.*interpreter_mib=\([0-9.]*\).*/\1/')

gbs() { calc "$bytes / $1 / 1000000000"; }
echo
printf "%-22s %9s %9s %14s\n" "reader" "best s" "GB/s" "peak RSS MiB"
printf "%-22s %9.4f %9s %14s\n" "cat > /dev/null" "$best_cat" "$(gbs "$best_cat")" "$cat_rss"
printf "%-22s %9.4f %9s %14s\n" "CellForge readVolume" "$best_cf" "$(gbs "$best_cf")" "$cf_rss"
printf "%-22s %9.4f %9s %14s\n" "mrcfile.read" "$best_mf" "$(gbs "$best_mf")" "$mf_rss (interp. $mf_base)"
echo
echo "CellForge / cat throughput: $(calc "$best_cat / $best_cf")   (goal >= 0.8)"
echo "mrcfile time / CellForge time: $(calc "$best_mf / $best_cf")   (goal > 1)"
