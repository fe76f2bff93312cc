#!/usr/bin/env python3
"""Makes the bundled demo data: a 160 x 160 x 48 phantom tomogram of vesicles (single and
double membranes, proteins) with a +-60 degree missing wedge at the simulator's default
noise, and its ground-truth labels, from core/ml's simulator (seed 2026, never used for
training or for the accuracy figures).

    python3 resources/demo/make_demo.py BUILD_DIR/bin/cellforge_unet_bench

Writes phantom_tomogram.mrc (mode 0, int8: 25 grey levels per standard deviation) and
phantom_labels.mrc (mode 0: 0 background, 1 protein, 2 membrane), voxel size 10 A.
"""
import os
import subprocess
import sys
import tempfile

import mrcfile
import numpy as np

SEED, NX, NY, NZ, VOXEL = 2026, 160, 160, 48, 10.0


def main():
    bench = sys.argv[1] if len(sys.argv) > 1 else "build/bin/cellforge_unet_bench"
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "demo")
        subprocess.run([bench, "phantom", "--seed", str(SEED), "--nx", str(NX), "--ny", str(NY), "--nz", str(NZ),
                        "--out", prefix], check=True, stdout=subprocess.DEVNULL)
        image = np.fromfile(prefix + ".image.f32", np.float32).reshape(NZ, NY, NX)
        labels = np.fromfile(prefix + ".labels.u8", np.uint8).reshape(NZ, NY, NX)
    grey = np.clip(np.rint(image * 25.0), -127, 127).astype(np.int8)
    for name, data in (("phantom_tomogram.mrc", grey), ("phantom_labels.mrc", labels.astype(np.int8))):
        path = os.path.join(here, name)
        with mrcfile.new(path, overwrite=True) as m:
            m.set_data(data)
            m.voxel_size = VOXEL
        print(f"{path}: {data.shape[::-1]} {data.dtype}, {os.path.getsize(path)} bytes")
    counts = np.bincount(labels.ravel(), minlength=3)
    print(f"labels: background {counts[0]}, protein {counts[1]}, membrane {counts[2]} voxels")


if __name__ == "__main__":
    main()
