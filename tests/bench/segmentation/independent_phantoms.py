#!/usr/bin/env python3
"""Evaluation tomograms for membrane segmentation, written independently of the training
simulator (core/simulation): different code, different shape models, different imaging
model. Never imported by training. numpy, scipy and mrcfile only.

Two sets:
  phantoms  synthetic scenes: single and double vesicles, open sheets cut by the volume's
            faces, stacks of flattened cisternae (parallel membranes 2-6 voxels apart),
            curved tubes, irregular closed compartments, budding/fused vesicles; with
            unlabelled distractors (ribosome-sized particles, actin-like filaments,
            microtubules, gold fiducials, membrane-bound proteins).
  real      the curated membrane segmentations of shared/data/real-labels (vesicles,
            cortical ER, mitochondria with ER from TF1) imaged at their own voxel sizes,
            with the same distractors.

Imaging (both sets): phase-contrast CTF at 300 kV (defocus 2-5 um, amplitude contrast
0.07, Cs 2.7 mm, B-factor envelope, band limit at 0.8 Nyquist), a missing wedge of
+-60 degrees about y, noise with the wedge's and band limit's spectrum at a given SNR
(signal variance / noise variance, default 0.1), an illumination gradient. Membranes are
denser than the solvent, so they come out dark, as in most reconstructions.

For each tomogram NAME it writes NAME.mrc (float32, voxel size in the header),
NAME_truth.mrc (uint8: 2 membrane, 0 anything else) and NAME_distractors.mrc (uint8:
1 particle, 2 filament, 3 microtubule, 4 gold, 5 membrane-bound protein), and one line
per tomogram to manifest.csv (name, set, voxel size, snr, shapes).

Usage: independent_phantoms.py OUT_DIR [--set phantoms|real|all] [--count N] [--snr S]
       [--seed S] [--real-labels DIR] [--size Z,Y,X]
"""
import argparse
import csv
import gzip
import io
import math
import os
import sys

import mrcfile
import mrcfile.mrcinterpreter
import numpy as np
from scipy import ndimage

MEMBRANE = 2
VOLTAGE_V = 300e3
CS_A = 2.7e7  # spherical aberration 2.7 mm in Å
AMPLITUDE_CONTRAST = 0.07


# ----------------------------------------------------------------------------- geometry
def grid(shape):
    z, y, x = np.meshgrid(*[np.arange(n, dtype=np.float32) for n in shape], indexing="ij")
    return z, y, x


def signed_distance(solid):
    """Signed distance (voxels) to the boundary of a boolean solid: < 0 inside."""
    if not solid.any():
        return np.full(solid.shape, 1e6, np.float32)
    if solid.all():
        return np.full(solid.shape, -1e6, np.float32)
    outside = ndimage.distance_transform_edt(~solid).astype(np.float32)
    inside = ndimage.distance_transform_edt(solid).astype(np.float32)
    return np.where(solid, -(inside - 0.5), outside - 0.5)


def shell(sd, thickness):
    """Soft membrane density (0..1) of width `thickness` voxels centred on sd = 0."""
    return np.clip(thickness / 2.0 + 0.5 - np.abs(sd), 0.0, 1.0)


def smooth_sphere_function(rng, dirs, terms=6, amplitude=0.25):
    """A random smooth function on the unit sphere, evaluated at unit vectors dirs (...,3)."""
    value = np.zeros(dirs.shape[:-1], np.float32)
    for _ in range(terms):
        v = rng.normal(size=3)
        v /= np.linalg.norm(v)
        frequency = rng.uniform(1.0, 3.5)
        value += rng.uniform(0.3, 1.0) * np.cos(frequency * (dirs @ v.astype(np.float32)) + rng.uniform(0, 2 * np.pi))
    return amplitude * value / terms


