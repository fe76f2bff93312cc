#!/usr/bin/python3
"""Meshing benchmark: CellForge against skimage.measure.marching_cubes, same run.

1. Runs `bench_mesh surface DIR`, which writes a 256³ label volume (60 labels, fixed
   seed) as raw uint16 and times CellForge's per-label surface extraction.
2. Reads the same raw volume and times skimage.measure.marching_cubes per label, the
   way a careful Python user would: each label's mask cropped to its bounding box
   (scipy.ndimage.find_objects) plus one voxel of padding so surfaces close.
3. Runs `bench_mesh volume DIR` for the CGAL Mesh_3 rate (vertices per second) on a
   cell-with-nucleus label volume and the quality figures of both meshes.

Usage: run_bench.py [path/to/bench_mesh] (default: build-*/bin/bench_mesh beside here)
"""
import glob
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy import ndimage
from skimage import measure

HERE = os.path.dirname(os.path.abspath(__file__))


def find_program():
    if len(sys.argv) > 1:
        return sys.argv[1]
    root = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
    candidates = sorted(glob.glob(os.path.join(root, "build*", "bin", "bench_mesh")), key=os.path.getmtime)
    if not candidates:
        sys.exit("bench_mesh not found; build it (ninja bench_mesh) or pass its path")
    return candidates[-1]


def run(program, mode, folder):
    out = subprocess.run([program, mode, folder], check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def skimage_surfaces(labels):
    triangles = 0
    boxes = ndimage.find_objects(labels)
    for index, box in enumerate(boxes):
        if box is None:
            continue
        label = index + 1
        crop = labels[tuple(slice(max(s.start - 1, 0), s.stop + 1) for s in box)]
        mask = np.pad(crop == label, 1).astype(np.float32)  # closed at the crop's border
        verts, faces, _, _ = measure.marching_cubes(mask, 0.5, spacing=(10.0, 10.0, 10.0))
        triangles += len(faces)
    return triangles


def main():
    program = find_program()
    with tempfile.TemporaryDirectory() as folder:
        ours = run(program, "surface", folder)
        labels = np.fromfile(os.path.join(folder, "labels_256.raw"), dtype=np.uint16).reshape(256, 256, 256)
        best, best_cpu, triangles = 1e30, 1e30, 0
        for _ in range(5):
            start, start_cpu = time.perf_counter(), time.process_time()
            triangles = skimage_surfaces(labels)
            best = min(best, time.perf_counter() - start)
            best_cpu = min(best_cpu, time.process_time() - start_cpu)
        volume = run(program, "volume", folder)

    print("Surface extraction of a 256³ label volume (60 labels), best of 5:")
    print(f"  skimage.measure.marching_cubes per label (cropped, 1 thread): {best:.3f} s wall, {best_cpu:.3f} s CPU, "
          f"{triangles} triangles")
    cores = max(r["threads"] for r in ours if r["figure"] == "surface")
    for r in ours:
        if r["figure"] != "surface":
            continue
        ratio = best / r["seconds"]
        print(f"  CellForge binary marching cubes, {r['threads']} thread(s), smoothing {r['smoothing_iterations']:2d} it.: "
              f"{r['seconds']:.3f} s wall ({ratio:.1f}x the peer), {r['cpu_seconds']:.3f} s CPU "
              f"({best_cpu / r['cpu_seconds']:.1f}x less work), {r['triangles']} triangles")
    headline = [r for r in ours if r["figure"] == "surface" and r["threads"] == cores and r["smoothing_iterations"] == 0][0]
    print(f"  goal >= 5x: {'met' if best / headline['seconds'] >= 5 else 'NOT met'} "
          f"({best / headline['seconds']:.1f}x wall, extraction only, {cores} threads; "
          f"{best_cpu / headline['cpu_seconds']:.1f}x in CPU time)")
    print(f"  machine load while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(wall-clock ratios are only meaningful on an otherwise idle machine)")
    for r in volume:
        if r["figure"] == "volume":
            print(f"CGAL Mesh_3 on a {r['label_volume']} label volume: {r['vertices']} vertices, {r['tetrahedra']} tetrahedra; "
                  f"refine {r['refine_seconds']:.2f} s ({r['vertices_per_second_refine']:.0f} vertices/s), "
                  f"perturb + exude {r['optimise_seconds']:.2f} s; overall {r['vertices_per_second_total']:.0f} vertices/s")
    for r in volume:
        if r["figure"] == "remesh":
            print(f"CGAL isotropic remeshing of the cell's surfaces to 20 A edges: {r['seconds']:.2f} s")
    for r in ours + volume:
        if r["figure"] == "quality":
            line = (f"Quality of {r['mesh']}: {r['triangles']} triangles, angles {r['triangle_angle_min']:.1f}-"
                    f"{r['triangle_angle_max']:.1f} deg ({r['angles_below_30']} below 30), aspect ratio mean "
                    f"{r['aspect_ratio_mean']:.2f} max {r['aspect_ratio_max']:.2f}, closed {r['closed']}, manifold {r['manifold']}")
            if "hausdorff_A" in r:
                line += f", Hausdorff distance to the extracted surface {r['hausdorff_A']:.1f} A"
            if "self_intersecting_pairs" in r:
                line += (f", self-intersecting pairs {r['self_intersecting_pairs']} within a region, "
                         f"{r['region_intersecting_pairs']} between regions")
            if "tetrahedra" in r:
                line += (f"; {r['tetrahedra']} tetrahedra, dihedral {r['dihedral_min']:.1f}-{r['dihedral_max']:.1f} deg "
                         f"({r['dihedral_below_10']} below 10), radius-edge mean {r['radius_edge_mean']:.2f} "
                         f"max {r['radius_edge_max']:.2f}")
            print(line)
            print(f"  triangle-angle histogram (10 deg bins): {r['angle_histogram_10deg']}")
            if "dihedral_histogram_10deg" in r:
                print(f"  dihedral-angle histogram (10 deg bins): {r['dihedral_histogram_10deg']}")


if __name__ == "__main__":
    main()
