#!/usr/bin/python3
"""Opens .msh files with gmsh's own Python API (Debian's python3-gmsh) and checks the
node count and the elements of every physical group.

Usage: check_gmsh.py FILE NODES GROUPS [FILE NODES GROUPS ...]
  GROUPS: dim:tag=elements,... for example 2:1=120,2:1002=40,3:1=300
Exit status 0 when gmsh opened every file without an error and everything matches.
"""
import sys

import gmsh


def main(argv):
    failures = []
    files = 0
    gmsh.initialize()
    gmsh.option.setNumber("General.Terminal", 0)
    gmsh.logger.start()
    try:
        for path, nodes, groups in zip(argv[0::3], argv[1::3], argv[2::3]):
            gmsh.clear()
            gmsh.open(path)
            errors = [line for line in gmsh.logger.get() if line.startswith("Error")]
            gmsh.logger.stop()
            gmsh.logger.start()
            if errors:
                failures.append(f"{path}: gmsh reported {errors}")
            tags, _, _ = gmsh.model.mesh.getNodes()
            if len(tags) != int(nodes):
                failures.append(f"{path}: gmsh sees {len(tags)} nodes, expected {nodes}")
            expected = {}
            for item in groups.split(","):
                key, count = item.split("=")
                dim, tag = key.split(":")
                expected[(int(dim), int(tag))] = int(count)
            found = {}
            for dim, tag in gmsh.model.getPhysicalGroups():
                count = 0
                for entity in gmsh.model.getEntitiesForPhysicalGroup(dim, tag):
                    _, element_tags, _ = gmsh.model.mesh.getElements(dim, entity)
                    count += sum(len(t) for t in element_tags)
                found[(dim, tag)] = count
            if found != expected:
                failures.append(f"{path}: physical groups {found}, expected {expected}")
            files += 1
            print(f"ok {path}: {len(tags)} nodes, {len(found)} physical groups")
    finally:
        gmsh.finalize()
    if failures:
        print("\n".join(failures))
        return 1
    print(f"gmsh opened {files} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