def random_curve(rng, shape, points=5, margin=-10):
    """A smooth random 3D polyline (dense samples), allowed to leave the volume."""
    ctrl = np.stack([rng.uniform(margin, n - 1 - margin, points) for n in shape], axis=1)
    t = np.linspace(0, 1, points)
    ts = np.linspace(0, 1, 400)
    return np.stack([np.interp(ts, t, ctrl[:, a]) for a in range(3)], axis=1)


def tube_solid(shape, curve, radius):
    seeds = np.zeros(shape, bool)
    idx = np.round(curve).astype(int)
    ok = np.all((idx >= 0) & (idx < np.array(shape)), axis=1)
    seeds[tuple(idx[ok].T)] = True
    if not seeds.any():
        return seeds
    return ndimage.distance_transform_edt(~seeds) <= radius


class Scene:
    """Membrane density, membrane truth, other densities and distractor labels of one scene."""

    def __init__(self, shape, rng):
        self.shape = shape
        self.rng = rng
        self.membrane = np.zeros(shape, np.float32)  # soft membrane density
        self.other = np.zeros(shape, np.float32)  # unlabelled densities
        self.distractors = np.zeros(shape, np.uint8)
        self.lumen = np.zeros(shape, np.float32)  # faint content inside compartments
        self.shapes = []
        self.z, self.y, self.x = grid(shape)

    def thickness(self):
        return self.rng.uniform(2.0, 3.0)

    def add_membrane_of_solid(self, solid, name, lumen=True):
        sd = signed_distance(solid)
        self.membrane = np.maximum(self.membrane, shell(sd, self.thickness()))
        if lumen:
            self.lumen = np.maximum(self.lumen, (sd < -2).astype(np.float32) * self.rng.uniform(0.0, 0.15))
        self.shapes.append(name)
        return sd

    def centre(self, margin=0.15):
        return np.array([self.rng.uniform(margin * n, (1 - margin) * n) for n in self.shape])

    def radial(self, c):
        d = np.stack([self.z - c[0], self.y - c[1], self.x - c[2]], axis=-1)
        r = np.linalg.norm(d, axis=-1)
        return d / np.maximum(r, 1e-6)[..., None], r

    # Shapes ----------------------------------------------------------------------------
    def vesicle(self, double=False):
        c = self.centre()
        rad = self.rng.uniform(7, min(26, 0.45 * max(self.shape)))
        axes = rad * self.rng.uniform(0.8, 1.2, 3)
        q = ((self.z - c[0]) / axes[0]) ** 2 + ((self.y - c[1]) / axes[1]) ** 2 + ((self.x - c[2]) / axes[2]) ** 2
        sd = self.add_membrane_of_solid(q <= 1, "double_vesicle" if double else "vesicle")
        if double:
            gap = self.rng.uniform(3.0, 6.0)  # centre-to-centre distance of the two membranes
            self.membrane = np.maximum(self.membrane, shell(sd + gap, self.thickness()))

    def irregular(self):
        c = self.centre(0.25)
        dirs, r = self.radial(c)
        r0 = self.rng.uniform(12, 0.4 * max(self.shape))
        limit = r0 * (1 + smooth_sphere_function(self.rng, dirs, amplitude=self.rng.uniform(0.3, 0.6)))
        # flatten along a random axis now and then: compartments are rarely round
        self.add_membrane_of_solid(r <= limit, "irregular_compartment")

    def budding(self):
        c = self.centre(0.3)
        r1 = self.rng.uniform(12, 22)
        v = self.rng.normal(size=3)
        v /= np.linalg.norm(v)
        r2 = r1 * self.rng.uniform(0.4, 0.8)
        c2 = c + v * (r1 + r2 * self.rng.uniform(0.3, 0.8))
        s1 = (self.z - c[0]) ** 2 + (self.y - c[1]) ** 2 + (self.x - c[2]) ** 2 <= r1 * r1
        s2 = (self.z - c2[0]) ** 2 + (self.y - c2[1]) ** 2 + (self.x - c2[2]) ** 2 <= r2 * r2
        self.add_membrane_of_solid(s1 | s2, "budding")

    def sheet(self):
        """An open, gently curved membrane patch, often cut by the volume's faces."""
        n = self.rng.normal(size=3)
        n /= np.linalg.norm(n)
        c = self.centre(0.3)
        d = (self.z - c[0]) * n[0] + (self.y - c[1]) * n[1] + (self.x - c[2]) * n[2]
        # bumps: a smooth function of the in-plane position
        bump = np.zeros(self.shape, np.float32)
        for _ in range(3):
            k = self.rng.normal(size=3) * self.rng.uniform(0.02, 0.06)
            bump += self.rng.uniform(1, 4) * np.cos(k[0] * self.z + k[1] * self.y + k[2] * self.x + self.rng.uniform(0, 6))
        sd = d - bump
        radius = self.rng.uniform(0.35, 0.9) * max(self.shape)
        in_plane = np.sqrt(np.maximum((self.z - c[0]) ** 2 + (self.y - c[1]) ** 2 + (self.x - c[2]) ** 2 - d * d, 0))
        footprint = np.clip((radius - in_plane) / 2.0, 0, 1)
        self.membrane = np.maximum(self.membrane, shell(sd, self.thickness()) * footprint)
        self.shapes.append("sheet")

    def cisternae(self):
        """A stack of flattened sacs: pairs of parallel membranes joined at the rim."""
        n = self.rng.normal(size=3)
        n[0] *= 0.3  # mostly seen edge-on or oblique, like Golgi stacks in a lamella
        n /= np.linalg.norm(n)
        c = self.centre(0.3)
        count = int(self.rng.integers(2, 5))
        lumen = self.rng.uniform(2.0, 5.0)
        spacing = lumen + self.rng.uniform(4.0, 8.0)
        radius = self.rng.uniform(18, 0.45 * max(self.shape))
        for i in range(count):
            ci = c + n * (i - (count - 1) / 2) * spacing
            d = (self.z - ci[0]) * n[0] + (self.y - ci[1]) * n[1] + (self.x - ci[2]) * n[2]
            rr = (self.z - ci[0]) ** 2 + (self.y - ci[1]) ** 2 + (self.x - ci[2]) ** 2 - d * d
            ri = radius * self.rng.uniform(0.7, 1.0)
            solid = (d / (lumen / 2 + 0.5)) ** 2 + rr / (ri * ri) <= 1
            self.add_membrane_of_solid(solid, "cisterna", lumen=False)

    def tube(self):
        curve = random_curve(self.rng, self.shape)
        radius = self.rng.uniform(4, 10)
        self.add_membrane_of_solid(tube_solid(self.shape, curve, radius), "tube")

    # Distractors -----------------------------------------------------------------------
    def particles(self, voxel, count):
        radius = 110.0 / voxel  # ribosome: about 25 nm across
        for _ in range(count):
            c = self.centre(0.0)
            blob = np.zeros(self.shape, bool)
            for _ in range(3):
                cc = c + self.rng.normal(size=3) * radius * 0.35
                rr = radius * self.rng.uniform(0.55, 0.8)
                blob |= (self.z - cc[0]) ** 2 + (self.y - cc[1]) ** 2 + (self.x - cc[2]) ** 2 <= rr * rr
            blob &= self.membrane < 0.05
            self.other[blob] = np.maximum(self.other[blob], self.rng.uniform(0.8, 1.3))
            self.distractors[blob] = 1

    def filaments(self, voxel, count):
        for _ in range(count):
            rod = tube_solid(self.shape, random_curve(self.rng, self.shape, points=3, margin=-20), 35.0 / voxel + 0.5)
            rod &= self.membrane < 0.05
            self.other[rod] = np.maximum(self.other[rod], 1.0)
            self.distractors[rod & (self.distractors == 0)] = 2

    def microtubules(self, voxel, count):
        for _ in range(count):
            curve = random_curve(self.rng, self.shape, points=3, margin=-20)
            outer = tube_solid(self.shape, curve, 125.0 / voxel)
            inner = tube_solid(self.shape, curve, 75.0 / voxel)
            wall = outer & ~inner & (self.membrane < 0.05)
            self.other[wall] = np.maximum(self.other[wall], 0.9)
            self.distractors[wall & (self.distractors == 0)] = 3

    def gold(self, voxel, count):
        radius = max(50.0 / voxel, 1.5)
        for _ in range(count):
            c = self.centre(0.05)
            ball = (self.z - c[0]) ** 2 + (self.y - c[1]) ** 2 + (self.x - c[2]) ** 2 <= radius * radius
            self.other[ball] = 6.0
            self.distractors[ball] = 4

    def membrane_proteins(self, voxel, count):
        where = np.argwhere(self.membrane > 0.5)
        if len(where) == 0:
            return
        radius = max(40.0 / voxel, 1.2)
        for p in where[self.rng.integers(0, len(where), count)]:
            c = p + self.rng.normal(size=3) * 1.5
            ball = (self.z - c[0]) ** 2 + (self.y - c[1]) ** 2 + (self.x - c[2]) ** 2 <= radius * radius
            ball &= self.membrane < 0.5
            self.other[ball] = np.maximum(self.other[ball], 1.0)
            self.distractors[ball & (self.distractors == 0)] = 5

    def add_distractors(self, voxel):
        scale = np.prod(self.shape) / (64 * 192 * 192)
        self.particles(voxel, int(self.rng.integers(4, 12) * scale) + 1)
        self.filaments(voxel, int(self.rng.integers(2, 6)))
        if self.rng.random() < 0.5:
            self.microtubules(voxel, int(self.rng.integers(1, 3)))
        if self.rng.random() < 0.5:
            self.gold(voxel, int(self.rng.integers(1, 4)))
        self.membrane_proteins(voxel, int(self.rng.integers(10, 40)))

    def density(self):
        """Everything but gold, and the gold apart (see image())."""
        gold = self.distractors == 4
        rest = np.maximum(self.membrane, np.where(gold, 0, self.other)) + self.lumen * (self.membrane < 0.5)
        return rest, np.where(gold, self.other, 0).astype(np.float32)

    def truth(self):
        return np.where(self.membrane >= 0.5, MEMBRANE, 0).astype(np.uint8)


