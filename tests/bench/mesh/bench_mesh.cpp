// Meshing benchmark (run by run_bench.py, which times the peer in the same run).
//
//   bench_mesh surface DIR   writes DIR/labels_256.raw (uint16, x fastest, 256³, fixed
//                            seed) and DIR/labels_256.json, then times CellForge's
//                            per-label surface extraction on it (binary marching cubes)
//                            with 1 and with all threads, with and without smoothing.
//   bench_mesh volume DIR    times CGAL Mesh_3 on a cell-with-nucleus label volume and
//                            reports vertices per second and the quality of the
//                            tetrahedral mesh and of the cell's surface mesh.
// Every figure is printed as one JSON object per line.
#include "plugins/mesh/logic/CgalSurface.h"
#include "plugins/mesh/logic/CgalVolume.h"
#include "plugins/mesh/logic/MeshQuality.h"
#include "plugins/mesh/logic/MeshTopology.h"
#include "plugins/mesh/logic/SurfaceExtraction.h"

#include <chrono>
#include <cmath>
#include <ctime>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <thread>

using namespace cellforge;
using namespace cellforge::mesh;

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// 256³ voxels of 10 Å: 48 random ellipsoids and 12 membrane-like shells (2 voxels
// thick), labels 1..60, later shapes over earlier ones. Seed 20240601.
LabelVolume benchmarkLabels() {
    const std::int64_t n = 256;
    LabelVolume v({n, n, n});
    v.setVoxelSize({10.0, 10.0, 10.0});
    std::mt19937 rng(20240601u);
    std::uniform_real_distribution<double> centre(30.0, 226.0), radius(8.0, 30.0), shell(15.0, 40.0);
    for (int label = 1; label <= 60; ++label) {
        const bool isShell = label > 48;
        const double cx = centre(rng), cy = centre(rng), cz = centre(rng);
        const double rx = isShell ? shell(rng) : radius(rng), ry = isShell ? rx : radius(rng),
                     rz = isShell ? rx : radius(rng);
        const auto lo = [&](double c, double r) { return std::max<std::int64_t>(0, std::int64_t(c - r - 2)); };
        const auto hi = [&](double c, double r) { return std::min<std::int64_t>(n - 1, std::int64_t(c + r + 2)); };
        for (std::int64_t z = lo(cz, rz); z <= hi(cz, rz); ++z)
            for (std::int64_t y = lo(cy, ry); y <= hi(cy, ry); ++y)
                for (std::int64_t x = lo(cx, rx); x <= hi(cx, rx); ++x) {
                    const double dx = (double(x) + 0.5 - cx) / rx, dy = (double(y) + 0.5 - cy) / ry,
                                 dz = (double(z) + 0.5 - cz) / rz;
                    const double d = std::sqrt(dx * dx + dy * dy + dz * dz);
                    const bool inside = isShell ? (d <= 1.0 && d >= 1.0 - 2.0 / rx) : d <= 1.0;
                    if (inside) v.labels()[v.index(x, y, z)] = LabelId(label);
                }
    }
    return v;
}

void printQuality(const std::string& name, const QualityReport& r) {
    std::cout << "{\"figure\": \"quality\", \"mesh\": \"" << name << "\", \"triangles\": " << r.triangles.area.count
              << ", \"triangle_angle_min\": " << r.triangles.angle.min
              << ", \"triangle_angle_max\": " << r.triangles.angle.max
              << ", \"angles_below_30\": " << r.triangles.anglesBelow30
              << ", \"aspect_ratio_mean\": " << r.triangles.aspectRatio.mean
              << ", \"aspect_ratio_max\": " << r.triangles.aspectRatio.max
              << ", \"edge_mean_A\": " << r.triangles.edgeLength.mean
              << ", \"closed\": " << (r.topology.closed() ? "true" : "false")
              << ", \"manifold\": " << (r.topology.manifold() ? "true" : "false");
    if (r.selfIntersectingPairs) std::cout << ", \"self_intersecting_pairs\": " << *r.selfIntersectingPairs;
    if (r.regionIntersectingPairs) std::cout << ", \"region_intersecting_pairs\": " << *r.regionIntersectingPairs;
    if (r.hausdorffDistance) std::cout << ", \"hausdorff_A\": " << *r.hausdorffDistance;
    std::cout << ", \"angle_histogram_10deg\": [";
    for (int b = 0; b < kAngleBins; ++b) std::cout << (b ? ", " : "") << r.triangles.angles[std::size_t(b)];
    std::cout << "]";
    if (r.tetrahedra) {
        const auto& t = *r.tetrahedra;
        std::cout << ", \"tetrahedra\": " << t.volume.count << ", \"dihedral_min\": " << t.dihedralAngle.min
                  << ", \"dihedral_max\": " << t.dihedralAngle.max << ", \"dihedral_below_10\": " << t.dihedralBelow10
                  << ", \"radius_edge_mean\": " << t.radiusEdgeRatio.mean
                  << ", \"radius_edge_max\": " << t.radiusEdgeRatio.max << ", \"dihedral_histogram_10deg\": [";
        for (int b = 0; b < kAngleBins; ++b) std::cout << (b ? ", " : "") << t.dihedralAngles[std::size_t(b)];
        std::cout << "]";
    }
    std::cout << "}" << std::endl;
}

