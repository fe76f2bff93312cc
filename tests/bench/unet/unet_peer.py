#!/usr/bin/env python3
"""PyTorch peer of CellForge's U-Net inference benchmark.

Reads a CellForge U-Net model file (layout: core/ml/ModelFile.h), builds the same
architecture as core/ml/UNet.cpp with nn.Modules of the same names, loads the same
weights (strict), and segments the same raw float32 tomogram with the same slice-by-slice
tiling (per-slice z-score, tile origins, reflection padding, raised-cosine blending,
batches of tiles across slices, softmax). Prints slices/s and, with --compare, the
largest difference from CellForge's membrane probabilities.
"""
import argparse
import math
import struct
import sys
import time
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_model(path):
    data = open(path, "rb").read()
    if data[:8] != b"CFUNET\r\n":
        sys.exit(f"{path}: not a CellForge U-Net model file")
    if zlib.crc32(data[:-4]) != struct.unpack("<I", data[-4:])[0]:
        sys.exit(f"{path}: checksum mismatch (corrupt)")
    (version,) = struct.unpack_from("<I", data, 8)
    (meta_len,) = struct.unpack_from("<Q", data, 12)
    meta = dict(line.split("=", 1) for line in data[20:20 + meta_len].decode().splitlines() if line)
    if version >= 2:  # kind + typed architecture ("architecture.depth=number:4") + "metadata.*" lines
        if meta.get("kind") != "unet":
            sys.exit(f"{path}: a '{meta.get('kind')}' model, not a U-Net")
        flat = {}
        for key, value in meta.items():
            if key.startswith("architecture."):
                flat[key[len("architecture."):]] = value.split(":", 1)[1]
            elif key.startswith("metadata."):
                flat[key[len("metadata."):]] = value
        meta = flat
    pos = 20 + meta_len
    (count,) = struct.unpack_from("<I", data, pos)
    pos += 4
    state = {}
    for _ in range(count):
        (name_len,) = struct.unpack_from("<H", data, pos)
        pos += 2
        name = data[pos:pos + name_len].decode()
        pos += name_len
        dtype, rank = data[pos], data[pos + 1]
        pos += 2
        dims = struct.unpack_from("<%dq" % rank, data, pos)
        pos += 8 * rank
        n = int(np.prod(dims)) if rank else 1
        if dtype == 1:
            arr = np.frombuffer(data, "<i8", n, pos).copy()
            pos += 8 * n
        else:
            arr = np.frombuffer(data, "<f4", n, pos).copy()
            pos += 4 * n
        state[name] = torch.from_numpy(arr.reshape(dims))
    return version, meta, state


def make_norm(kind, channels):
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    if kind == "instance":
        return nn.InstanceNorm2d(channels, affine=True)
    if kind == "group":
        return nn.GroupNorm(math.gcd(8, channels), channels)
    return nn.Identity()


class ConvBlock(nn.Module):
    def __init__(self, cin, cout, norm):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1, bias=True)
        self.norm1 = make_norm(norm, cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=True)
        self.norm2 = make_norm(norm, cout)

    def forward(self, x):
        x = F.relu(self.norm1(self.conv1(x)))
        return F.relu(self.norm2(self.conv2(x)))


class UNet(nn.Module):
    def __init__(self, depth, base, context, classes, norm, dropout):
        super().__init__()
        self.depth = depth
        ch = [base << i for i in range(depth)]
        for i in range(depth):
            setattr(self, f"enc{i}", ConvBlock(context if i == 0 else ch[i - 1], ch[i], norm))
        for i in range(depth - 1):
            setattr(self, f"up{i}", nn.ConvTranspose2d(ch[i + 1], ch[i], 2, stride=2))
            setattr(self, f"dec{i}", ConvBlock(2 * ch[i], ch[i], norm))
        self.head = nn.Conv2d(ch[0], classes, 1)
        self.dropout = nn.Dropout2d(dropout) if dropout > 0 else None

    def forward(self, x):
        skips = []
        for i in range(self.depth):
            x = getattr(self, f"enc{i}")(x)
            if i + 1 < self.depth:
                skips.append(x)
                x = F.max_pool2d(x, 2)
        if self.dropout is not None:
            x = self.dropout(x)
        for i in range(self.depth - 2, -1, -1):
            x = getattr(self, f"up{i}")(x)
            x = torch.cat([skips[i], x], 1)
            x = getattr(self, f"dec{i}")(x)
        return self.head(x)


