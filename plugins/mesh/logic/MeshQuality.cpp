#include "plugins/mesh/logic/MeshQuality.h"

#include "core/base/Errors.h"
#include "plugins/mesh/logic/CgalSurface.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace cellforge::mesh {

namespace {

using Point = std::array<double, 3>;
constexpr double kDegrees = 180.0 / 3.14159265358979323846;

Point sub(const Point& a, const Point& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
Point cross(const Point& a, const Point& b) {
    return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
double dot(const Point& a, const Point& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
double norm(const Point& a) { return std::sqrt(dot(a, a)); }

double angleBetween(const Point& u, const Point& v) {
    const double nu = norm(u), nv = norm(v);
    if (nu <= 0 || nv <= 0) return 0;
    // atan2 of |u×v| and u·v is accurate for tiny and near-180° angles alike.
    return std::atan2(norm(cross(u, v)), dot(u, v)) * kDegrees;
}

void addToHistogram(AngleHistogram& h, double degrees) {
    // A hair of tolerance so that 60° computed as 59.99999999 lands in the 60–70° bin.
    const int bin = std::clamp(int(degrees / 10.0 + 1e-9), 0, kAngleBins - 1);
    ++h[std::size_t(bin)];
}

std::string number(double v) {
    std::ostringstream s;
    s << std::setprecision(6) << v;
    return s.str();
}

}  // namespace

void Summary::add(double v) {
    if (count == 0) min = max = v;
    min = std::min(min, v);
    max = std::max(max, v);
    sum_ += v;
    ++count;
}

void Summary::finish() { mean = count ? sum_ / double(count) : 0.0; }

QualityReport assessQuality(const Mesh& mesh, const QualityOptions& options, const Mesh* reference,
                            const RunControl& control) {
    if (mesh.triangles.empty() && mesh.tetrahedra.empty())
        throw InputError("mesh: it has no triangles and no tetrahedra; nothing to assess");
    mesh.validate();
    QualityReport report;

    // Surface: the triangles, or the boundary of the tetrahedra.
    const Mesh boundary = mesh.tetrahedra.empty() ? Mesh() : tetrahedralBoundary(mesh);
    const Mesh& surface = mesh.tetrahedra.empty() ? mesh : boundary;

    auto& tq = report.triangles;
    const Mesh& triangleSource = mesh.triangles.empty() ? surface : mesh;
    for (const auto& t : triangleSource.triangles) {
        const Point& a = triangleSource.points[std::size_t(t[0])];
        const Point& b = triangleSource.points[std::size_t(t[1])];
        const Point& c = triangleSource.points[std::size_t(t[2])];
        const double la = norm(sub(b, c)), lb = norm(sub(c, a)), lc = norm(sub(a, b));
        const double angles[3] = {angleBetween(sub(b, a), sub(c, a)), angleBetween(sub(c, b), sub(a, b)),
                                  angleBetween(sub(a, c), sub(b, c))};
        for (double angle : angles) {
            addToHistogram(tq.angles, angle);
            tq.angle.add(angle);
            if (angle < 30.0) ++tq.anglesBelow30;
        }
        for (double l : {la, lb, lc}) tq.edgeLength.add(l);
        const double area = 0.5 * norm(cross(sub(b, a), sub(c, a)));
        tq.area.add(area);
        const double s = 0.5 * (la + lb + lc);
        const double inradius = s > 0 ? area / s : 0;
        const double circumradius = area > 0 ? la * lb * lc / (4.0 * area) : HUGE_VAL;
        tq.aspectRatio.add(inradius > 0 ? circumradius / (2.0 * inradius) : HUGE_VAL);
    }
    tq.angle.finish(), tq.edgeLength.finish(), tq.area.finish(), tq.aspectRatio.finish();
    control.report(0.2, "quality: triangles");

    if (!mesh.tetrahedra.empty()) {
        TetrahedronQuality q;
        static const int kEdges[6][4] = {{0, 1, 2, 3}, {0, 2, 1, 3}, {0, 3, 1, 2},
                                         {1, 2, 0, 3}, {1, 3, 0, 2}, {2, 3, 0, 1}};
        for (const auto& t : mesh.tetrahedra) {
            const Point* p[4] = {&mesh.points[std::size_t(t[0])], &mesh.points[std::size_t(t[1])],
                                 &mesh.points[std::size_t(t[2])], &mesh.points[std::size_t(t[3])]};
            double shortest = HUGE_VAL, longest = 0;
            for (const auto& e : kEdges) {
                const Point axis = sub(*p[e[1]], *p[e[0]]);
                const double len = norm(axis);
                shortest = std::min(shortest, len);
                longest = std::max(longest, len);
                if (len <= 0) continue;
                const Point unit{axis[0] / len, axis[1] / len, axis[2] / len};
                Point u = sub(*p[e[2]], *p[e[0]]), v = sub(*p[e[3]], *p[e[0]]);
                const double du = dot(u, unit), dv = dot(v, unit);
                for (int k = 0; k < 3; ++k)
                    u[std::size_t(k)] -= du * unit[std::size_t(k)], v[std::size_t(k)] -= dv * unit[std::size_t(k)];
                const double dihedral = angleBetween(u, v);
                addToHistogram(q.dihedralAngles, dihedral);
                q.dihedralAngle.add(dihedral);
                if (dihedral < 10.0) ++q.dihedralBelow10;
            }
            const Point a = sub(*p[1], *p[0]), b = sub(*p[2], *p[0]), c = sub(*p[3], *p[0]);
            const double det = dot(a, cross(b, c));
            const double volume = std::abs(det) / 6.0;
            q.volume.add(volume);
            if (volume <= 1e-9 * longest * longest * longest) ++q.degenerate;
            if (det != 0 && shortest > 0) {
                const Point bc = cross(b, c), ca = cross(c, a), ab = cross(a, b);
                const double la = dot(a, a), lb = dot(b, b), lc = dot(c, c);
                const Point centre{(la * bc[0] + lb * ca[0] + lc * ab[0]) / (2 * det),
                                   (la * bc[1] + lb * ca[1] + lc * ab[1]) / (2 * det),
                                   (la * bc[2] + lb * ca[2] + lc * ab[2]) / (2 * det)};
                q.radiusEdgeRatio.add(norm(centre) / shortest);
            } else {
                q.radiusEdgeRatio.add(HUGE_VAL);
            }
        }
        q.dihedralAngle.finish(), q.radiusEdgeRatio.finish(), q.volume.finish();
        report.tetrahedra = q;
        report.tetrahedraVolume = tetrahedraVolume(mesh);
    }
    control.report(0.4, "quality: topology");
    control.throwIfCancelled();

    report.topology = analyseTopology(surface);
    report.surfaceArea = surfaceArea(surface);
    report.enclosedVolume = enclosedVolume(surface);
    if (options.selfIntersections) {
        control.report(0.5, "quality: self-intersections");
        const auto found = countSelfIntersections(mesh.triangles.empty() ? surface : mesh);
        report.selfIntersectingPairs = found.withinRegions;
        report.regionIntersectingPairs = found.betweenRegions;
    }
    if (reference) {
        control.report(0.75, "quality: Hausdorff distance");
        const Mesh refSurface = reference->triangles.empty() ? tetrahedralBoundary(*reference) : *reference;
        if (refSurface.triangles.empty())
            throw InputError("reference: the reference mesh has no triangles or tetrahedra to measure against");
        report.hausdorffDistance = hausdorffDistance(surface, refSurface, options.hausdorffSampling);
    }
    control.report(1.0, "quality done");
    return report;
}

Table qualitySummaryTable(const QualityReport& r) {
    Table table({"metric", "value", "unit"});
    auto row = [&](const std::string& name, double value, const std::string& unit) {
        table.addRow({name, value, unit});
    };
    const auto& t = r.triangles;
    row("triangles", double(t.area.count), "");
    row("vertices", double(r.topology.vertices), "");
    row("triangle_angle_min", t.angle.min, "deg");
    row("triangle_angle_max", t.angle.max, "deg");
    row("triangle_angle_mean", t.angle.mean, "deg");
    row("triangle_angles_below_30", double(t.anglesBelow30), "");
    row("aspect_ratio_min", t.aspectRatio.min, "");
    row("aspect_ratio_mean", t.aspectRatio.mean, "");
    row("aspect_ratio_max", t.aspectRatio.max, "");
    row("edge_length_min", t.edgeLength.min, "Å");
    row("edge_length_mean", t.edgeLength.mean, "Å");
    row("edge_length_max", t.edgeLength.max, "Å");
    if (r.tetrahedra) {
        const auto& q = *r.tetrahedra;
        row("tetrahedra", double(q.volume.count), "");
        row("dihedral_angle_min", q.dihedralAngle.min, "deg");
        row("dihedral_angle_max", q.dihedralAngle.max, "deg");
        row("dihedral_angles_below_10", double(q.dihedralBelow10), "");
        row("radius_edge_ratio_min", q.radiusEdgeRatio.min, "");
        row("radius_edge_ratio_mean", q.radiusEdgeRatio.mean, "");
        row("radius_edge_ratio_max", q.radiusEdgeRatio.max, "");
        row("degenerate_tetrahedra", double(q.degenerate), "");
        row("tetrahedra_volume", r.tetrahedraVolume, "Å^3");
    }
    row("closed", r.topology.closed() ? 1.0 : 0.0, "bool");
    row("manifold", r.topology.manifold() ? 1.0 : 0.0, "bool");
    row("consistently_oriented", r.topology.oriented() ? 1.0 : 0.0, "bool");
    row("boundary_edges", double(r.topology.boundaryEdges), "");
    row("non_manifold_edges", double(r.topology.nonManifoldEdges), "");
    row("non_manifold_vertices", double(r.topology.nonManifoldVertices), "");
    row("degenerate_triangles", double(r.topology.degenerateTriangles), "");
    row("components", double(r.topology.components), "");
    row("euler_characteristic", double(r.topology.eulerCharacteristic), "");
    if (r.selfIntersectingPairs) {
        row("self_intersecting", *r.selfIntersectingPairs > 0 ? 1.0 : 0.0, "bool");
        row("self_intersecting_pairs", double(*r.selfIntersectingPairs), "");
    }
    if (r.regionIntersectingPairs) row("region_intersecting_pairs", double(*r.regionIntersectingPairs), "");
    row("surface_area", r.surfaceArea, "Å^2");
    row("enclosed_volume", r.enclosedVolume, "Å^3");
    if (r.hausdorffDistance) row("hausdorff_distance", *r.hausdorffDistance, "Å");
    table.notes.push_back({"aspect_ratio", "circumradius / (2 inradius); 1 for an equilateral triangle"});
    table.notes.push_back({"radius_edge_ratio", "circumradius / shortest edge; 0.612 for a regular tetrahedron"});
    table.notes.push_back({"self_intersecting",
                           "triangle pairs of one region that cross; pairs from two regions are "
                           "counted in region_intersecting_pairs (separate per-label surfaces meet "
                           "where the labels touch)"});
    if (r.tetrahedra)
        table.notes.push_back({"topology", "closed/manifold/oriented describe the boundary of the tetrahedra"});
    return table;
}

Table angleHistogramTable(const QualityReport& r) {
    std::vector<std::string> columns{"bin_start_deg", "bin_end_deg", "triangle_angles", "triangle_fraction"};
    if (r.tetrahedra) columns.insert(columns.end(), {"dihedral_angles", "dihedral_fraction"});
    Table table(columns);
    std::size_t triTotal = 0, dihTotal = 0;
    for (auto c : r.triangles.angles) triTotal += c;
    if (r.tetrahedra)
        for (auto c : r.tetrahedra->dihedralAngles) dihTotal += c;
    for (int b = 0; b < kAngleBins; ++b) {
        const auto tc = r.triangles.angles[std::size_t(b)];
        std::vector<TableValue> row{double(10 * b), double(10 * (b + 1)), double(tc),
                                    triTotal ? double(tc) / double(triTotal) : 0.0};
        if (r.tetrahedra) {
            const auto dc = r.tetrahedra->dihedralAngles[std::size_t(b)];
            row.push_back(double(dc));
            row.push_back(dihTotal ? double(dc) / double(dihTotal) : 0.0);
        }
        table.addRow(row);
    }
    table.notes.push_back({"bins", "10 degree bins, as GAMer 2 reports them; each triangle adds 3 angles"});
    return table;
}

std::string angleHistogramSvg(const QualityReport& r, const std::string& title) {
    const int panels = r.tetrahedra ? 2 : 1;
    const double width = 640, panelHeight = 260, margin = 50;
    std::ostringstream svg;
    svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << panels * panelHeight + 40
        << "\" font-family=\"sans-serif\" font-size=\"11\">\n"
        << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        << "<text x=\"" << width / 2 << "\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">";
    for (char c : title) {
        if (c == '<')
            svg << "&lt;";
        else if (c == '&')
            svg << "&amp;";
        else
            svg << c;
    }
    svg << "</text>\n";
    auto panel = [&](const AngleHistogram& h, double top, const std::string& label, const char* colour) {
        std::size_t total = 0, peak = 1;
        for (auto c : h) total += c, peak = std::max(peak, c);
        const double plotW = width - 2 * margin, plotH = panelHeight - 70, barW = plotW / kAngleBins;
        const double base = top + 30 + plotH;
        svg << "<text x=\"" << margin << "\" y=\"" << top + 22 << "\">" << label << " (" << total
            << " angles; fraction per 10° bin)</text>\n";
        for (int b = 0; b < kAngleBins; ++b) {
            const double fraction = total ? double(h[std::size_t(b)]) / double(total) : 0.0;
            const double barH = plotH * double(h[std::size_t(b)]) / double(peak);
            svg << "<rect x=\"" << margin + b * barW + 1 << "\" y=\"" << base - barH << "\" width=\"" << barW - 2
                << "\" height=\"" << barH << "\" fill=\"" << colour << "\"><title>" << 10 * b << "–" << 10 * (b + 1)
                << "°: " << h[std::size_t(b)] << " (" << number(100 * fraction) << " %)</title></rect>\n";
            if (b % 3 == 0)
                svg << "<text x=\"" << margin + b * barW << "\" y=\"" << base + 14 << "\">" << 10 * b << "°</text>\n";
        }
        svg << "<text x=\"" << margin + plotW << "\" y=\"" << base + 14 << "\" text-anchor=\"end\">180°</text>\n"
            << "<line x1=\"" << margin << "\" y1=\"" << base << "\" x2=\"" << margin + plotW << "\" y2=\"" << base
            << "\" stroke=\"black\"/>\n";
    };
    panel(r.triangles.angles, 20, "Triangle angles", "#4477aa");
    if (r.tetrahedra) panel(r.tetrahedra->dihedralAngles, 20 + panelHeight, "Tetrahedron dihedral angles", "#cc6677");
    svg << "</svg>\n";
    return svg.str();
}

}  // namespace cellforge::mesh
