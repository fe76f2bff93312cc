#!/usr/bin/python3
"""Reads every mesh file listed in a manifest with meshio (Debian's python3-meshio) and
checks the numbers of points, cells per type and markers per value against what
CellForge wrote. MCell MDL files, which meshio does not read, are parsed here.

Usage: check_meshio.py manifest.json   (exit status 0 when every file matches)
"""
import collections
import json
import re
import sys
import types

import numpy as np

try:
    import h5py  # noqa: F401  (meshio's XDMF module imports it even for inline XML data)
except ImportError:
    # python3-h5py is only a recommendation of python3-meshio. The XDMF files CellForge
    # writes hold their data inline (XML), which meshio reads without HDF5; give its
    # import something to find so that meshio's own XDMF reader can run.
    sys.modules["h5py"] = types.ModuleType("h5py")
    print("note: python3-h5py is not installed; meshio reads the inline-XML XDMF files without it")
import meshio


def read_mdl(path):
    """A minimal, independent MDL POLYGON_LIST parser (vertices, elements, regions)."""
    text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
    vertices = re.search(r"VERTEX_LIST\s*\{(.*?)\}", text, re.S).group(1)
    elements = re.search(r"ELEMENT_CONNECTIONS\s*\{(.*?)\}", text, re.S).group(1)
    points = re.findall(r"\[([^\]]*)\]", vertices)
    cells = re.findall(r"\[([^\]]*)\]", elements)
    markers = np.zeros(len(cells), dtype=int)
    regions = re.search(r"DEFINE_SURFACE_REGIONS\s*\{(.*)\}\s*\}", text, re.S)
    if regions:
        for name, items in re.findall(r"(\w+)\s*\{\s*ELEMENT_LIST\s*=\s*\[([^\]]*)\]", regions.group(1)):
            marker = int(name.split("_")[-1].replace("m", "-"))
            for item in items.split(","):
                markers[int(item)] = marker
    # Coordinates are in micrometres: they must be 1e-4 of the Angstrom values (small).
    coords = np.array([[float(v) for v in p.split(",")] for p in points])
    return len(points), {"triangle": len(cells)}, {"triangle": collections.Counter(markers.tolist())}, coords


def read_vtp(path):
    """meshio 5.0 has no VTP reader: read it as ParaView does, with VTK's Python reader."""
    import vtk
    from vtk.util.numpy_support import vtk_to_numpy

    reader = vtk.vtkXMLPolyDataReader()
    reader.SetFileName(path)
    reader.Update()
    poly = reader.GetOutput()
    cells = {"triangle": poly.GetNumberOfPolys()} if poly.GetNumberOfPolys() else {}
    array = poly.GetCellData().GetArray("region")
    markers = {"triangle": collections.Counter(vtk_to_numpy(array).astype(int).tolist())} if array else {}
    return poly.GetNumberOfPoints(), cells, markers


def summarise(mesh, key):
    cells = collections.Counter()
    markers = collections.defaultdict(collections.Counter)
    data = mesh.cell_data.get(key) if key else None
    for i, block in enumerate(mesh.cells):
        cells[block.type] += len(block.data)
        if data is not None:
            values = np.asarray(data[i]).astype(int).ravel()
            markers[block.type].update(values.tolist())
    return cells, markers


def main():
    manifest = json.load(open(sys.argv[1]))
    failures = []
    for entry in manifest["files"]:
        path, key = entry["path"], entry["marker_key"]
        try:
            if entry["format"] == "vtp":
                npoints, cells, markers = read_vtp(path)
            elif entry["format"] == "mdl":
                npoints, cells, markers, coords = read_mdl(path)
                if np.abs(coords).max() > 1e3:
                    failures.append(f"{path}: MDL coordinates look like Angstrom, not micrometres")
            else:
                mesh = meshio.read(path)
                npoints = len(mesh.points)
                cells, markers = summarise(mesh, key)
                if key and key not in mesh.cell_data:
                    failures.append(f"{path}: no cell data '{key}' (has {sorted(mesh.cell_data)})")
        except Exception as error:  # a reader that fails is a failure, not a crash
            failures.append(f"{path}: meshio could not read it: {error!r}")
            continue
        if npoints != entry["points"]:
            failures.append(f"{path}: {npoints} points, expected {entry['points']}")
        for cell_type, count in entry["cells"].items():
            if cells.get(cell_type, 0) != count:
                failures.append(f"{path}: {cells.get(cell_type, 0)} {cell_type} cells, expected {count}")
        extra = set(cells) - set(entry["cells"])
        if extra:
            failures.append(f"{path}: unexpected cell types {sorted(extra)}")
        for cell_type, expected in entry["markers"].items():
            got = {str(k): v for k, v in markers.get(cell_type, {}).items()}
            if got != expected:
                failures.append(f"{path}: {cell_type} markers {got}, expected {expected}")
        print(f"ok {entry['format']:6s} {path}: {npoints} points, {dict(cells)}")
    if failures:
        print("\n".join(failures))
        return 1
    print(f"all {len(manifest['files'])} files match")
    return 0


if __name__ == "__main__":
    sys.exit(main())
