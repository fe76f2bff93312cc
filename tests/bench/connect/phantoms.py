"""Membrane segmentations with known truth, damaged as a slice-wise segmentation leaves them.

Written with numpy/scipy only, independently of CellForge's code: the figures and the speed
benchmark build their inputs here.

Shapes (voxel units, arrays in z, y, x order as MRC stores them):
  * ellipsoidal vesicles: shells 2-4 voxels thick, semi-axes 8-34, randomly rotated;
  * double membranes: two concentric ellipsoidal shells (mitochondrion-like), 2-4 voxels of
    background between them, and pairs of parallel curved sheets (nuclear-envelope-like);
  * sheet stacks: 3-5 parallel gently curved discs 3-5 voxels apart (thylakoids, Golgi);
  * real membranes: the 26-connected components of each membrane label of a curated file.

Damage, per membrane:
  * the missing wedge (tilt axis y, +-60 degrees): a membrane whose normal n lies in the
    wedge, |n_x| < tan(30 deg) |n_z|, is lost -- the caps and the lunes that run from them
    towards the sides (+-y) of a vesicle;
  * 2-4 cuts: a slab 2-6 voxels wide across the membrane (along a random tangent at a random
    point of it), through the whole membrane (six in ten) or within 15 voxels of the point;
  * stray blobs (balls of radius 1-2.5, label membrane, truth 0): half anywhere, half 2-5
    voxels off a membrane (never touching it).
Normals: analytic for the synthetic shapes; for the real ones, the structure tensor of each
membrane's mask (gaussian sigma 1, products averaged with sigma 2) computed here with scipy.
"""
import numpy as np
from scipy import ndimage

WEDGE_DEGREES = 30.0
CUT_REACH = 15.0


