#!/usr/bin/env bash
# Reproduces resources/models/unet-membrane-default.cfunet with the project's own trainer
# (core/ml UNetTrainer) on its own simulator, exactly as shipped:
#   tests/bench/unet/train_default_model.sh [BUILD_DIR] [OUT_FILE]
# One thread, low priority (the shared 2-core machine). The same recipe as a pipeline:
#   CELLFORGE_THREADS=1 cellforge-cli run resources/pipelines/unet-train-default.json --output DIR
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
build="${1:-$root/build}"
out="${2:-$root/resources/models/unet-membrane-default.cfunet}"
bench="$build/bin/cellforge_unet_bench"
[ -x "$bench" ] || bench="$build/cellforge_unet_bench"
OMP_NUM_THREADS=1 exec nice -n 10 "$bench" train --out "$out" --curves "${out%.cfunet}.curves.csv" \
  --epochs 5 --train-images 2000 --test-images 200 --validation-images 10 --image-size 96 \
  --depth 4 --base-channels 8 --norm batch --lr 2e-3 --batch 8 --seed 1 --threads 1 \
  --snr-min 0.7 --snr-max 3.0 --voxel-size 10