int surfaceBenchmark(const std::string& dir) {
    const auto labels = benchmarkLabels();
    {
        std::ofstream raw(dir + "/labels_256.raw", std::ios::binary);
        raw.write(reinterpret_cast<const char*>(labels.labels()), std::streamsize(labels.byteSize()));
        std::ofstream meta(dir + "/labels_256.json");
        meta << "{\"shape_zyx\": [256, 256, 256], \"dtype\": \"uint16\", \"voxel_size_A\": 10.0, \"seed\": 20240601}\n";
    }
    const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    for (int threads : {1, cores}) {
        for (int iterations : {0, 20}) {
            RunControl control;
            control.threads = threads;
            LabelSurfaceOptions o;
            o.smoothing.iterations = iterations;
            // Wall time, and process CPU time (all threads): on a shared machine the CPU
            // time of the 1-thread run measures the work, whatever else is running.
            double best = 1e30, bestCpu = 1e30;
            SurfaceResult result;
            for (int repeat = 0; repeat < 5; ++repeat) {
                result = SurfaceResult();
                const double t0 = now();
                const std::clock_t c0 = std::clock();
                result = extractLabelSurfaces(labels, o, control);
                bestCpu = std::min(bestCpu, double(std::clock() - c0) / CLOCKS_PER_SEC);
                best = std::min(best, now() - t0);
            }
            std::cout << "{\"figure\": \"surface\", \"threads\": " << threads
                      << ", \"smoothing_iterations\": " << iterations << ", \"seconds\": " << best
                      << ", \"cpu_seconds\": " << bestCpu << ", \"labels\": " << result.regions.size()
                      << ", \"triangles\": " << result.mesh.triangles.size()
                      << ", \"vertices\": " << result.mesh.points.size() << "}" << std::endl;
            if (threads == cores && iterations == 20) {
                QualityOptions q;
                printQuality("surface_256_smoothed", assessQuality(result.mesh, q));
            }
        }
    }
    return 0;
}

int volumeBenchmark(const std::string& dir) {
    (void)dir;
    // A cell (ellipsoid, semi-axes 55 x 48 x 40 voxels) with a nucleus (ball of 22 voxels,
    // off centre) in 128³ voxels of 10 Å.
    const std::int64_t n = 128;
    LabelVolume cell({n, n, n});
    cell.setVoxelSize({10.0, 10.0, 10.0});
    for (std::int64_t z = 0; z < n; ++z)
        for (std::int64_t y = 0; y < n; ++y)
            for (std::int64_t x = 0; x < n; ++x) {
                const double px = double(x) + 0.5 - 64, py = double(y) + 0.5 - 64, pz = double(z) + 0.5 - 64;
                LabelId l = 0;
                if ((px / 55) * (px / 55) + (py / 48) * (py / 48) + (pz / 40) * (pz / 40) <= 1.0) l = 1;
                if ((px - 12) * (px - 12) + (py + 5) * (py + 5) + pz * pz <= 22.0 * 22.0) l = 2;
                cell.labels()[cell.index(x, y, z)] = l;
            }
    VolumeMeshOptions o;  // defaults: facet 30°, size 3 voxels, distance 1 voxel, ratio 3, perturb + exude
    const double t0 = now();
    const auto result = meshLabelVolume(cell, o);
    const double total = now() - t0;
    std::cout << "{\"figure\": \"volume\", \"label_volume\": \"128^3 cell with nucleus\", \"vertices\": "
              << result.vertices << ", \"tetrahedra\": " << result.mesh.tetrahedra.size()
              << ", \"facets\": " << result.mesh.triangles.size() << ", \"refine_seconds\": " << result.refineSeconds
              << ", \"optimise_seconds\": " << result.optimiseSeconds << ", \"total_seconds\": " << total
              << ", \"vertices_per_second_refine\": " << double(result.vertices) / result.refineSeconds
              << ", \"vertices_per_second_total\": " << double(result.vertices) / total << "}" << std::endl;
    QualityOptions q;
    q.selfIntersections = false;
    printQuality("cell_tetrahedra", assessQuality(result.mesh, q));
    LabelSurfaceOptions s;
    const auto surface = extractLabelSurfaces(cell, s).mesh;
    printQuality("cell_surface_smoothed", assessQuality(surface, QualityOptions{}));
    // The same surfaces after CGAL isotropic remeshing to 20 Å edges (the improvement a
    // simulation mesh gets), with the Hausdorff distance to the extracted surface.
    RemeshOptions r;
    r.targetEdgeLength = 20.0;
    const double t1 = now();
    const auto remeshed = remeshIsotropic(surface, r);
    const double remeshSeconds = now() - t1;
    std::cout << "{\"figure\": \"remesh\", \"seconds\": " << remeshSeconds << "}" << std::endl;
    printQuality("cell_surface_remeshed_20A", assessQuality(remeshed, QualityOptions{}, &surface));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3 || (std::string(argv[1]) != "surface" && std::string(argv[1]) != "volume")) {
        std::cerr << "usage: bench_mesh surface|volume OUTPUT_DIR\n";
        return 2;
    }
    try {
        return std::string(argv[1]) == "surface" ? surfaceBenchmark(argv[2]) : volumeBenchmark(argv[2]);
    } catch (const std::exception& e) {
        std::cerr << "bench_mesh: " << e.what() << "\n";
        return 3;
    }
}
