#!/usr/bin/env bash
# Accuracy of the membrane U-Net on 3D phantoms from held-out seeds, end to end through
# the command line: simulate.phantom -> unet.infer -> metrics.overlap, for the
# shipped (or a given) model and after adaptation (adapt-membranes' settings). Reports
# the mean over z slices of the per-slice Dice of the membrane and protein classes, as
# computed by the metrics plugin (mean_slice_dice), per seed and averaged.
#   tests/bench/unet/phantom_accuracy.sh [BUILD_DIR] [MODEL|shipped] [SEEDS] [SNRS] [KINDS] [PHANTOM_SETS]
# KINDS: comma-separated shipped (the model alone), adapted (adapt-membranes' fine-tuning
# first), closed (the model, then fit.vesicles closing vesicles), both (shipped,adapted).
# Defaults: the project's build, the shipped model, seeds 1001,1002,1003, snr 2 (the
# simulator's default noise), both. PHANTOM_SETS: more phantom parameters, e.g.
# "thickness_min=3.5,thickness_max=5".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
build="${1:-$root/build}"
model="${2:-shipped}"
seeds="${3:-1001,1002,1003}"
snrs="${4:-2}"
which="${5:-both}"
phantom_sets="${6:-}"
cli="$build/bin/cellforge-cli"
here="$root/tests/bench/unet/pipelines"
python="${CELLFORGE_PYTHON:-/usr/bin/python3}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
[ "$model" = shipped ] && model=""

# Prints "membrane protein" mean slice Dice from an overlap summary CSV.
scores() {
  "$python" - "$1" <<'PY'
import csv, sys
rows = {int(float(r["class"])): r for r in csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith("#"))}
print("%.4f %.4f %.4f %.4f" % (float(rows[2]["mean_slice_dice"]), float(rows[1]["mean_slice_dice"]),
                               float(rows[2]["dice"]), float(rows[1]["dice"])))
PY
}

kinds=()
for kind in ${which//,/ }; do
  case "$kind" in
    both) kinds+=(shipped adapted) ;;
    shipped|adapted|closed) kinds+=("$kind") ;;
    *) echo "unknown model kind '$kind' (shipped, adapted, closed, both)" >&2; exit 2 ;;
  esac
done
printf '%-6s %-6s %-8s %14s %14s %14s %14s %8s\n' snr seed model "membrane(sl)" "protein(sl)" "membrane(vol)" "protein(vol)" seconds
for snr in ${snrs//,/ }; do
  for kind in "${kinds[@]}"; do
    sum="$tmp/sum-$snr-$kind"; : > "$sum"
    for seed in ${seeds//,/ }; do
      out="$tmp/$snr-$kind-$seed"
      sets=(--set "phantom.seed=$seed" --set "phantom.snr=$snr")
      for kv in ${phantom_sets//,/ }; do sets+=(--set "phantom.$kv"); done
      case "$kind" in
        shipped) sets+=(--set "seg.model_path=$model"); pipeline="$here/phantom-shipped.json" ;;
        closed) sets+=(--set "seg.model_path=$model"); pipeline="$here/phantom-closed.json" ;;
        adapted) pipeline="$here/phantom-adapted.json"; [ -n "$model" ] && sets+=(--set "tune.model_path=$model") ;;
      esac
      start=$(date +%s.%N)
      "$cli" run "$pipeline" --output "$out" "${sets[@]}" > "$out.log" 2>&1 || { cat "$out.log"; exit 1; }
      seconds=$("$python" -c "import time; print('%.1f' % (time.time() - $start))")
      read -r m p mv pv < <(scores "$out/overlap.csv")
      echo "$m $p $mv $pv" >> "$sum"
      printf '%-6s %-6s %-8s %14s %14s %14s %14s %8s\n' "$snr" "$seed" "$kind" "$m" "$p" "$mv" "$pv" "$seconds"
    done
    "$python" - "$sum" "$snr" "$kind" <<'PY'
import sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
mean = [sum(c) / len(rows) for c in zip(*rows)]
print("%-6s %-6s %-8s %14.3f %14.3f %14.3f %14.3f" % (sys.argv[2], "MEAN", sys.argv[3], *mean))
PY
  done
done
