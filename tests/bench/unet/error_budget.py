#!/usr/bin/env python3
"""Where a membrane segmentation of a phantom loses its mean slice Dice.

Reads REFERENCE and LABELS (label MRC files: 0 background, 1 protein, 2 membrane; the
phantom's truth and a segmentation of it, e.g. the outputs of
tests/bench/unet/pipelines/phantom-shipped.json) and reports, for the membrane class:
  - the mean over z slices of the per-slice Dice, as metrics.overlap computes it (slices
    where the class is in either volume), and the slices that hold predicted membrane
    but no reference membrane (each scores 0);
  - recall by orientation of the reference membrane: "caps" (normal within 30 degrees
    of z: the missing wedge hides them), oblique (30-60), "walls" (60-90);
  - false positives: near the reference (within 2 voxels in-plane) or far, and how
    many of the far ones lie within 10 slices above or below reference membrane (the
    missing wedge's smear of caps);
  - what-if figures: the mean slice Dice without the far false positives, with the
    caps, with the walls added, and of an oracle that labels exactly the membrane
    outside the wedge's cone (the best a per-slice method can see).
Normals come from the structure tensor of the smoothed reference mask. numpy only.
Usage: error_budget.py REFERENCE LABELS [REFERENCE LABELS ...]   (several: also means)
"""
import sys

import mrcfile
import numpy as np

MEMBRANE = 2


def smooth(a, sigma):
    radius = int(3 * sigma + 1)
    x = np.arange(-radius, radius + 1)
    kernel = np.exp(-x * x / (2 * sigma * sigma))
    kernel /= kernel.sum()
    for axis in range(3):
        a = np.apply_along_axis(lambda v: np.convolve(v, kernel, mode="same"), axis, a)
    return a


def dilate(mask, rz, rxy):
    """Box dilation by rz slices along z and rxy voxels in-plane (no wrap-around)."""
    out = mask.copy()
    nz, ny, nx = mask.shape
    for dz in range(-rz, rz + 1):
        for dy in range(-rxy, rxy + 1):
            for dx in range(-rxy, rxy + 1):
                src = mask[max(0, -dz):nz - max(0, dz), max(0, -dy):ny - max(0, dy), max(0, -dx):nx - max(0, dx)]
                out[max(0, dz):nz - max(0, -dz), max(0, dy):ny - max(0, -dy), max(0, dx):nx - max(0, -dx)] |= src
    return out


def mean_slice_dice(reference, labels):
    scores = []
    for r, l in zip(reference, labels):
        if r.any() or l.any():
            scores.append(2.0 * (r & l).sum() / (r.sum() + l.sum()))
    return float(np.mean(scores)) if scores else float("nan")


def normal_angle_from_z(reference):
    """Degrees between the membrane normal and z, at each reference membrane voxel."""
    g = np.gradient(smooth(reference.astype(float), 1.0))
    tensor = np.empty(reference.shape + (3, 3))
    for i in range(3):
        for j in range(3):
            tensor[..., i, j] = smooth(g[i] * g[j], 1.5)
    _, vectors = np.linalg.eigh(tensor[reference])
    normal_z = np.abs(vectors[:, 0, -1])  # component along z (axis 0) of the main direction
    return np.degrees(np.arccos(np.clip(normal_z, 0.0, 1.0)))


def budget(reference_path, labels_path):
    reference = np.asarray(mrcfile.open(reference_path, permissive=True).data) == MEMBRANE
    labels = np.asarray(mrcfile.open(labels_path, permissive=True).data) == MEMBRANE
    if reference.shape != labels.shape:
        raise SystemExit("%s and %s differ in size: %s vs %s" % (reference_path, labels_path, reference.shape,
                                                                   labels.shape))
    angle = normal_angle_from_z(reference)
    caps = np.zeros_like(reference)
    caps[reference] = angle < 30
    walls = np.zeros_like(reference)
    walls[reference] = angle >= 60
    oblique = reference & ~caps & ~walls
    false_pos = labels & ~reference
    far = false_pos & ~dilate(reference, 0, 2)
    smear = far & dilate(reference, 10, 3)
    empty_slices = [z for z in range(reference.shape[0]) if labels[z].any() and not reference[z].any()]
    row = {
        "mean_slice_dice": mean_slice_dice(reference, labels),
        "slices_scored": sum(1 for r, l in zip(reference, labels) if r.any() or l.any()),
        "fp_only_slices": len(empty_slices),
        "precision": (labels & reference).sum() / max(1, labels.sum()),
        "recall": (labels & reference).sum() / max(1, reference.sum()),
        "caps_share": caps.sum() / max(1, reference.sum()),
        "recall_caps": (labels & caps).sum() / max(1, caps.sum()),
        "recall_oblique": (labels & oblique).sum() / max(1, oblique.sum()),
        "recall_walls": (labels & walls).sum() / max(1, walls.sum()),
        "fp_far_share": far.sum() / max(1, false_pos.sum()),
        "fp_far_smear_share": smear.sum() / max(1, far.sum()),
        "if_no_far_fp": mean_slice_dice(reference, labels & ~far),
        "if_caps_found": mean_slice_dice(reference, labels | caps),
        "if_walls_found": mean_slice_dice(reference, labels | walls),
        "oracle_visible_only": mean_slice_dice(reference, reference & ~caps),
    }
    return row


def main(argv):
    if len(argv) < 2 or len(argv) % 2:
        raise SystemExit(__doc__)
    rows = []
    for reference_path, labels_path in zip(argv[0::2], argv[1::2]):
        row = budget(reference_path, labels_path)
        rows.append(row)
        print(labels_path)
        for key, value in row.items():
            print("  %-22s %.3f" % (key, value) if isinstance(value, float) else "  %-22s %d" % (key, value))
    if len(rows) > 1:
        print("MEAN over %d" % len(rows))
        for key in rows[0]:
            print("  %-22s %.3f" % (key, float(np.mean([r[key] for r in rows]))))


if __name__ == "__main__":
    main(sys.argv[1:])