# ------------------------------------------------------------------------------ imaging
def electron_wavelength(volts):
    return 12.2643 / math.sqrt(volts * (1 + 0.978466e-6 * volts))  # Å


def frequencies(shape, voxel):
    ks = [np.fft.fftfreq(n, d=voxel).astype(np.float32) for n in shape]
    kz, ky, kx = np.meshgrid(*ks, indexing="ij")
    return kz, ky, kx


def ctf(k, defocus, b_factor):
    lam = electron_wavelength(VOLTAGE_V)
    chi = math.pi * lam * defocus * k**2 - 0.5 * math.pi * CS_A * lam**3 * k**4
    w = math.sqrt(1 - AMPLITUDE_CONTRAST**2)
    return -(w * np.sin(chi) + AMPLITUDE_CONTRAST * np.cos(chi)) * np.exp(-b_factor * k**2 / 4)


def wedge_mask(kz, kx, max_tilt_deg):
    """Frequencies measured by a tilt series about y from -max to +max: the angle of
    (kx, kz) from the kx axis is at most max_tilt."""
    return (np.abs(kz) <= np.abs(kx) * math.tan(math.radians(max_tilt_deg)) + 1e-9).astype(np.float32)


def band_limit(k, voxel, fraction=0.8):
    nyquist = 0.5 / voxel
    edge = fraction * nyquist
    return np.clip((nyquist - k) / (nyquist - edge), 0, 1).astype(np.float32) ** 2


