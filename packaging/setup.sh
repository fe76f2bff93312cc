#!/usr/bin/env bash
# One-command set-up on a fresh Debian 12 machine (see README.md):
#   packaging/setup.sh demo   install, build, run the default pipeline on the bundled demo
#                             tomogram, then open the desktop program on it (if a display exists)
#   packaging/setup.sh test   install, build, run every test (GUI tests under xvfb-run)
# Optional second argument: the build folder (default: ./build).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mode="${1:-test}"
build="${2:-$root/build}"

case "$mode" in
  demo|test) ;;
  *) echo "usage: $0 demo|test [BUILD_DIR]" >&2; exit 2 ;;
esac

bash "$root/packaging/install-deps.sh"

export CCACHE_BASEDIR="$root"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j "$(nproc)"

if [ "$mode" = "test" ]; then
  cd "$build"
  # Benchmarks are built but not run here (tests/bench/*/run_bench.sh run them).
  exec xvfb-run -a -s "-screen 0 1600x1000x24" \
    ctest --output-on-failure -j "$(nproc)" --timeout 1200 -LE bench
fi

demo_input="$root/resources/demo/phantom_tomogram.mrc"
out="$build/demo-output"
echo "== Running the default 'membranes' pipeline on $demo_input"
"$build/bin/cellforge-cli" info "$demo_input"
"$build/bin/cellforge-cli" run "$root/resources/pipelines/membranes.json" \
  --input tomogram="$demo_input" --output "$out"
echo "== Outputs in $out:"
ls -l "$out"
if [ -x "$build/bin/cellforge" ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "== Opening the desktop program"
  exec "$build/bin/cellforge" "$demo_input" "$out/labels.mrc" \
    --pipeline "$root/resources/pipelines/membranes.json"
fi
