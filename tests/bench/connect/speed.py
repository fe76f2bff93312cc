#!/usr/bin/python3
"""Speed of connect.region_merge against the tools users have, in the same run.

Builds a 1024x1024x300 membrane segmentation with about 2 % membrane voxels (phantoms.py:
vesicles, double membranes and sheet stacks with the missing wedge, cuts and stray blobs),
then times on it:
  * region_merge: CellForge's connect_bench (the stage's logic), --threads N;
  * scipy.ndimage.label (26-connectivity) followed by MemBrain-seg's relabelling
    (teamtomo/membrain-seg, segmentation/connected_components.py: for each component under
    the size threshold, `a[a == k] = 0; a[a > k] -= 1`), run for at most --budget seconds and
    extrapolated from its per-component cost when it does not finish; and, for reference, the
    same size filter done in one vectorised pass (np.bincount and a lookup table);
  * DBSCAN (scikit-learn, eps 1.75 voxels, min_samples 1: the 26-connected components of the
    membrane points, as colabseg clusters them): first on the leading tenth of the slices,
    then on all membrane points when that predicts a finish within --dbscan-budget seconds
    (otherwise the prediction is reported, and said to be one).
Wall and CPU seconds and peak memory of each are printed, with the ratios.

    /usr/bin/python3 tests/bench/connect/speed.py --bench build/bin/connect_bench [--threads 2]
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy import ndimage

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import phantoms  # noqa: E402

STRUCTURE = np.ones((3, 3, 3), bool)


def build(shape, fraction, seed):
    s = phantoms.Scene(shape, seed)
    target = fraction * np.prod(shape)
    k = 0
    while s.painted < target and k < 20000:
        r = k % 10
        if r < 6:
            s.vesicle()
        elif r < 8:
            s.double_vesicle()
        else:
            s.sheet_stack()
        k += 1
    labels = s.labels(int(0.5 * (s.next_id - 1)))
    return labels, s


def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def membrain_relabel(labeled, num_features, size_thres, budget):
    """MemBrain-seg's size filter, as written there; stops after `budget` seconds."""
    t0 = time.perf_counter()
    sizes = ndimage.sum(labeled > 0, labeled, range(1, num_features + 1))
    too_small = np.nonzero(sizes < size_thres)[0] + 1
    done = 0
    for feat_nr in too_small[::-1]:
        labeled[labeled == feat_nr] = 0
        labeled[labeled > feat_nr] -= 1
        done += 1
        if time.perf_counter() - t0 > budget:
            break
    elapsed = time.perf_counter() - t0
    return elapsed, done, len(too_small)


