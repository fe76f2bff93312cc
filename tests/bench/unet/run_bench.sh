#!/usr/bin/env bash
# U-Net benchmark: inference speed against PyTorch (same architecture, same weights,
# same tiling, same run), and accuracy on 3D phantoms from held-out seeds (shipped, closed and
# adapted model, scored by the metrics plugin: phantom_accuracy.sh). Usage:
#   tests/bench/unet/run_bench.sh [BUILD_DIR] [THREADS] [speed|accuracy|all]
# BUILD_DIR holds bin/cellforge_unet_bench (the project's build, or a standalone build
# of tests/bench/unet). THREADS defaults to 1 (both sides use the same count).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
build="${1:-$root/build}"
threads="${2:-1}"
what="${3:-all}"
bench="$build/bin/cellforge_unet_bench"
[ -x "$bench" ] || bench="$build/cellforge_unet_bench"
model="$root/resources/models/unet-membrane-default.cfunet"
python="${CELLFORGE_PYTHON:-/usr/bin/python3}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if [ "$what" = speed ] || [ "$what" = all ]; then
  echo "== Inference speed, 512 x 512 x 100 tomogram, tiles 256 (overlap 32), batches of 4, $threads thread(s)"
  "$bench" speed --model "$model" --threads "$threads" --repeat 2 \
      --write-input "$tmp/tomogram.f32" --dump "$tmp/cellforge.f32" --dump-slices 3 | tee "$tmp/cf.txt"
  "$bench" speed --model "$model" --threads "$threads" --repeat 2 --no-fold \
      --input "$tmp/tomogram.f32" | tee "$tmp/cf-nofold.txt"
  "$python" "$root/tests/bench/unet/unet_peer.py" --model "$model" --input "$tmp/tomogram.f32" \
      --threads "$threads" --repeat 2 --compare "$tmp/cellforge.f32" --compare-slices 3 | tee "$tmp/py.txt"
  cf=$(grep -o '[0-9.]* slices/s' "$tmp/cf.txt" | cut -d' ' -f1)
  cfn=$(grep -o '[0-9.]* slices/s' "$tmp/cf-nofold.txt" | cut -d' ' -f1)
  py=$(grep -o '[0-9.]* slices/s' "$tmp/py.txt" | cut -d' ' -f1)
  "$python" -c "print('RATIO cellforge/pytorch: %.2f (default: batch norm folded), %.2f (unfolded)' % ($cf / $py, $cfn / $py))"
fi

if [ "$what" = accuracy ] || [ "$what" = all ]; then
  # Through the command line and the metrics plugin (needs the project's build, with cellforge-cli).
  echo "== Accuracy on phantoms from held-out seeds: shipped and adapted model, snr 2 (the default noise)"
  "$root/tests/bench/unet/phantom_accuracy.sh" "$build" shipped 1001,1002,1003 2 shipped,adapted,closed
  echo "== Shipped model at other noise levels"
  "$root/tests/bench/unet/phantom_accuracy.sh" "$build" shipped 1001,1002,1003 1,3,5 shipped
fi
