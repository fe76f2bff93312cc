#!/usr/bin/python3
"""Dice + Hausdorff on 512x512x200 label volumes: CellForge's metrics against scipy.ndimage.

Runs the C++ program (metrics_bench), which writes the two random-shape label volumes
(fixed seed) as raw uint16 files and times its own Dice, per-slice Dice and surface
distances; then computes the same figures with numpy/scipy.ndimage on those files in
the same run (the MedPy recipe: surface = mask XOR binary_erosion(mask, 6-neighbourhood),
distances from scipy.ndimage.distance_transform_edt with the voxel spacing), prints both
timings, the ratio, and checks the values agree.

    /usr/bin/python3 tests/bench/metrics/run_metrics_bench.py --bench build/bin/metrics_bench
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy import ndimage


def surface(mask):
    structure = ndimage.generate_binary_structure(3, 1)
    return mask ^ ndimage.binary_erosion(mask, structure=structure, iterations=1)


def scipy_metrics(labels, reference, spacing_zyx, classes):
    """Per class: Dice, HD, HD95, ASSD and the per-slice Dice along z, with numpy/scipy."""
    out = {}
    wall, cpu = {}, {}
    t, c0 = time.perf_counter(), time.process_time()
    for c in classes:
        a, b = labels == c, reference == c
        na, nb = int(a.sum()), int(b.sum())
        inter = int(np.logical_and(a, b).sum())
        out[c] = {"dice": 2.0 * inter / (na + nb) if na + nb else 1.0}
    wall["dice"], cpu["dice"] = time.perf_counter() - t, time.process_time() - c0

    t, c0 = time.perf_counter(), time.process_time()
    for c in classes:
        a, b = labels == c, reference == c
        na = a.sum(axis=(1, 2))
        nb = b.sum(axis=(1, 2))
        inter = np.logical_and(a, b).sum(axis=(1, 2))
        present = (na + nb) > 0
        dice = np.where(present, 2.0 * inter / np.maximum(na + nb, 1), 1.0)
        out[c]["dice_per_slice"] = {int(z): float(dice[z]) for z in np.nonzero(present)[0]}
    wall["dice_per_slice"], cpu["dice_per_slice"] = time.perf_counter() - t, time.process_time() - c0

    t, c0 = time.perf_counter(), time.process_time()
    for c in classes:
        a, b = labels == c, reference == c
        sa, sb = surface(a), surface(b)
        d_ab = ndimage.distance_transform_edt(~sb, sampling=spacing_zyx)[sa]
        d_ba = ndimage.distance_transform_edt(~sa, sampling=spacing_zyx)[sb]
        out[c]["hausdorff"] = float(max(d_ab.max(), d_ba.max()))
        out[c]["hausdorff95"] = float(np.percentile(np.hstack((d_ab, d_ba)), 95))
        out[c]["assd"] = float(0.5 * (d_ab.mean() + d_ba.mean()))
    wall["surface"], cpu["surface"] = time.perf_counter() - t, time.process_time() - c0
    return out, wall, cpu


def run_bench(bench, out_dir, threads, dims, voxel, write=True):
    cmd = [bench, "--out", out_dir, "--threads", str(threads), "--dims", *map(str, dims), "--voxel", *map(str, voxel)]
    if not write:
        cmd.append("--no-write")
    res = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(res.stdout)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bench", default=os.path.join(os.path.dirname(__file__), "../../../build/bin/metrics_bench"))
    p.add_argument("--dims", type=int, nargs=3, default=[512, 512, 200])
    p.add_argument("--voxel", type=float, nargs=3, default=[8.0, 8.0, 10.0], help="voxel size x y z in Å")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--tolerance", type=float, default=1e-9, help="relative tolerance for the values")
    args = p.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        ours = run_bench(args.bench, tmp, args.threads, args.dims, args.voxel)
        ours1 = run_bench(args.bench, tmp, 1, args.dims, args.voxel, write=False) if args.threads > 1 else ours
        nx, ny, nz = args.dims
        shape = (nz, ny, nx)  # x fastest in the raw files
        labels = np.fromfile(os.path.join(tmp, "labels.raw"), dtype="<u2").reshape(shape)
        reference = np.fromfile(os.path.join(tmp, "reference.raw"), dtype="<u2").reshape(shape)
    classes = [c["class"] for c in ours["classes"]]
    spacing_zyx = (args.voxel[2], args.voxel[1], args.voxel[0])
    theirs, their_s, their_cpu = scipy_metrics(labels, reference, spacing_zyx, classes)

    worst = 0.0
    mismatches = []
    for c in ours["classes"]:
        k = c["class"]
        for name in ("dice", "hausdorff", "hausdorff95", "assd"):
            rel = abs(c[name] - theirs[k][name]) / max(1e-300, abs(theirs[k][name]))
            worst = max(worst, rel)
            if rel > args.tolerance:
                mismatches.append(f"class {k} {name}: cellforge {c[name]!r} scipy {theirs[k][name]!r}")
        slices = {int(z): v for z, v in c["dice_per_slice"]}
        if slices.keys() != theirs[k]["dice_per_slice"].keys():
            mismatches.append(f"class {k}: per-slice rows differ")
        for z, v in slices.items():
            ref = theirs[k]["dice_per_slice"].get(z)
            if ref is None or abs(v - ref) > args.tolerance:
                mismatches.append(f"class {k} slice {z}: dice {v} vs {ref}")
                break

    print(f"volumes {nx}x{ny}x{nz} uint16, voxel {args.voxel} Å, classes {classes}")
    for c in ours["classes"]:
        k = c["class"]
        print(f"  class {k}: voxels {c['voxels_labels']}/{c['voxels_reference']}  dice {c['dice']:.6f}  "
              f"HD {c['hausdorff']:.3f} Å  HD95 {c['hausdorff95']:.3f} Å  ASSD {c['assd']:.4f} Å   "
              f"(scipy: {theirs[k]['dice']:.6f}, {theirs[k]['hausdorff']:.3f}, {theirs[k]['hausdorff95']:.3f}, "
              f"{theirs[k]['assd']:.4f})")
    n = args.threads
    print(f"{'seconds':<22}{'cellforge ' + str(n) + 't':>14}{'cellforge 1t':>14}{'scipy':>10}"
          f"{'ratio ' + str(n) + 't':>10}{'ratio 1t':>10} | {'cpu: cellforge':>15}{'scipy':>10}{'ratio':>8}")
    totals = [0.0] * 5
    for key, label in (("dice", "Dice (whole volume)"), ("dice_per_slice", "Dice per slice (z)"),
                       ("surface", "HD + HD95 + ASSD")):
        row = [ours["seconds"][key], ours1["seconds"][key], their_s[key], ours["cpu_seconds"][key], their_cpu[key]]
        totals = [a + b for a, b in zip(totals, row)]
        print(f"{label:<22}{row[0]:>13.3f}s{row[1]:>13.3f}s{row[2]:>9.3f}s{row[2] / row[0]:>10.1f}{row[2] / row[1]:>10.1f}"
              f" | {row[3]:>14.3f}s{row[4]:>9.3f}s{row[4] / row[3]:>8.1f}")
    t = totals
    print(f"{'total':<22}{t[0]:>13.3f}s{t[1]:>13.3f}s{t[2]:>9.3f}s{t[2] / t[0]:>10.1f}{t[2] / t[1]:>10.1f}"
          f" | {t[3]:>14.3f}s{t[4]:>9.3f}s{t[4] / t[3]:>8.1f}")
    print("ratio = scipy time / cellforge time; cpu = processor time of all threads (robust to a busy machine)")
    print(f"largest relative difference in dice/HD/HD95/ASSD: {worst:.3g}")
    if mismatches:
        print("VALUES DISAGREE:\n  " + "\n  ".join(mismatches[:20]))
        return 1
    print("values agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
