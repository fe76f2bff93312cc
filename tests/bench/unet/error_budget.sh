#!/usr/bin/env bash
# Where the membrane U-Net loses Dice on 3D phantoms: segments phantoms from the given
# seeds through the command line (pipelines/phantom-shipped.json: simulate.phantom ->
# unet.infer -> metrics.overlap) and breaks each result down with error_budget.py (recall
# of vesicle caps, oblique membrane and walls; near and far false positives; what-if
# figures), then averages.
#   tests/bench/unet/error_budget.sh [BUILD_DIR] [MODEL|shipped] [SEEDS] [SNR]
# Defaults: the project's build, the shipped model, seeds 2001-2010, snr 2.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
build="${1:-$root/build}"
model="${2:-shipped}"
seeds="${3:-2001,2002,2003,2004,2005,2006,2007,2008,2009,2010}"
snr="${4:-2}"
python="${CELLFORGE_PYTHON:-/usr/bin/python3}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
[ "$model" = shipped ] && model=""
pairs=()
for seed in ${seeds//,/ }; do
  out="$tmp/$seed"
  "$build/bin/cellforge-cli" run "$root/tests/bench/unet/pipelines/phantom-shipped.json" --output "$out" \
      --set "phantom.seed=$seed" --set "phantom.snr=$snr" --set "seg.model_path=$model" > "$out.log" 2>&1 \
      || { cat "$out.log"; exit 1; }
  pairs+=("$out/reference.mrc" "$out/labels.mrc")
done
"$python" "$root/tests/bench/unet/error_budget.py" "${pairs[@]}"
