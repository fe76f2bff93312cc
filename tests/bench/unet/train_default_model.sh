#!/usr/bin/env bash
# Reproduces resources/models/unet-membrane-default.cfunet with the project's own trainer
# (core/ml UNetTrainer) on its own simulator, exactly as shipped:
#   tests/bench/unet/train_default_model.sh [BUILD_DIR] [OUT_FILE]
# Two threads (the whole 2-core machine); bit-identical only with the same thread count. The same recipe as a pipeline:
#   CELLFORGE_THREADS=2 cellforge-cli run resources/pipelines/unet-train-default.json --output DIR
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
build="${1:-$root/build}"
out="${2:-$root/resources/models/unet-membrane-default.cfunet}"
bench="$build/bin/cellforge_unet_bench"
[ -x "$bench" ] || bench="$build/cellforge_unet_bench"
OMP_NUM_THREADS=2 exec "$bench" train --out "$out" --curves "${out%.cfunet}.curves.csv" \
  --epochs 10 --train-images 2000 --test-images 200 --validation-images 10 --image-size 96 \
  --depth 4 --base-channels 8 --context 3 --norm batch --lr 2e-3 --batch 8 --seed 1 --threads 2 \
  --snr-min 0.7 --snr-max 3.0 --voxel-size 10