def vectorised_relabel(labeled, size_thres):
    sizes = np.bincount(labeled.ravel())
    keep = sizes >= size_thres
    keep[0] = False
    lut = np.zeros(sizes.size, labeled.dtype)
    lut[keep] = np.arange(1, keep.sum() + 1, dtype=labeled.dtype)
    return lut[labeled]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", required=True)
    ap.add_argument("--dims", type=int, nargs=3, default=[1024, 1024, 300], metavar=("NX", "NY", "NZ"))
    ap.add_argument("--fraction", type=float, default=0.02)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--seed", type=int, default=20240615)
    ap.add_argument("--budget", type=float, default=120.0, help="seconds for MemBrain-seg's relabelling loop")
    ap.add_argument("--min-size", type=int, default=10)
    ap.add_argument("--dbscan-budget", type=float, default=900.0,
                    help="run DBSCAN on all points only when the probe predicts at most this many seconds")
    ap.add_argument("--skip-dbscan", action="store_true")
    ap.add_argument("--input", help="reuse a labels .raw file of these dims instead of building one")
    ap.add_argument("--keep", help="write the built labels here (.raw, uint16)")
    args = ap.parse_args()
    nx, ny, nz = args.dims
    out = {"dims": args.dims, "threads": args.threads}

    with tempfile.TemporaryDirectory(prefix="cellforge-connect-speed-") as work:
        if args.input:
            labels = np.fromfile(args.input, np.uint16).reshape(nz, ny, nx)
            path = args.input
        else:
            t0 = time.perf_counter()
            labels, _ = build((nz, ny, nx), args.fraction, args.seed)
            out["build_s"] = time.perf_counter() - t0
            path = args.keep or os.path.join(work, "labels.raw")
            labels.tofile(path)
        mask = labels == 2
        out["membrane_voxels"] = int(mask.sum())
        out["membrane_share"] = out["membrane_voxels"] / labels.size
        print(f"volume {nx}x{ny}x{nz}, {out['membrane_voxels']} membrane voxels "
              f"({100 * out['membrane_share']:.2f} %)", flush=True)

        # CellForge: with the thread budget, and on one thread as scipy runs.
        for threads in sorted({args.threads, 1}, reverse=True):
            cmd = [args.bench, "--labels", path, "--dims", str(nx), str(ny), str(nz), "--threads", str(threads),
                   "--min-size", str(args.min_size), "--out", os.path.join(work, "instances.raw")]
            t0 = time.perf_counter()
            run = subprocess.run(cmd, check=True, capture_output=True, text=True)
            rm = json.loads(run.stdout)
            rm["process_wall_s"] = time.perf_counter() - t0
            out["region_merge" if threads == args.threads else "region_merge_1_thread"] = rm
            print(f"region_merge ({threads} threads): {rm['wall_s']:.2f} s wall, {rm['cpu_s']:.2f} s CPU, "
                  f"peak {rm['peak_rss_mib']:.0f} MiB (of which the input {rm['rss_before_run_mib']:.0f} MiB); "
                  f"{rm['fragments']} fragments -> {rm['instances']} instances; phases {rm['phases']}", flush=True)

        # scipy.ndimage.label + MemBrain-seg's relabelling.
        c0, t0 = time.process_time(), time.perf_counter()
        labeled, n = ndimage.label(mask, structure=STRUCTURE)
        label_s, label_cpu = time.perf_counter() - t0, time.process_time() - c0
        c0, t0 = time.process_time(), time.perf_counter()
        fast = vectorised_relabel(labeled, args.min_size)
        vec_s = time.perf_counter() - t0
        del fast
        relabel_s, done, total = membrain_relabel(labeled, n, args.min_size, args.budget)
        per = relabel_s / max(1, done)
        membrain_total = label_s + (relabel_s if done == total else per * total)
        out["scipy"] = {"label_s": label_s, "label_cpu_s": label_cpu, "components": int(n),
                        "membrain_relabel_s": relabel_s, "membrain_relabel_done": done,
                        "membrain_relabel_total": total, "membrain_finished": done == total,
                        "membrain_total_s": membrain_total, "vectorised_relabel_s": vec_s,
                        "peak_rss_mib_so_far": peak_mib()}
        print(f"scipy.ndimage.label: {label_s:.2f} s ({n} components); MemBrain-seg relabelling: "
              f"{done}/{total} small components in {relabel_s:.1f} s"
              + ("" if done == total else f" (stopped; {per:.2f} s each, about {per * total:.0f} s for all)")
              + f"; label + MemBrain-seg relabelling: {membrain_total:.1f} s"
              + f"; label + vectorised relabel: {label_s + vec_s:.2f} s", flush=True)
        del labeled

        # DBSCAN on the membrane points: first on the leading tenth of the slices; on all of
        # them when that predicts a finish within --dbscan-budget seconds.
        if not args.skip_dbscan:
            try:
                from sklearn.cluster import DBSCAN
            except ImportError:
                DBSCAN = None
                print("DBSCAN: scikit-learn is not installed (apt-get install python3-sklearn)")
            if DBSCAN is not None:
                def dbscan(zmax):
                    pts = np.argwhere(mask[:zmax]).astype(np.float32)
                    c0, t0 = time.process_time(), time.perf_counter()
                    DBSCAN(eps=1.75, min_samples=1, algorithm="kd_tree", n_jobs=args.threads).fit(pts)
                    return len(pts), time.perf_counter() - t0, time.process_time() - c0

                zprobe = max(1, nz // 10)
                n_probe, t_probe, _ = dbscan(zprobe)
                predicted = t_probe * out["membrane_voxels"] / max(1, n_probe)
                print(f"DBSCAN on {n_probe} points (z < {zprobe}): {t_probe:.1f} s; all points predicted "
                      f"{predicted:.0f} s", flush=True)
                record = {"probe_points": n_probe, "probe_s": t_probe, "predicted_all_s": predicted}
                if predicted <= args.dbscan_budget:
                    n_all, t_all, cpu_all = dbscan(nz)
                    record.update({"points": n_all, "seconds": t_all, "cpu_s": cpu_all, "measured_all": True})
                    print(f"DBSCAN on all {n_all} points: {t_all:.1f} s", flush=True)
                else:
                    record.update({"seconds": predicted, "measured_all": False})
                    print("DBSCAN on all points skipped (beyond --dbscan-budget); its figure below is the "
                          "prediction from the probe", flush=True)
                record["peak_rss_mib"] = peak_mib()
                out["dbscan"] = record

    rmw = out["region_merge"]["wall_s"]
    print(f"ratios (peer / region_merge with {args.threads} threads, wall):")
    print(f"  scipy.ndimage.label alone: {out['scipy']['label_s'] / rmw:.2f}")
    print(f"  scipy.ndimage.label + vectorised relabel: "
          f"{(out['scipy']['label_s'] + out['scipy']['vectorised_relabel_s']) / rmw:.2f}")
    print(f"  scipy.ndimage.label + MemBrain-seg relabelling: {out['scipy']['membrain_total_s'] / rmw:.1f}")
    if "dbscan" in out:
        print(f"  DBSCAN{'' if out['dbscan']['measured_all'] else ' (predicted)'}: "
              f"{out['dbscan']['seconds'] / rmw:.1f}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