def image(density, voxel, rng, snr, max_tilt=60.0, defocus=None, gold=None):
    """The tomogram of `density`; `gold` (optional) is imaged too but left out of the
    signal variance that sets the noise (a few fiducials would otherwise dominate it)."""
    defocus = defocus if defocus is not None else rng.uniform(2e4, 5e4)
    kz, ky, kx = frequencies(density.shape, voxel)
    k = np.sqrt(kz * kz + ky * ky + kx * kx)
    transfer = ctf(k, defocus, rng.uniform(50, 200)) * wedge_mask(kz, kx, max_tilt) * band_limit(k, voxel)
    signal = np.real(np.fft.ifftn(np.fft.fftn(density - density.mean()) * transfer)).astype(np.float32)
    gold_signal = 0
    if gold is not None and gold.any():
        gold_signal = np.real(np.fft.ifftn(np.fft.fftn(gold) * transfer)).astype(np.float32)
    noise_shape = wedge_mask(kz, kx, max_tilt) * band_limit(k, voxel)
    noise = np.real(np.fft.ifftn(np.fft.fftn(rng.normal(size=density.shape)) * noise_shape)).astype(np.float32)
    noise *= math.sqrt(signal.var() / snr) / noise.std()
    z, y, x = grid(density.shape)
    g = rng.normal(size=2)
    gradient = (g[0] * (y / density.shape[1] - 0.5) + g[1] * (x / density.shape[2] - 0.5)) * signal.std() * 2.0
    return (signal + gold_signal + noise + gradient).astype(np.float32), defocus


