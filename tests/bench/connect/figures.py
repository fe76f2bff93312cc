#!/usr/bin/python3
"""Instance quality of connect.region_merge against plain and dilated connected components.

Builds segmentations with known truth (phantoms.py: vesicles, double membranes, sheet
stacks, and the real curated membranes of ../shared/data/real-labels, all with the missing
wedge, cuts and stray blobs applied), then compares, in the same run:
  * region_merge: CellForge's connect_bench (the stage's logic, default parameters); with
                  --probabilities also region_merge+p, given synthetic membrane probabilities
                  (phantoms.synthetic_probabilities) on the synthetic sets;
  * cc26:         scipy.ndimage.label with 26-connectivity (what MemBrain-seg does);
  * dilate1_cc26: the same after a one-voxel binary dilation (3x3x3), labels kept on the
                  membrane voxels only.
Per set and method:
  * recovered: share of the true membranes (>= 100 surviving voxels) of which one instance
    holds >= 80 % of the surviving voxels (goal >= 0.9);
  * membranes_per_instance: mean number of true membranes per instance, a membrane counting
    for an instance holding >= 10 % of its surviving voxels; over instances holding any
    (goal <= 1.05).

    /usr/bin/python3 tests/bench/connect/figures.py --bench build/bin/connect_bench [--quick]
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from scipy import ndimage

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import phantoms  # noqa: E402

STRUCTURE = np.ones((3, 3, 3), bool)
MIN_SURVIVING = 100


def score(truth, instances):
    t = truth.ravel().astype(np.int64)
    i = instances.ravel().astype(np.int64)
    on = t > 0
    surviving = np.bincount(t[on], minlength=t.max() + 1)
    pairs, counts = np.unique(t[on] * (i.max() + 1) + i[on], return_counts=True)
    ti, ii = pairs // (i.max() + 1), pairs % (i.max() + 1)
    considered = np.nonzero(surviving >= MIN_SURVIVING)[0]
    considered = considered[considered > 0]
    best = np.zeros(surviving.size)
    holds = {}
    for a, b, n in zip(ti, ii, counts):
        if b == 0 or surviving[a] < MIN_SURVIVING:
            continue
        best[a] = max(best[a], n)
        if n >= 0.1 * surviving[a]:
            holds.setdefault(b, set()).add(a)
    recovered = float(np.mean(best[considered] >= 0.8 * surviving[considered])) if considered.size else float("nan")
    per_instance = float(np.mean([len(v) for v in holds.values()])) if holds else float("nan")
    return {"membranes": int(considered.size), "recovered": recovered, "membranes_per_instance": per_instance,
            "instances": int(len(np.unique(i)) - (1 if (i == 0).any() else 0)),
            "recovered_count": int(np.sum(best[considered] >= 0.8 * surviving[considered])),
            "holding_instances": len(holds), "membrane_links": int(sum(len(v) for v in holds.values()))}


def cc26(labels):
    lab, _ = ndimage.label(labels == 2, structure=STRUCTURE)
    return lab


def dilate1_cc26(labels):
    mask = labels == 2
    lab, _ = ndimage.label(ndimage.binary_dilation(mask, structure=STRUCTURE), structure=STRUCTURE)
    return np.where(mask, lab, 0)


def region_merge(bench, labels, work, extra=(), probabilities=None):
    path = os.path.join(work, "labels.raw")
    out = os.path.join(work, "instances.raw")
    np.ascontiguousarray(labels, dtype=np.uint16).tofile(path)
    if probabilities is not None:
        np.ascontiguousarray(probabilities, dtype=np.float32).tofile(os.path.join(work, "p.raw"))
        extra = [*extra, "--probabilities", os.path.join(work, "p.raw")]
    nz, ny, nx = labels.shape
    cmd = [bench, "--labels", path, "--dims", str(nx), str(ny), str(nz), "--out", out, "--threads", "2", *extra]
    run = subprocess.run(cmd, check=True, capture_output=True, text=True)
    info = json.loads(run.stdout)
    return np.fromfile(out, dtype=np.uint16).reshape(labels.shape), info


def read_mrc_gz(path):
    import mrcfile
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with mrcfile.open(path, permissive=True) as m:
            return np.asarray(m.data).astype(np.int32)


def sets(args):
    quick = args.quick
    shape = (64, 128, 128) if quick else (160, 256, 256)
    n = {"vesicles": 8 if quick else 30, "double_membranes": 4 if quick else 14, "sheet_stacks": 3 if quick else 9}
    for kind in ("vesicles", "double_membranes", "sheet_stacks"):
        yield kind, lambda kind=kind: phantoms.synthetic(kind, shape, n[kind], seed=args.seed), True
    real = os.path.join(args.shared_data, "real-labels")
    files = [("real: tomo22 vesicle", "tomo22_z50_ves_4_seg.mrc.gz", [1]),
             ("real: t74 vesicle", "t74_vesicle3_bin6.Labels.mrc.gz", [1]),
             ("real: cortical ER crop", "t2_ny01_lbl.labels_FILLEDpeakplus.mrc.gz", [1, 2])]
    if not quick:
        files.append(("real: TF1 mitochondria + ER", "TF1.mrc.gz", [1, 2, 3]))
    for name, f, membrane_labels in files:
        path = os.path.join(real, f)
        if os.path.exists(path):
            yield name, lambda path=path, ml=membrane_labels: phantoms.damaged_real(read_mrc_gz(path), ml,
                                                                                   seed=args.seed), False


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", required=True, help="the connect_bench program")
    ap.add_argument("--shared-data", default=os.path.join(os.path.dirname(__file__), "../../../../shared/data"))
    ap.add_argument("--quick", action="store_true", help="small sets, no TF1 (the ctest)")
    ap.add_argument("--seed", type=int, default=20240614)
    ap.add_argument("--json", help="write the table as JSON here")
    ap.add_argument("--extra", default="", help="more connect_bench arguments, e.g. '--max-gap 6'")
    ap.add_argument("--probabilities", action="store_true",
                    help="also run region_merge with synthetic probabilities on the synthetic sets")
    args = ap.parse_args()

    rows = []
    with tempfile.TemporaryDirectory(prefix="cellforge-connect-fig-") as work:
        for name, make, synthetic in sets(args):
            t0 = time.perf_counter()
            labels, truth = make()
            made = time.perf_counter() - t0
            fragments = int(cc26(labels).max())
            results = {}
            inst, info = region_merge(args.bench, labels, work, args.extra.split())
            results["region_merge"] = dict(score(truth, inst), seconds=info["wall_s"])
            if args.probabilities and synthetic:
                p = phantoms.synthetic_probabilities(labels, truth, seed=args.seed)
                inst, info = region_merge(args.bench, labels, work, args.extra.split(), probabilities=p)
                results["region_merge+p"] = dict(score(truth, inst), seconds=info["wall_s"])
            for method, f in (("cc26", cc26), ("dilate1_cc26", dilate1_cc26)):
                t0 = time.perf_counter()
                inst = f(labels)
                results[method] = dict(score(truth, inst), seconds=time.perf_counter() - t0)
            rows.append({"set": name, "dims_zyx": list(labels.shape), "membrane_voxels": int((labels == 2).sum()),
                         "fragments": fragments, "build_s": made, "results": results})
            print(f"{name}: {labels.shape}, {rows[-1]['membrane_voxels']} membrane voxels, {fragments} fragments",
                  flush=True)
            for method, r in results.items():
                print(f"  {method:13s} membranes {r['membranes']:4d}  recovered {r['recovered']:.3f}  "
                      f"membranes/instance {r['membranes_per_instance']:.3f}  instances {r['instances']:5d}  "
                      f"{r['seconds']:.2f} s", flush=True)
    print("all sets pooled:")
    for method in rows[0]["results"]:
        got = [r["results"][method] for r in rows if method in r["results"]]
        n = sum(g["membranes"] for g in got)
        rec = sum(g["recovered_count"] for g in got)
        links = sum(g["membrane_links"] for g in got)
        held = sum(g["holding_instances"] for g in got)
        print(f"  {method:13s} membranes {n:4d}  recovered {rec / max(1, n):.3f}  "
              f"membranes/instance {links / max(1, held):.3f}  ({len(got)} sets)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    # The ctest: region_merge must not be worse than plain components on any set.
    failed = [r["set"] for r in rows
              if r["results"]["region_merge"]["recovered"] < r["results"]["cc26"]["recovered"] - 1e-9]
    if failed:
        print("region_merge recovers fewer membranes than plain components on: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
