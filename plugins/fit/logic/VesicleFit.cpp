#include "plugins/fit/logic/VesicleFit.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <optional>

#include "core/base/Errors.h"
#include "core/imaging/ConnectedComponents.h"

namespace cellforge::fit {

namespace {

using Eigen::Matrix3d;
using Eigen::Vector3d;

// The ellipsoid (q - centre)^T shape (q - centre) = 1.
struct Ellipsoid {
    Vector3d centre;
    Matrix3d shape;

    // Approximate signed distance (negative inside): (f - 1) / |grad f|, f the
    // homogeneous norm; exact for spheres.
    double distance(const Vector3d& q) const {
        const Vector3d d = q - centre;
        const Vector3d md = shape * d;
        const double f = std::sqrt(std::max(0.0, d.dot(md)));
        if (f < 1e-12) return -1.0 / std::sqrt(shape.diagonal().maxCoeff());
        return (f - 1.0) / std::max(1e-12, md.norm() / f);
    }
    Vector3d semiAxes() const {  // ascending
        Eigen::SelfAdjointEigenSolver<Matrix3d> eig(shape);
        Vector3d a = eig.eigenvalues().cwiseMax(1e-300).cwiseSqrt().cwiseInverse();
        std::sort(a.data(), a.data() + 3);
        return a;
    }
    double halfExtent(int axis) const { return std::sqrt(std::max(0.0, shape.inverse()(axis, axis))); }
};

// Least-squares quadric x^T A x + 2 b^T x = 1 through the points (centred first for
// conditioning); an ellipsoid when A is positive definite.
std::optional<Ellipsoid> fitEllipsoid(const std::vector<Vector3d>& points) {
    if (points.size() < 9) return std::nullopt;
    Vector3d mean = Vector3d::Zero();
    for (const auto& p : points) mean += p;
    mean /= double(points.size());
    Eigen::Matrix<double, 9, 9> normal = Eigen::Matrix<double, 9, 9>::Zero();
    Eigen::Matrix<double, 9, 1> rhs = Eigen::Matrix<double, 9, 1>::Zero();
    for (const auto& p : points) {
        const Vector3d q = p - mean;
        Eigen::Matrix<double, 9, 1> row;
        row << q.x() * q.x(), q.y() * q.y(), q.z() * q.z(), 2 * q.x() * q.y(), 2 * q.x() * q.z(), 2 * q.y() * q.z(),
            2 * q.x(), 2 * q.y(), 2 * q.z();
        normal.selfadjointView<Eigen::Lower>().rankUpdate(row);
        rhs += row;
    }
    const Eigen::Matrix<double, 9, 1> c = normal.selfadjointView<Eigen::Lower>().ldlt().solve(rhs);
    if (!c.allFinite()) return std::nullopt;
    Matrix3d a;
    a << c(0), c(3), c(4), c(3), c(1), c(5), c(4), c(5), c(2);
    const Vector3d b(c(6), c(7), c(8));
    if (Eigen::SelfAdjointEigenSolver<Matrix3d>(a).eigenvalues().minCoeff() <= 0) return std::nullopt;
    const Vector3d local = -a.ldlt().solve(b);
    const double k = 1.0 + local.dot(a * local);
    if (!(k > 0)) return std::nullopt;
    return Ellipsoid{mean + local, a / k};
}

struct RobustFit {
    Ellipsoid ellipsoid;
    std::vector<double> inlierDistances;  // |distance| of the points within inlierDistance
};

// Refits to the points within `inlierDistance` of the previous fit, five times.
std::optional<RobustFit> fitRobustly(const std::vector<Vector3d>& points, double inlierDistance,
                                     std::size_t minPoints) {
    std::vector<Vector3d> selected = points;
    RobustFit result;
    for (int round = 0; round < 5; ++round) {
        const auto fit = fitEllipsoid(selected);
        if (!fit) return std::nullopt;
        selected.clear();
        result.inlierDistances.clear();
        for (const auto& p : points)
            if (const double d = std::fabs(fit->distance(p)); d < inlierDistance) {
                selected.push_back(p);
                result.inlierDistances.push_back(d);
            }
        if (selected.size() < minPoints) return std::nullopt;
        result.ellipsoid = *fit;
    }
    return result;
}

std::string describe(const char* field, double value, const char* expected) {
    return std::string("vesicle fit: ") + field + " = " + std::to_string(value) + " (expected " + expected + ")";
}

}  // namespace

void validate(const VesicleFitSettings& s) {
    if (s.minVoxels < 20) throw InputError(describe("min_voxels", double(s.minVoxels), ">= 20"));
    if (!(s.confidence >= 0 && s.confidence < 1)) throw InputError(describe("confidence", s.confidence, "in [0, 1)"));
    if (!(s.inlierDistance > 0)) throw InputError(describe("inlier_distance", s.inlierDistance, "> 0"));
    if (!(s.maxResidual > 0)) throw InputError(describe("max_residual", s.maxResidual, "> 0"));
    if (!(s.minInlierShare >= 0 && s.minInlierShare <= 1))
        throw InputError(describe("min_inliers", s.minInlierShare, "in [0, 1]"));
    if (!(s.minCoverage >= 0 && s.minCoverage <= 1))
        throw InputError(describe("min_coverage", s.minCoverage, "in [0, 1]"));
    if (!(s.radiusMin > 0 && s.radiusMax >= s.radiusMin))
        throw InputError(describe("radius_max", s.radiusMax, ">= radius_min > 0"));
    if (!(s.thicknessMin > 0 && s.thicknessMax >= s.thicknessMin))
        throw InputError(describe("thickness_max", s.thicknessMax, ">= thickness_min > 0"));
}

VesicleFitResult closeVesicles(std::uint16_t* labels, const float* probability, const imaging::Dims3& dims,
                               const VesicleFitSettings& s, const RunControl& control) {
    validate(s);
    const std::int64_t nx = dims[0], ny = dims[1], nz = dims[2], count = nx * ny * nz;
    std::vector<std::uint8_t> membrane(static_cast<std::size_t>(count));
    for (std::int64_t i = 0; i < count; ++i) membrane[std::size_t(i)] = labels[i] == s.membraneLabel;
    const imaging::Components components = imaging::connectedComponents(membrane.data(), dims, 26, control);

    // Voxels of each large component, in raster order.
    std::vector<std::vector<std::int64_t>> voxels(components.count + 1);
    for (std::uint32_t id = 1; id <= components.count; ++id)
        if (components.sizes[id] >= s.minVoxels) voxels[id].reserve(std::size_t(components.sizes[id]));
    for (std::int64_t i = 0; i < count; ++i) {
        const std::uint32_t id = components.ids[std::size_t(i)];
        if (id && components.sizes[id] >= s.minVoxels) voxels[id].push_back(i);
    }
    auto position = [&](std::int64_t i) {
        return Vector3d(double(i % nx), double((i / nx) % ny), double(i / (nx * ny)));
    };

    VesicleFitResult result;
    std::vector<std::int64_t> shell;
    for (std::uint32_t id = 1; id <= components.count; ++id) {
        if (voxels[id].empty()) continue;
        control.throwIfCancelled();
        control.report(double(id) / double(components.count));
        FittedVesicle v;
        v.component = id;
        v.voxels = std::int64_t(voxels[id].size());
        std::vector<Vector3d> points;
        for (std::int64_t i : voxels[id])
            if (!probability || probability[i] >= s.confidence) points.push_back(position(i));
        const std::size_t minPoints = std::size_t(std::max<std::int64_t>(20, s.minVoxels / 2));
        auto robust = points.size() >= minPoints ? fitRobustly(points, s.inlierDistance, minPoints) : std::nullopt;
        if (!robust) {
            v.verdict = "no ellipsoid fits";
            result.vesicles.push_back(v);
            continue;
        }
        const Ellipsoid* fit = &robust->ellipsoid;
        std::vector<double>& inlier = robust->inlierDistances;
        double meanDistance = 0;
        for (double d : inlier) meanDistance += d;
        meanDistance /= double(std::max<std::size_t>(1, inlier.size()));
        std::nth_element(inlier.begin(), inlier.begin() + std::ptrdiff_t(inlier.size() / 2), inlier.end());
        v.residual = inlier.empty() ? 0.0 : inlier[inlier.size() / 2];
        v.inlierShare = double(inlier.size()) / double(points.size());
        // A uniform shell of thickness t has mean |distance| t / 4.
        v.thickness = std::clamp(4.0 * meanDistance, s.thicknessMin, s.thicknessMax);
        const Vector3d axes = fit->semiAxes();
        for (int a = 0; a < 3; ++a) {
            v.centre[a] = fit->centre(a);
            v.semiAxes[a] = axes(a);
        }
        // The shell to draw, within the volume, and how much of it is labelled already.
        shell.clear();
        const double reach = axes(2) + v.thickness;
        std::int64_t lo[3], hi[3];
        const std::int64_t n[3] = {nx, ny, nz};
        for (int a = 0; a < 3; ++a) {
            lo[a] = std::max<std::int64_t>(0, std::int64_t(std::floor(fit->centre(a) - reach)));
            hi[a] = std::min<std::int64_t>(n[a] - 1, std::int64_t(std::ceil(fit->centre(a) + reach)));
        }
        std::int64_t covered = 0;
        if (axes(2) <= s.radiusMax)
            for (std::int64_t z = lo[2]; z <= hi[2]; ++z)
                for (std::int64_t y = lo[1]; y <= hi[1]; ++y)
                    for (std::int64_t x = lo[0]; x <= hi[0]; ++x)
                        if (std::fabs(fit->distance(Vector3d(double(x), double(y), double(z)))) <= 0.5 * v.thickness) {
                            const std::int64_t i = x + nx * (y + ny * z);
                            shell.push_back(i);
                            covered += membrane[std::size_t(i)];
                        }
        v.coverage = shell.empty() ? 0.0 : double(covered) / double(shell.size());
        if (axes(0) < s.radiusMin || axes(2) > s.radiusMax)
            v.verdict = "semi-axes out of range";
        else if (v.residual > s.maxResidual)
            v.verdict = "residual too large";
        else if (v.inlierShare < s.minInlierShare)
            v.verdict = "too few inliers";
        else if (v.coverage < s.minCoverage)
            v.verdict = "shell too little covered";
        else
            v.verdict = "closed";
        v.accepted = v.verdict == "closed";
        if (v.accepted) {
            // Drop the component's membrane on the surface (redrawn below) and beyond the
            // ellipsoid along z (the smear of its caps); keep the rest (a second membrane).
            const double zExtent = fit->halfExtent(2);
            for (std::int64_t i : voxels[id]) {
                const Vector3d p = position(i);
                const double d = std::fabs(fit->distance(p));
                if (d < s.inlierDistance || std::fabs(p.z() - fit->centre.z()) > zExtent) labels[i] = 0;
            }
            for (std::int64_t i : shell)
                if (labels[i] == 0) labels[i] = s.membraneLabel;
        }
        result.vesicles.push_back(v);
    }
    for (std::int64_t i = 0; i < count; ++i) {
        const bool now = labels[i] == s.membraneLabel, before = membrane[std::size_t(i)] != 0;
        result.voxelsAdded += now && !before;
        result.voxelsRemoved += before && !now;
    }
    control.report(1.0);
    return result;
}

}  // namespace cellforge::fit