def tile_origins(length, tile, overlap):
    if length <= tile:
        return [0]
    step = max(1, tile - overlap)
    count = 1 + (length - tile + step - 1) // step
    return [(i * (length - tile) + (count - 1) // 2) // (count - 1) for i in range(count)]


def blend_profile(tile, overlap):
    w = np.ones(tile, np.float32)
    for i in range(tile):
        edge = min(i, tile - 1 - i)
        if overlap > 0 and edge < overlap:
            t = (edge + 1) / (overlap + 1)
            w[i] = math.sin(0.5 * math.pi * t) ** 2
    return w


def segment(net, volume, classes, context, divisor, tile, overlap, batch):
    nz, ny, nx = volume.shape
    round_up = lambda n: (n + divisor - 1) // divisor * divisor
    tw, th = min(tile, round_up(nx)), min(tile, round_up(ny))
    xs, ys = tile_origins(nx, tw, overlap), tile_origins(ny, th, overlap)
    wx, wy = blend_profile(tw, overlap), blend_profile(th, overlap)
    w2 = np.outer(wy, wx)
    weight = np.zeros((ny, nx), np.float32)
    for y0 in ys:
        for x0 in xs:
            h, w = min(th, ny - y0), min(tw, nx - x0)
            weight[y0:y0 + h, x0:x0 + w] += w2[:h, :w]
    normalised = {}

    def slice_at(z):
        if z not in normalised:
            s = volume[z].astype(np.float64)
            sd = s.std()
            normalised[z] = ((s - s.mean()) / (sd if sd > 1e-12 else 1.0)).astype(np.float32)
        return normalised[z]

    tiles = [(z, x0, y0) for z in range(nz) for y0 in ys for x0 in xs]
    per_slice = len(xs) * len(ys)
    sums, remaining, out = {}, {}, {}
    for start in range(0, len(tiles), batch):
        chunk = tiles[start:start + batch]
        inp = np.empty((len(chunk), context, th, tw), np.float32)
        for b, (z, x0, y0) in enumerate(chunk):
            yi = reflect_index_offset(y0, th, ny)
            xi = reflect_index_offset(x0, tw, nx)
            for c in range(context):
                zz = min(max(z + c - context // 2, 0), nz - 1)
                inp[b, c] = slice_at(zz)[np.ix_(yi, xi)]
        with torch.inference_mode():
            probs = torch.softmax(net(torch.from_numpy(inp)), 1).numpy()
        for b, (z, x0, y0) in enumerate(chunk):
            if z not in sums:
                sums[z] = np.zeros((classes, ny, nx), np.float32)
                remaining[z] = per_slice
            h, w = min(th, ny - y0), min(tw, nx - x0)
            sums[z][:, y0:y0 + h, x0:x0 + w] += probs[b, :, :h, :w] * w2[:h, :w]
            remaining[z] -= 1
        for z in [z for z in sorted(sums) if remaining[z] == 0]:
            out[z] = (sums.pop(z)[2] / weight) if classes > 2 else sums.pop(z)[-1] / weight
        keep_from = chunk[-1][0] - context // 2
        for z in [z for z in normalised if z < keep_from]:
            del normalised[z]
    return out


def reflect_index_offset(origin, n, length):
    idx = np.arange(origin, origin + n)
    if length == 1:
        return np.zeros(n, np.int64)
    period = 2 * (length - 1)
    idx = idx % period
    return np.where(idx < length, idx, period - idx)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--input", required=True, help="raw float32 tomogram, x fastest")
    ap.add_argument("--nx", type=int, default=512)
    ap.add_argument("--ny", type=int, default=512)
    ap.add_argument("--nz", type=int, default=100)
    ap.add_argument("--tile", type=int, default=256)
    ap.add_argument("--overlap", type=int, default=32)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--compare", help="CellForge's membrane probabilities of the first slices (raw float32)")
    ap.add_argument("--compare-slices", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    _, meta, state = read_model(a.model)
    depth, base = int(meta["depth"]), int(meta["base_channels"])
    context, classes = int(meta["context_slices"]), int(meta["classes"])
    net = UNet(depth, base, context, classes, meta["normalization"], float(meta["dropout"]))
    net.load_state_dict(state, strict=True)
    net.eval()
    volume = np.fromfile(a.input, np.float32).reshape(a.nz, a.ny, a.nx)
    best = float("inf")
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        out = segment(net, volume, classes, context, 1 << (depth - 1), a.tile, a.overlap, a.batch)
        best = min(best, time.perf_counter() - t0)
    print(f"pytorch {torch.__version__} {a.nx}x{a.ny}x{a.nz} tile {a.tile} overlap {a.overlap} batch {a.batch} "
          f"threads {a.threads}: {best:.2f} s, {a.nz / best:.2f} slices/s")
    if a.compare and a.compare_slices:
        theirs = np.fromfile(a.compare, np.float32).reshape(a.compare_slices, a.ny, a.nx)
        diff = max(float(np.abs(out[z] - theirs[z]).max()) for z in range(a.compare_slices))
        agree = np.mean([((out[z] > 0.5) == (theirs[z] > 0.5)).mean() for z in range(a.compare_slices)])
        print(f"agreement with CellForge on {a.compare_slices} slices: max |p_pytorch - p_cellforge| = {diff:.2e}, "
              f"same label at p>0.5: {100 * agree:.4f}% of voxels")


if __name__ == "__main__":
    main()
