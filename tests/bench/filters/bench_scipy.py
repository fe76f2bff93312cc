#!/usr/bin/env python3
"""The scipy.ndimage side of the filters benchmark (run by run_bench.sh).

  bench_scipy.py generate OUT.raw NX NY NZ SEED
      writes seeded standard-normal float32 noise (x fastest).
  bench_scipy.py compare IN.raw NX NY NZ PREFIX CPP_TIMES.txt
      times gaussian_filter(sigma=2) and median_filter(size=5) on IN.raw, reads the
      CellForge results PREFIX.{gaussian,median}.raw and times from CPP_TIMES.txt,
      prints times, speed-up and the largest absolute difference (whole volume and
      interior, i.e. away from the borders by the filter radius).
"""
import sys
import time

import numpy as np
import scipy
import scipy.ndimage as ndi


def generate(path, nx, ny, nz, seed):
    rng = np.random.default_rng(seed)
    rng.standard_normal((nz, ny, nx), dtype=np.float32).tofile(path)


def read_times(path):
    """{name: {"seconds": wall, "cpu_seconds": cpu, "threads": n}} from filters_bench's lines."""
    times = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            fields = dict(p.split("=", 1) for p in parts[1:] if "=" in p)
            if parts and "seconds" in fields:
                times[parts[0]] = {k: float(v) for k, v in fields.items()}
    return times


def compare(path, nx, ny, nz, prefix, times_path):
    data = np.fromfile(path, dtype=np.float32).reshape(nz, ny, nx)
    cpp_times = read_times(times_path)
    cases = [
        ("gaussian", "gaussian_filter(sigma=2, truncate=4, mode='reflect')", 8,
         lambda a: ndi.gaussian_filter(a, sigma=2.0, truncate=4.0, mode="reflect")),
        ("median", "median_filter(size=5, mode='reflect')", 2,
         lambda a: ndi.median_filter(a, size=5, mode="reflect")),
    ]
    print(f"volume {nx}x{ny}x{nz} float32, scipy {scipy.__version__} (one thread), numpy {np.__version__}")
    print("wall = elapsed seconds (the figure compared); cpu = process CPU seconds, all threads")
    print(f"{'filter':9s} {'cellforge wall':>14s} {'(cpu)':>7s} {'scipy wall':>10s} {'(cpu)':>7s} "
          f"{'speed-up':>8s} {'max|diff| all':>13s} {'interior':>9s}")
    ok = True
    for name, desc, border, run in cases:
        c0 = time.process_time()
        t0 = time.perf_counter()
        ref = run(data)
        t_scipy = time.perf_counter() - t0
        c_scipy = time.process_time() - c0
        ours = np.fromfile(f"{prefix}.{name}.raw", dtype=np.float32).reshape(nz, ny, nx)
        diff = np.abs(ours.astype(np.float64) - ref.astype(np.float64))
        inner = diff[border:-border, border:-border, border:-border]
        mine = cpp_times.get(name, {})
        t_ours = mine.get("seconds", float("nan"))
        c_ours = mine.get("cpu_seconds", float("nan"))
        print(f"{name:9s} {t_ours:14.3f} {c_ours:7.2f} {t_scipy:10.3f} {c_scipy:7.2f} "
              f"{t_scipy / t_ours:7.1f}x {diff.max():13.3g} {inner.max():9.3g}")
        print(f"          scipy.ndimage.{desc}; interior: {border} voxels from every face")
        scale = max(1.0, float(np.abs(ref).max()))
        if inner.max() > 1e-5 * scale:
            ok = False
            print(f"  {name}: results differ beyond float tolerance", file=sys.stderr)
    return 0 if ok else 1


def main(argv):
    if len(argv) >= 7 and argv[1] == "generate":
        generate(argv[2], int(argv[3]), int(argv[4]), int(argv[5]), int(argv[6]))
        return 0
    if len(argv) >= 8 and argv[1] == "compare":
        return compare(argv[2], int(argv[3]), int(argv[4]), int(argv[5]), argv[6], argv[7])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