# -------------------------------------------------------------------------------- output
def write(path, data, voxel):
    with mrcfile.new(path, overwrite=True) as m:
        m.set_data(data)
        m.voxel_size = voxel


def save(out, name, volume, truth, distractors, voxel, kind, snr, defocus, shapes, rows):
    write(os.path.join(out, name + ".mrc"), volume, voxel)
    write(os.path.join(out, name + "_truth.mrc"), truth, voxel)
    write(os.path.join(out, name + "_distractors.mrc"), distractors, voxel)
    rows.append({"name": name, "set": kind, "voxel_size_A": "%.2f" % voxel, "snr": snr,
                 "defocus_um": "%.2f" % (defocus / 1e4), "nz": volume.shape[0], "ny": volume.shape[1],
                 "nx": volume.shape[2], "shapes": " ".join(sorted(set(shapes)))})


SCENE_RECIPES = [
    ("vesicles", lambda s: [s.vesicle() for _ in range(3)] + [s.vesicle(double=True)]),
    ("double_vesicles", lambda s: [s.vesicle(double=True) for _ in range(2)] + [s.vesicle()]),
    ("sheets", lambda s: [s.sheet() for _ in range(2)] + [s.vesicle()]),
    ("cisternae", lambda s: [s.cisternae()] + [s.vesicle()]),
    ("tubes", lambda s: [s.tube() for _ in range(2)] + [s.budding()]),
    ("compartments", lambda s: [s.irregular()] + [s.vesicle()]),
    ("mixed", lambda s: [s.irregular(), s.sheet(), s.vesicle(double=True)]),
    ("budding", lambda s: [s.budding(), s.budding(), s.tube()]),
]


def make_phantoms(out, count, snr, seed, shape, rows):
    for i in range(count):
        rng = np.random.default_rng(seed + i)
        recipe_name, recipe = SCENE_RECIPES[i % len(SCENE_RECIPES)]
        voxel = float(rng.uniform(10.0, 17.0))
        scene = Scene(shape, rng)
        recipe(scene)
        scene.add_distractors(voxel)
        rest, gold = scene.density()
        volume, defocus = image(rest, voxel, rng, snr, gold=gold)
        save(out, "phantom%02d_%s" % (i, recipe_name), volume, scene.truth(), scene.distractors, voxel, "phantoms",
             snr, defocus, scene.shapes, rows)
        print("phantom %d (%s) at %.1f Å" % (i, recipe_name, voxel), file=sys.stderr)


