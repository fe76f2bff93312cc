#!/usr/bin/env bash
# Membrane segmentation on tomograms it was not trained on (issue #13): makes the
# independent evaluation set (independent_phantoms.py: synthetic scenes with shapes and
# distractors the training simulator does not make, and the curated real membranes of
# shared/data/real-labels imaged at their own voxel sizes), segments every tomogram with
# each METHOD through cellforge-cli, and scores them with score.py (mean slice Dice of
# the membrane, the best-global-threshold oracle beside it, filament false positives).
#   tests/bench/segmentation/run_eval.sh [BUILD_DIR] [METHODS] [SET_DIR] [SNR]
# METHODS: comma-separated among unet (the U-Net alone), membranes (the shipped
# pipeline), adapt (adapt-membranes: a few minutes per tomogram on a CPU). Default
# unet,membranes. SET_DIR: where the set is written (kept; made once per SNR).
# CELLFORGE_EVAL_MODEL=FILE scores that model file instead of the shipped one (its
# results go to results-<file name>).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
build="${1:-$root/build}"
methods="${2:-unet,membranes}"
set_dir="${3:-$build/segmentation-eval-set}"
snr="${4:-0.1}"
here="$root/tests/bench/segmentation"
python="${CELLFORGE_PYTHON:-/usr/bin/python3}"
cli="$build/bin/cellforge-cli"
results="$set_dir/results"
model_args=()
if [ -n "${CELLFORGE_EVAL_MODEL:-}" ]; then
  model_args=(--set "seg.model_path=$CELLFORGE_EVAL_MODEL")
  results="$set_dir/results-$(basename "$CELLFORGE_EVAL_MODEL")"
fi

if [ ! -f "$set_dir/manifest.csv" ]; then
  "$python" -W ignore "$here/independent_phantoms.py" "$set_dir" --snr "$snr" \
    --real-labels "$root/../shared/data/real-labels"
fi
mkdir -p "$results"
for method in ${methods//,/ }; do
  case "$method" in
    unet) pipeline="$here/pipelines/unet-alone.json" ;;
    membranes|adapt)
      # The shipped pipeline as it is, less its meshing step (only labels are scored, and
      # mesh.surface refuses an empty segmentation).
      shipped="$root/resources/pipelines/$([ "$method" = adapt ] && echo adapt-membranes || echo membranes).json"
      pipeline="$results/$method.json"
      "$python" - "$shipped" "$pipeline" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
meshing = {s["id"] for s in p["stages"] if s["stage"].startswith("mesh.")}
p["stages"] = [s for s in p["stages"] if s["id"] not in meshing]
p["outputs"] = {k: v for k, v in p["outputs"].items() if v.split(".")[0] not in meshing}
json.dump(p, open(sys.argv[2], "w"), indent=1)
PY
      ;;
    *) echo "unknown method '$method' (unet, membranes, adapt)" >&2; exit 2 ;;
  esac
  tail -n +2 "$set_dir/manifest.csv" | cut -d, -f1 | while read -r name; do
    out="$results/$method/$name"
    mkdir -p "$out"
    start=$(date +%s.%N)
    if ! "$cli" run "$pipeline" --input "tomogram=$set_dir/$name.mrc" --output "$out" "${model_args[@]}" > "$out/log.txt" 2>&1; then
      echo "$method failed on $name:" >&2; tail -5 "$out/log.txt" >&2; exit 1
    fi
    printf '%s %s %.1f s\n' "$method" "$name" "$(echo "$(date +%s.%N) - $start" | bc)" >&2
  done
done
"$python" "$here/score.py" "$set_dir" "$results" ${methods//,/ }
