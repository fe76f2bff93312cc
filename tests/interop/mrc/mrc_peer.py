#!/usr/bin/python3
"""The mrcfile side of the MRC interop tests (driven by test_mrc_interop.cpp).

  mrc_peer.py write DIR   writes files with mrcfile in modes 0, 1, 2, 6, 12, little- and
                          big-endian, and DIR/peer_manifest.json with the values,
                          voxel size and origin CellForge must read from each.
  mrc_peer.py check DIR   for each file in DIR/cellforge_manifest.json (written by
                          CellForge), runs mrcfile.validate and compares what mrcfile
                          reads with the values CellForge meant to write. Exits 1 on
                          any difference, printing each one.
"""
import io
import json
import sys
import warnings

import mrcfile
import numpy as np

SHAPE = (3, 5, 7)  # z, y, x as numpy orders it (x fastest, like CellForge)


def pattern(dtype, lo, hi):
    z, y, x = np.indices(SHAPE)
    t = np.mod(0.37 * x + 1.91 * y + 7.3 * z, 1.0)
    values = lo + t * (hi - lo)
    if np.issubdtype(np.dtype(dtype), np.integer):
        values = np.round(values)
    return values.astype(dtype)


def write(folder):
    cases = [
        ("mode0", 0, np.int8, -128, 127),
        ("mode0_nonnegative", 0, np.int8, 0, 100),  # signed or not, the same values
        ("mode1", 1, np.int16, -32768, 32767),
        ("mode2", 2, np.float32, -1e5, 3e6),
        ("mode6", 6, np.uint16, 0, 65535),
        ("mode12", 12, np.float16, -2000, 60000),
    ]
    manifest = []
    for tag, mode, dtype, lo, hi in cases:
        data = pattern(dtype, lo, hi)
        for order in ("<", ">"):
            name = "mrcfile_%s_%s.mrc" % (tag, "le" if order == "<" else "be")
            voxel = (1.25 + mode, 2.5, 3.75)
            origin = (-12.5, 7.0, 100.25)
            with mrcfile.new(folder + "/" + name, overwrite=True) as mrc:
                mrc.set_data(data.astype(np.dtype(dtype).newbyteorder(order)))
                mrc.voxel_size = voxel
                mrc.header.origin = origin
                mrc.update_header_stats()
            manifest.append({
                "file": name, "mode": mode, "order": order,
                "dims": [SHAPE[2], SHAPE[1], SHAPE[0]],
                "voxel_size": list(voxel), "origin": list(origin),
                "values": [float(v) for v in data.astype(np.float64).ravel()],
            })
    with open(folder + "/peer_manifest.json", "w") as f:
        json.dump(manifest, f)
    print("mrcfile wrote %d files" % len(manifest))


def check(folder):
    with open(folder + "/cellforge_manifest.json") as f:
        manifest = json.load(f)
    failures = []
    for entry in manifest:
        path = folder + "/" + entry["file"]
        report = io.StringIO()
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # any warning while reading is a failure too
            try:
                # mrcfile.validate overflows on float16 data of a wide range (it sums
                # squares in float16), so such files are only read back.
                valid = "_novalidate" in entry["file"] or mrcfile.validate(path, print_file=report)
                with mrcfile.open(path) as mrc:
                    data = mrc.data.astype(np.float64)
                    voxel = mrc.voxel_size
                    origin = mrc.header.origin
                    mode = int(mrc.header.mode)
                    ext = mrc.extended_header.tobytes() if mrc.extended_header is not None else b""
            except Exception as error:  # noqa: BLE001 - reported, then the test fails
                failures.append("%s: mrcfile could not read it: %s" % (entry["file"], error))
                continue
        problems = []
        if not valid:
            problems.append("mrcfile.validate failed:\n    " + report.getvalue().strip().replace("\n", "\n    "))
        expected = np.array(entry["values"], dtype=np.float64)
        dims = entry["dims"]
        if dims[2] == 1 and data.ndim == 2:
            data = data.reshape(1, dims[1], dims[0])  # mrcfile gives a single image as 2D
        if data.shape != (dims[2], dims[1], dims[0]):
            problems.append("shape %s, expected %s" % (data.shape, (dims[2], dims[1], dims[0])))
        elif not np.array_equal(data.ravel(), expected):
            bad = int(np.argmax(data.ravel() != expected))
            problems.append("value at voxel %d is %r, expected %r" % (bad, data.ravel()[bad], expected[bad]))
        if mode != entry["mode"]:
            problems.append("mode %d, expected %d" % (mode, entry["mode"]))
        for axis, (got, want) in enumerate(zip((voxel.x, voxel.y, voxel.z), entry["voxel_size"])):
            if abs(float(got) - want) > 1e-4 * max(1.0, abs(want)):
                problems.append("voxel size along axis %d is %r, expected %r" % (axis, float(got), want))
        for axis, (got, want) in enumerate(zip((origin.x, origin.y, origin.z), entry["origin"])):
            if abs(float(got) - want) > 1e-3:
                problems.append("origin along axis %d is %r, expected %r" % (axis, float(got), want))
        if "extended_header_bytes" in entry and len(ext) != entry["extended_header_bytes"]:
            problems.append("extended header of %d bytes, expected %d" % (len(ext), entry["extended_header_bytes"]))
        status = "ok" if not problems else "FAILED"
        print("%-32s mode %2d  %s" % (entry["file"], mode, status))
        failures.extend("%s: %s" % (entry["file"], p) for p in problems)
    for failure in failures:
        print(failure)
    failed_files = {f.split(":")[0] for f in failures}
    print("mrcfile check: %d files ok, %d with problems" % (len(manifest) - len(failed_files), len(failed_files)))
    return 1 if failures else 0


def main(argv):
    if len(argv) != 3 or argv[1] not in ("write", "check"):
        print(__doc__)
        return 2
    if argv[1] == "write":
        write(argv[2])
        return 0
    return check(argv[2])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
