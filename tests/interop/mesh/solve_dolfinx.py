#!/usr/bin/python3
"""DOLFINx (Debian's python3-dolfinx 0.5) reads a tetrahedral mesh that CellForge wrote,
with its cell and facet markers, and solves steady diffusion on it:

    -div(D grad u) = 0,  u = 0 on facets 1002, u = 1 on facets 3004,
    D = D1 in cells marked 1, D4 in cells marked 4, 1 elsewhere; no flux elsewhere.

With slabs 2 | 1 | 4 | 3 along x (interfaces at the three --planes) the exact solution
is piecewise linear in x, which P1 elements represent exactly on a conforming mesh.
The mesh comes in through gmsh (gmsh.merge + gmshio.model_to_mesh: Debian's
read_from_msh is broken); the XDMF export is read with dolfinx.io.XDMFFile too.

Exit status 0 when markers match and the solution is within tolerance.
"""
import argparse
import json
import sys

import numpy as np
import ufl
from mpi4py import MPI
from petsc4py import PETSc

import gmsh
from dolfinx import fem, io
from dolfinx.fem.petsc import LinearProblem
from dolfinx.io import gmshio


def counts(tags):
    values, n = np.unique(tags.values, return_counts=True)
    return {str(int(v)): int(c) for v, c in zip(values, n)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--msh", required=True)
    parser.add_argument("--xdmf", required=True)
    parser.add_argument("--planes", type=float, nargs=3, required=True)
    parser.add_argument("--diffusion", type=float, nargs=2, required=True)
    parser.add_argument("--cells", required=True)
    parser.add_argument("--facets", required=True)
    parser.add_argument("--tolerance", type=float, default=1e-4)
    args = parser.parse_args()
    expected_cells, expected_facets = json.loads(args.cells), json.loads(args.facets)
    failures = []

    gmsh.initialize()
    gmsh.option.setNumber("General.Terminal", 0)
    gmsh.merge(args.msh)
    domain, cell_tags, facet_tags = gmshio.model_to_mesh(gmsh.model, MPI.COMM_WORLD, 0, gdim=3)
    gmsh.finalize()
    if counts(cell_tags) != expected_cells:
        failures.append(f"cell markers {counts(cell_tags)}, expected {expected_cells}")
    if counts(facet_tags) != expected_facets:
        failures.append(f"facet markers {counts(facet_tags)}, expected {expected_facets}")
    print(f"msh: {domain.topology.index_map(3).size_local} tetrahedra, cell markers {counts(cell_tags)}, "
          f"facet markers {counts(facet_tags)}")

    d1, d4 = args.diffusion
    Q = fem.FunctionSpace(domain, ("DG", 0))
    kappa = fem.Function(Q)
    kappa.x.array[:] = 1.0
    kappa.x.array[cell_tags.indices[cell_tags.values == 1]] = d1
    kappa.x.array[cell_tags.indices[cell_tags.values == 4]] = d4

    V = fem.FunctionSpace(domain, ("CG", 1))
    domain.topology.create_connectivity(2, 3)
    low = fem.locate_dofs_topological(V, 2, facet_tags.indices[facet_tags.values == 1002])
    high = fem.locate_dofs_topological(V, 2, facet_tags.indices[facet_tags.values == 3004])
    if len(low) == 0 or len(high) == 0:
        failures.append("no degrees of freedom on the marked Dirichlet facets")
    bcs = [fem.dirichletbc(PETSc.ScalarType(0.0), low, V), fem.dirichletbc(PETSc.ScalarType(1.0), high, V)]
    u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    a = kappa * ufl.inner(ufl.grad(u), ufl.grad(v)) * ufl.dx
    L = fem.Constant(domain, PETSc.ScalarType(0.0)) * v * ufl.dx
    problem = LinearProblem(a, L, bcs=bcs, petsc_options={"ksp_type": "preonly", "pc_type": "lu"})
    uh = problem.solve()

    xa, xm, xb = args.planes
    q = 1.0 / ((xm - xa) / d1 + (xb - xm) / d4)  # flux through the slabs
    x = V.tabulate_dof_coordinates()[:, 0]
    exact = np.where(x <= xa, 0.0,
                     np.where(x <= xm, q * (x - xa) / d1,
                              np.where(x <= xb, q * (xm - xa) / d1 + q * (x - xm) / d4, 1.0)))
    error = np.abs(uh.x.array - exact)
    rms = float(np.sqrt(np.mean(error ** 2)))
    print(f"diffusion: max nodal error {error.max():.3e}, rms {rms:.3e} (tolerance {args.tolerance:g}); "
          f"potential at the 1|4 interface {q * (xm - xa) / d1:.4f}")
    if not error.max() < args.tolerance:
        failures.append(f"max nodal error {error.max():.3e} exceeds {args.tolerance:g}")

    # The XDMF export: mesh and cell markers from one file, facet markers from the other.
    ascii = io.XDMFFile.Encoding.ASCII  # the data is inline XML, no .h5 file
    with io.XDMFFile(MPI.COMM_WORLD, args.xdmf, "r", encoding=ascii) as xdmf:
        mesh2 = xdmf.read_mesh(name="Grid")
        cells2 = xdmf.read_meshtags(mesh2, name="Grid")
    mesh2.topology.create_connectivity(2, 3)
    with io.XDMFFile(MPI.COMM_WORLD, args.xdmf.replace(".xdmf", "_facets.xdmf"), "r", encoding=ascii) as xdmf:
        facets2 = xdmf.read_meshtags(mesh2, name="Grid")
    print(f"xdmf: {mesh2.topology.index_map(3).size_local} tetrahedra, cell markers {counts(cells2)}, "
          f"facet markers {counts(facets2)}")
    if counts(cells2) != expected_cells:
        failures.append(f"XDMF cell markers {counts(cells2)}, expected {expected_cells}")
    if counts(facets2) != expected_facets:
        failures.append(f"XDMF facet markers {counts(facets2)}, expected {expected_facets}")

    if failures:
        print("\n".join(failures))
        return 1
    print("diffusion solution matches the exact piecewise-linear potential")
    return 0


if __name__ == "__main__":
    sys.exit(main())
