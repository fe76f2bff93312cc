#!/usr/bin/env bash
# Runs the GUI benchmark under Xvfb (software GL, as the issue asks) and a peer for the
# memory figure: python3-mrcfile reading the same MRC file into memory.
# Usage: tests/bench/gui/run_bench.sh BUILD_DIR [--dims NX,NY,NZ] [--slices N]
set -euo pipefail
build=${1:?usage: run_bench.sh BUILD_DIR [options]}
shift
work=$(mktemp -d /tmp/cellforge-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" XDG_DATA_HOME="$work/home/data" XDG_CONFIG_HOME="$work/home/config"
QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1920x1200x24" \
  "$build/bin/cellforge_bench_gui_slices" --workdir "$work" --keep "$@"
/usr/bin/python3 - "$work/bench_tomogram.mrc" <<'PY'
import sys, time, mrcfile
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
base = rss()
t = time.time()
with mrcfile.open(sys.argv[1], permissive=True) as m:
    data = m.data.copy()
elapsed = time.time() - t
mib = data.nbytes / 2**20
print(f"peer python3-mrcfile: read {mib:.0f} MiB in {elapsed:.1f} s; resident {rss():.0f} MiB "
      f"(added {rss() - base:.0f} MiB, {(rss() - base) / mib:.2f} x data)")
PY