# The real segmentations: which labels are membranes, the voxel size their authors used,
# and the crops (z, y, x origin and size) that hold most membrane.
REAL = [
    ("tomo22_z50_ves_4_seg.mrc.gz", "real_synaptic_vesicle", [1], 12.0, None),
    ("t74_vesicle3_bin6.Labels.mrc.gz", "real_vesicle_pycurv", [1], 25.26, None),
    ("t2_ny01_lbl.labels_FILLEDpeakplus.mrc.gz", "real_cortical_er", [1, 2], 13.68, None),
    ("TF1.mrc.gz", "real_mito_er", [1, 2, 3], 13.4, "dense"),
]


def densest_crops(mask, size, count):
    """Origins of `count` non-overlapping crops of `size` with the most membrane."""
    step = [max(1, s // 2) for s in size]
    scores = []
    for z in range(0, max(1, mask.shape[0] - size[0] + 1), step[0]):
        for y in range(0, max(1, mask.shape[1] - size[1] + 1), step[1]):
            for x in range(0, max(1, mask.shape[2] - size[2] + 1), step[2]):
                scores.append((mask[z:z + size[0], y:y + size[1], x:x + size[2]].sum(), (z, y, x)))
    scores.sort(reverse=True)
    chosen = []
    for s, o in scores:
        if all(any(abs(o[a] - c[a]) >= size[a] for a in range(3)) for c in chosen):
            chosen.append(o)
        if len(chosen) == count:
            break
    return chosen


def make_real(out, real_dir, snr, seed, rows, crops=3):
    for index, (file, name, membrane_labels, voxel, crop) in enumerate(REAL):
        path = os.path.join(real_dir, file)
        if not os.path.exists(path):
            print("skipping %s: %s not found" % (name, path), file=sys.stderr)
            continue
        with gzip.open(path, "rb") as f:
            with mrcfile.mrcinterpreter.MrcInterpreter(io.BytesIO(f.read()), permissive=True) as m:
                labels = np.asarray(m.data).astype(np.int16)
        membrane = np.isin(labels, membrane_labels)
        pieces = []
        if crop == "dense":
            size = (64, 192, 192)
            for k, o in enumerate(densest_crops(membrane, size, crops)):
                sl = tuple(slice(o[a], o[a] + size[a]) for a in range(3))
                pieces.append(("%s_%d" % (name, k), membrane[sl]))
        else:
            # pad small crops so that the tiles of a segmenter see some solvent around them
            pad = [(max(0, (64 - n) // 2), max(0, (64 - n + 1) // 2)) for n in membrane.shape]
            pieces.append((name, np.pad(membrane, pad)))
        for k, (piece_name, mask) in enumerate(pieces):
            rng = np.random.default_rng(seed + 1000 + 10 * index + k)
            scene = Scene(mask.shape, rng)
            scene.membrane = mask.astype(np.float32)
            scene.shapes.append("real")
            scene.add_distractors(voxel)
            rest, gold = scene.density()
            volume, defocus = image(rest, voxel, rng, snr, gold=gold)
            save(out, piece_name, volume, scene.truth(), scene.distractors, voxel, "real", snr, defocus,
                 scene.shapes, rows)
            print("real %s at %.1f Å, %s" % (piece_name, voxel, mask.shape), file=sys.stderr)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out")
    parser.add_argument("--set", default="all", choices=["phantoms", "real", "all"])
    parser.add_argument("--count", type=int, default=8)
    parser.add_argument("--snr", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--size", default="64,192,192")
    parser.add_argument("--real-labels", default=os.path.join(here, "../../../../shared/data/real-labels"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    shape = tuple(int(v) for v in args.size.split(","))
    rows = []
    if args.set in ("phantoms", "all"):
        make_phantoms(args.out, args.count, args.snr, args.seed, shape, rows)
    if args.set in ("real", "all"):
        make_real(args.out, args.real_labels, args.snr, args.seed, rows)
    with open(os.path.join(args.out, "manifest.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()