def random_rotation(rng):
    q = rng.normal(size=4)
    a, b, c, d = q / np.linalg.norm(q)
    return np.array([[a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
                     [2 * (b * c + a * d), a * a - b * b + c * c - d * d, 2 * (c * d - a * b)],
                     [2 * (b * d - a * c), 2 * (c * d + a * b), a * a - b * b - c * c + d * d]])


class Scene:
    """A truth volume (0 = background, k = membrane k) built shape by shape."""

    def __init__(self, shape_zyx, seed):
        self.truth = np.zeros(shape_zyx, np.int32)
        self.rng = np.random.default_rng(seed)
        self.spheres = []  # (centre xyz, radius) of the placed shapes
        self.next_id = 1
        self.painted = 0  # membrane voxels so far

    # ---- placement -------------------------------------------------------------------
    def place(self, radius, margin=3.0, tries=200):
        """A centre (x, y, z) whose bounding sphere keeps `margin` from the others, or None."""
        nz, ny, nx = self.truth.shape
        for _ in range(tries):
            c = np.array([self.rng.uniform(0, nx), self.rng.uniform(0, ny), self.rng.uniform(0, nz)])
            if all(np.linalg.norm(c - c2) > radius + r2 + margin for c2, r2 in self.spheres):
                self.spheres.append((c, radius))
                return c
        return None

    def grid(self, centre, reach):
        """Voxel coordinates (x, y, z float arrays) of the box around centre, and its slices."""
        nz, ny, nx = self.truth.shape
        lo = np.maximum(0, np.floor(centre - reach).astype(int))
        hi = np.minimum([nx, ny, nz], np.ceil(centre + reach).astype(int) + 1)
        if np.any(hi <= lo):
            return None, None
        sl = (slice(lo[2], hi[2]), slice(lo[1], hi[1]), slice(lo[0], hi[0]))
        z, y, x = np.meshgrid(np.arange(lo[2], hi[2]), np.arange(lo[1], hi[1]), np.arange(lo[0], hi[0]),
                              indexing="ij")
        return (x.astype(np.float32), y.astype(np.float32), z.astype(np.float32)), sl

    # ---- damage and painting ---------------------------------------------------------
    def damage(self, mask, normals, coords, cuts=True):
        """The surviving part of one membrane: wedge removed, 2-4 cuts."""
        nx, ny, nz = normals
        keep = mask & (np.abs(nx) >= np.tan(np.radians(WEDGE_DEGREES)) * np.abs(nz))
        if not cuts:
            return keep
        x, y, z = coords
        for _ in range(self.rng.integers(2, 5)):
            idx = np.flatnonzero(keep)
            if idx.size == 0:
                break
            k = idx[self.rng.integers(idx.size)]
            p = np.array([x.flat[k], y.flat[k], z.flat[k]])
            n = np.array([nx.flat[k], ny.flat[k], nz.flat[k]])
            t = self.rng.normal(size=3)
            t -= n * np.dot(t, n)
            t /= np.linalg.norm(t) + 1e-12
            width = self.rng.uniform(2.0, 6.0)
            along = (x - p[0]) * t[0] + (y - p[1]) * t[1] + (z - p[2]) * t[2]
            reach = np.inf if self.rng.uniform() < 0.6 else CUT_REACH
            near = (x - p[0]) ** 2 + (y - p[1]) ** 2 + (z - p[2]) ** 2 < reach ** 2
            keep &= ~(near & (np.abs(along) < width / 2))
        return keep

    def paint(self, sl, keep):
        region = self.truth[sl]
        free = keep & (region == 0)
        if free.sum() == 0:
            return
        region[free] = self.next_id
        self.next_id += 1
        self.painted += int(free.sum())

    # ---- shapes ----------------------------------------------------------------------
    def ellipsoid_shell(self, centre, axes, rotation, thickness):
        """mask and outward normals of an ellipsoidal shell in its box."""
        coords, sl = self.grid(centre, max(axes) + thickness + 1)
        if coords is None:
            return None
        x, y, z = coords
        d = np.stack([x - centre[0], y - centre[1], z - centre[2]], axis=-1) @ rotation  # local frame
        a = np.asarray(axes, np.float32)
        f = np.sqrt(np.sum((d / a) ** 2, axis=-1)) + 1e-9
        g_local = d / (a * a) / f[..., None]
        g = g_local @ rotation.T
        gn = np.linalg.norm(g, axis=-1) + 1e-9
        dist = (f - 1.0) / gn
        mask = np.abs(dist) <= thickness / 2.0
        n = g / gn[..., None]
        return mask, (n[..., 0], n[..., 1], n[..., 2]), coords, sl

    def curved_sheet(self, centre, rotation, radius, curvature_radius, offset, thickness):
        """A disc bent along a sphere of curvature_radius, `offset` along its normal."""
        reach = np.sqrt(radius ** 2 + (abs(offset) + thickness + radius ** 2 / (2 * curvature_radius)) ** 2) + 1
        coords, sl = self.grid(centre, reach)
        if coords is None:
            return None
        x, y, z = coords
        d = np.stack([x - centre[0], y - centre[1], z - centre[2]], axis=-1) @ rotation
        u, v, w = d[..., 0], d[..., 1], d[..., 2]
        height = (u * u + v * v) / (2 * curvature_radius) + offset
        mask = (np.abs(w - height) <= thickness / 2.0) & (u * u + v * v <= radius * radius)
        n_local = np.stack([-u / curvature_radius, -v / curvature_radius, np.ones_like(u)], axis=-1)
        n_local /= np.linalg.norm(n_local, axis=-1, keepdims=True)
        n = n_local @ rotation.T
        return mask, (n[..., 0], n[..., 1], n[..., 2]), coords, sl

    def add(self, made, cuts=True):
        if made is None:
            return
        mask, normals, coords, sl = made
        self.paint(sl, self.damage(mask, normals, coords, cuts))

    def vesicle(self, margin=3.0):
        r = self.rng.uniform(8, 30)
        axes = r * self.rng.uniform(0.75, 1.25, size=3)
        t = self.rng.uniform(2, 4)
        c = self.place(max(axes) + t, margin)
        if c is not None:
            self.add(self.ellipsoid_shell(c, axes, random_rotation(self.rng), t))

    def double_vesicle(self, margin=3.0):
        r = self.rng.uniform(12, 30)
        axes = r * np.array([self.rng.uniform(1.0, 1.8), self.rng.uniform(0.7, 1.0), self.rng.uniform(0.7, 1.0)])
        t = self.rng.uniform(2, 3.5)
        spacing = self.rng.uniform(2, 4)  # voxels of background between the shells
        rot = random_rotation(self.rng)
        c = self.place(max(axes) + t + spacing + t, margin)
        if c is None:
            return
        self.add(self.ellipsoid_shell(c, axes, rot, t))
        self.add(self.ellipsoid_shell(c, axes + t + spacing, rot, t))

    def sheet_stack(self, count=None, spacing=None, margin=3.0):
        count = count or int(self.rng.integers(3, 6))
        spacing = spacing or self.rng.uniform(3, 5)
        t = self.rng.uniform(2, 3)
        radius = self.rng.uniform(18, 40)
        curvature = self.rng.uniform(60, 250)
        pitch = t + spacing
        c = self.place(np.hypot(radius, count * pitch), margin)
        if c is None:
            return
        rot = random_rotation(self.rng)
        for k in range(count):
            self.add(self.curved_sheet(c, rot, radius, curvature + k * pitch, (k - (count - 1) / 2) * pitch, t))

    def double_sheet(self, margin=3.0):
        self.sheet_stack(count=2, spacing=self.rng.uniform(2, 4), margin=margin)

    # ---- stray blobs -----------------------------------------------------------------
    def blobs(self, count, labels):
        """Adds `count` stray blobs to `labels` (membrane label 2, truth 0), none touching a membrane."""
        surface = np.argwhere(self.truth > 0) if count else np.zeros((0, 3), int)
        nz, ny, nx = labels.shape
        added = 0
        for k in range(count * 4):
            if added >= count:
                break
            r = self.rng.uniform(1.0, 2.5)
            if k % 2 == 0 or surface.size == 0:
                c = np.array([self.rng.uniform(0, nz), self.rng.uniform(0, ny), self.rng.uniform(0, nx)])
            else:  # 2-5 voxels off a random membrane voxel, in a random direction
                p = surface[self.rng.integers(len(surface))]
                d = self.rng.normal(size=3)
                c = p + d / np.linalg.norm(d) * (r + self.rng.uniform(3, 6))
            # The ball and the shell 2 voxels around it, which must hold no membrane.
            lo = np.maximum(0, np.floor(c - r - 2).astype(int))
            hi = np.minimum([nz, ny, nx], np.ceil(c + r + 2).astype(int) + 1)
            if np.any(hi <= lo):
                continue
            zz, yy, xx = np.meshgrid(*[np.arange(lo[a], hi[a]) for a in range(3)], indexing="ij")
            d2 = (zz - c[0]) ** 2 + (yy - c[1]) ** 2 + (xx - c[2]) ** 2
            sl = tuple(slice(lo[a], hi[a]) for a in range(3))
            ball = d2 <= r * r
            if not ball.any() or (self.truth[sl][d2 <= (r + 2) ** 2] > 0).any():
                continue
            labels[sl][ball] = 2
            added += 1
        return added

    def labels(self, blob_count):
        labels = np.where(self.truth > 0, 2, 0).astype(np.uint16)
        self.blobs(blob_count, labels)
        return labels


# ---- the figure sets -------------------------------------------------------------------

def synthetic(kind, shape_zyx, count, seed, blobs_per_membrane=0.5):
    s = Scene(shape_zyx, seed)
    make = {"vesicles": s.vesicle, "double_membranes": None, "sheet_stacks": s.sheet_stack}[kind]
    for k in range(count):
        if kind == "double_membranes":
            (s.double_vesicle if k % 3 else s.double_sheet)()
        else:
            make()
    labels = s.labels(int(blobs_per_membrane * (s.next_id - 1)))
    return labels, s.truth


def structure_tensor_normals(mask):
    """Dominant gradient direction of a membrane mask at each of its voxels (x, y, z order)."""
    f = ndimage.gaussian_filter(mask.astype(np.float32), 1.0)
    gz, gy, gx = np.gradient(f)
    idx = np.nonzero(mask)
    t = np.empty((idx[0].size, 3, 3), np.float32)
    comps = {(0, 0): gx * gx, (0, 1): gx * gy, (0, 2): gx * gz, (1, 1): gy * gy, (1, 2): gy * gz, (2, 2): gz * gz}
    for (i, j), p in comps.items():
        v = ndimage.gaussian_filter(p, 2.0)[idx]
        t[:, i, j] = v
        t[:, j, i] = v
    _, vectors = np.linalg.eigh(t)
    n = vectors[:, :, 2]  # largest eigenvalue last
    return idx, n


def damaged_real(labels_in, membrane_labels, seed, blobs_per_membrane=0.5, min_voxels=50):
    """Each 26-connected component of each membrane label is a true membrane, damaged as above."""
    s = Scene(labels_in.shape, seed)
    structure = np.ones((3, 3, 3), bool)
    for lab in membrane_labels:
        comp, n = ndimage.label(labels_in == lab, structure=structure)
        boxes = ndimage.find_objects(comp)
        for k, box in enumerate(boxes, start=1):
            if box is None:
                continue
            pad = tuple(slice(max(0, b.start - 8), min(dim, b.stop + 8)) for b, dim in zip(box, labels_in.shape))
            mask = comp[pad] == k
            if mask.sum() < min_voxels:
                continue
            idx, normals = structure_tensor_normals(mask)
            nxv = np.zeros(mask.shape, np.float32)
            nyv = np.zeros(mask.shape, np.float32)
            nzv = np.zeros(mask.shape, np.float32)
            nxv[idx], nyv[idx], nzv[idx] = normals[:, 0], normals[:, 1], normals[:, 2]
            z, y, x = np.meshgrid(*[np.arange(p.start, p.stop, dtype=np.float32) for p in pad], indexing="ij")
            keep = s.damage(mask, (nxv, nyv, nzv), (x, y, z))
            s.paint(pad, keep)
    labels = s.labels(int(blobs_per_membrane * (s.next_id - 1)))
    return labels, s.truth


def synthetic_probabilities(labels, truth, seed):
    """A membrane probability for `labels` as a U-Net might give it: per true membrane a level
    in [0.55, 0.95] that drifts smoothly by about +-0.1 along it, blobs 0.5-0.8, voxel noise
    0.05; 0 off the membrane label."""
    rng = np.random.default_rng(seed)
    level = np.concatenate([[0.0], rng.uniform(0.55, 0.95, truth.max())])
    drift = ndimage.gaussian_filter(rng.normal(size=labels.shape).astype(np.float32), 8)
    drift *= 0.1 / drift.std()
    p = np.where(truth > 0, level[truth] + drift, 0).astype(np.float32)
    blob = (labels == 2) & (truth == 0)
    lab, n = ndimage.label(blob, structure=np.ones((3, 3, 3), bool))
    p[blob] = rng.uniform(0.5, 0.8, n + 1)[lab[blob]]
    p += rng.normal(0, 0.05, labels.shape).astype(np.float32) * (labels == 2)
    return np.clip(p, 0, 1).astype(np.float32)
