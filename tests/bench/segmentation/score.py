#!/usr/bin/env python3
"""Scores membrane segmentations of the independent evaluation tomograms
(independent_phantoms.py), independently of CellForge's metrics plugin.

For each tomogram NAME in SET_DIR/manifest.csv and each method M with a segmentation
RESULTS_DIR/M/NAME/labels.mrc (label 2 = membrane), prints and writes
RESULTS_DIR/scores.csv with:
  mean_slice_dice  the mean over z slices of the per-slice Dice of the membrane (slices
                   where the truth or the segmentation has membrane), the figure of
                   issue #13;
  dice             the Dice over the whole volume;
  filament_fp      the fraction of filament voxels (actin-like rods) labelled membrane,
                   and microtubule_fp the same for microtubule walls;
and, per tomogram, the oracle: the best mean slice Dice of one global threshold of the
Gaussian-smoothed tomogram (sigma 1, 1.5 or 2 voxels, either polarity, thresholds at
fractions 0.2%-25% of the voxels), chosen knowing the answer.
Usage: score.py SET_DIR RESULTS_DIR METHOD [METHOD ...]
"""
import csv
import os
import sys

import mrcfile
import numpy as np
from scipy import ndimage

MEMBRANE = 2


def read(path):
    with mrcfile.open(path, permissive=True) as m:
        return np.asarray(m.data)


def mean_slice_dice(pred, truth):
    inter = np.logical_and(pred, truth).sum(axis=(1, 2)).astype(np.float64)
    p = pred.sum(axis=(1, 2)).astype(np.float64)
    t = truth.sum(axis=(1, 2)).astype(np.float64)
    used = (p + t) > 0
    if not used.any():
        return 1.0
    return float(np.mean(2 * inter[used] / (p[used] + t[used])))


def dice(pred, truth):
    s = pred.sum() + truth.sum()
    return 1.0 if s == 0 else float(2 * np.logical_and(pred, truth).sum() / s)


def oracle(volume, truth):
    best = (0.0, None)
    fractions = [0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.25]
    for sigma in (1.0, 1.5, 2.0):
        smoothed = ndimage.gaussian_filter(volume.astype(np.float32), sigma)
        for polarity in (-1, 1):
            v = polarity * smoothed
            thresholds = np.quantile(v, [1 - f for f in fractions])
            for f, th in zip(fractions, thresholds):
                score = mean_slice_dice(v > th, truth)
                if score > best[0]:
                    best = (score, "sigma %.1f, %s, top %.1f%%" % (sigma, "dark" if polarity < 0 else "bright",
                                                                  100 * f))
    return best


def fp_rate(pred, distractors, kind):
    where = distractors == kind
    return float("nan") if not where.any() else float(pred[where].mean())


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    set_dir, results, methods = sys.argv[1], sys.argv[2], sys.argv[3:]
    rows = []
    with open(os.path.join(set_dir, "manifest.csv")) as f:
        manifest = list(csv.DictReader(f))
    header = "%-26s %-8s %6s" % ("tomogram", "set", "voxel") + "".join(" %18s" % m for m in methods) + \
        " %8s  %s" % ("oracle", "filament_fp per method")
    print(header)
    for entry in manifest:
        name = entry["name"]
        truth = read(os.path.join(set_dir, name + "_truth.mrc")) == MEMBRANE
        distractors = read(os.path.join(set_dir, name + "_distractors.mrc"))
        volume = read(os.path.join(set_dir, name + ".mrc"))
        oracle_score, oracle_how = oracle(volume, truth)
        cells, fps = [], []
        for method in methods:
            path = os.path.join(results, method, name, "labels.mrc")
            if not os.path.exists(path):
                cells.append(" %18s" % "missing")
                fps.append("-")
                continue
            pred = read(path) == MEMBRANE
            if pred.shape != truth.shape:
                sys.exit("%s: shape %s, the truth has %s" % (path, pred.shape, truth.shape))
            row = {"tomogram": name, "set": entry["set"], "voxel_size_A": entry["voxel_size_A"], "method": method,
                   "mean_slice_dice": mean_slice_dice(pred, truth), "dice": dice(pred, truth),
                   "filament_fp": fp_rate(pred, distractors, 2), "microtubule_fp": fp_rate(pred, distractors, 3),
                   "oracle_mean_slice_dice": oracle_score, "oracle": oracle_how}
            rows.append(row)
            cells.append(" %18.3f" % row["mean_slice_dice"])
            fps.append("%.3f" % row["filament_fp"])
        print("%-26s %-8s %6s" % (name, entry["set"], entry["voxel_size_A"]) + "".join(cells) +
              " %8.3f  %s" % (oracle_score, " ".join(fps)))
    if rows:
        with open(os.path.join(results, "scores.csv"), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
            w.writeheader()
            w.writerows(rows)
        for subset in ("phantoms", "real"):
            for method in methods:
                vals = [r["mean_slice_dice"] for r in rows if r["set"] == subset and r["method"] == method]
                orc = [r["oracle_mean_slice_dice"] for r in rows if r["set"] == subset and r["method"] == method]
                fil = [r["filament_fp"] for r in rows if r["set"] == subset and r["method"] == method and
                       not np.isnan(r["filament_fp"])]
                if vals:
                    print("mean %-8s %-18s mean slice Dice %.3f (oracle %.3f), above oracle on %d of %d, "
                          "filament fp %.3f" % (subset, method, np.mean(vals), np.mean(orc),
                                               sum(v > o for v, o in zip(vals, orc)), len(vals),
                                               np.mean(fil) if fil else float("nan")))


if __name__ == "__main__":
    main()
