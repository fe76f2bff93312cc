#include "plugins/metrics/logic/SurfaceDistance.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

#include "core/imaging/DistanceTransform.h"
#include "core/base/Parallel.h"

namespace cellforge::metrics {

double percentileLinear(std::vector<double>& values, double q) {
    if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
    const double k = std::clamp(q, 0.0, 100.0) / 100.0 * double(values.size() - 1);
    const std::size_t lo = std::size_t(std::floor(k));
    std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(lo), values.end());
    const double a = values[lo];
    if (lo + 1 >= values.size()) return a;
    const double b = *std::min_element(values.begin() + std::ptrdiff_t(lo) + 1, values.end());
    return a + (b - a) * (k - double(lo));
}

namespace {

struct Box {
    Dims3 lo{0, 0, 0}, hi{-1, -1, -1};  // inclusive; empty when hi < lo
    bool empty() const { return hi[0] < lo[0]; }
};

// Bounding boxes of every label of both volumes (union per label), in one pass.
std::vector<Box> labelBoxes(const LabelGrid& a, const LabelGrid& b, const RunControl& control) {
    std::vector<Box> boxes(65536);
    for (auto& box : boxes) {
        box.lo = {std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::max(),
                  std::numeric_limits<std::int64_t>::max()};
        box.hi = {-1, -1, -1};
    }
    std::mutex mutex;
    const Dims3 d = a.dims;
    parallelForBlocks(d[2], control,
                      [&](std::int64_t z0, std::int64_t z1, int) {
                          // Thread-local boxes for the labels this block saw, merged at the end.
                          std::vector<Box> local;
                          std::vector<int> slot(65536, -1);
                          std::vector<Label> seen;
                          auto touch = [&](Label l, std::int64_t x, std::int64_t y, std::int64_t z) {
                              int s = slot[l];
                              if (s < 0) {
                                  s = slot[l] = int(local.size());
                                  Box box;
                                  box.lo = {x, y, z};
                                  box.hi = {x, y, z};
                                  local.push_back(box);
                                  seen.push_back(l);
                                  return;
                              }
                              Box& box = local[std::size_t(s)];
                              box.lo[0] = std::min(box.lo[0], x), box.hi[0] = std::max(box.hi[0], x);
                              box.lo[1] = std::min(box.lo[1], y), box.hi[1] = std::max(box.hi[1], y);
                              box.lo[2] = std::min(box.lo[2], z), box.hi[2] = std::max(box.hi[2], z);
                          };
                          // Runs of one label along x only need their two ends touched.
                          auto scanRow = [&](const Label* row, std::int64_t y, std::int64_t z) {
                              std::int64_t x = 0;
                              while (x < d[0]) {
                                  const Label l = row[x];
                                  std::int64_t end = x + 1;
                                  while (end < d[0] && row[end] == l) ++end;
                                  touch(l, x, y, z);
                                  touch(l, end - 1, y, z);
                                  x = end;
                              }
                          };
                          for (std::int64_t z = z0; z < z1; ++z)
                              for (std::int64_t y = 0; y < d[1]; ++y) {
                                  scanRow(a.labels + a.index(0, y, z), y, z);
                                  scanRow(b.labels + b.index(0, y, z), y, z);
                              }
                          std::lock_guard<std::mutex> lock(mutex);
                          for (std::size_t i = 0; i < seen.size(); ++i) {
                              Box& g = boxes[seen[i]];
                              const Box& l = local[i];
                              for (int k = 0; k < 3; ++k) {
                                  g.lo[k] = std::min(g.lo[k], l.lo[k]);
                                  g.hi[k] = std::max(g.hi[k], l.hi[k]);
                              }
                          }
                      },
                      {8, false});
    return boxes;
}

// Surface voxels (6-neighbourhood; the box edge counts as outside) of a mask in a box.
void surfaceOf(const std::vector<std::uint8_t>& mask, const Dims3& n, std::vector<std::uint8_t>& surface,
               const RunControl& control) {
    surface.assign(mask.size(), 0);
    parallelForBlocks(n[2], control,
                      [&](std::int64_t z0, std::int64_t z1, int) {
                          for (std::int64_t z = z0; z < z1; ++z)
                              for (std::int64_t y = 0; y < n[1]; ++y)
                                  for (std::int64_t x = 0; x < n[0]; ++x) {
                                      const std::int64_t i = x + n[0] * (y + n[1] * z);
                                      if (!mask[std::size_t(i)]) continue;
                                      const bool edge =
                                          x == 0 || y == 0 || z == 0 || x == n[0] - 1 || y == n[1] - 1 || z == n[2] - 1;
                                      surface[std::size_t(i)] =
                                          edge || !mask[std::size_t(i - 1)] || !mask[std::size_t(i + 1)] ||
                                          !mask[std::size_t(i - n[0])] || !mask[std::size_t(i + n[0])] ||
                                          !mask[std::size_t(i - n[0] * n[1])] || !mask[std::size_t(i + n[0] * n[1])];
                                  }
                      },
                      {4, false});
}

}  // namespace

std::vector<SurfaceDistanceScores> computeSurfaceDistances(const LabelGrid& labels, const LabelGrid& reference,
                                                           const ClassSelection& selection, const RunControl& control) {
    requireSameGeometry(labels, "labels", reference, "reference");
    RunControl quiet = control;
    quiet.progress = nullptr;
    const std::vector<Box> boxes = labelBoxes(labels, reference, quiet);
    control.report(0.05);

    std::vector<Label> classes;
    if (selection.all) {
        for (std::size_t k = 1; k < 65536; ++k)
            if (!boxes[k].empty()) classes.push_back(Label(k));
    } else {
        classes = selection.ids;
    }

    std::vector<SurfaceDistanceScores> result;
    std::vector<std::uint8_t> maskA, maskB, surfA, surfB;
    std::vector<double> edt, distAB, distBA;
    for (std::size_t ci = 0; ci < classes.size(); ++ci) {
        const Label c = classes[ci];
        SurfaceDistanceScores s;
        s.label = c;
        const Box& box = boxes[c];
        if (box.empty()) {
            s.status = EmptyCase::Both;
            result.push_back(s);
            continue;
        }
        const Dims3 n{box.hi[0] - box.lo[0] + 1, box.hi[1] - box.lo[1] + 1, box.hi[2] - box.lo[2] + 1};
        const std::int64_t count = n[0] * n[1] * n[2];
        maskA.assign(std::size_t(count), 0);
        maskB.assign(std::size_t(count), 0);
        std::atomic<std::int64_t> inA{0}, inB{0};
        parallelForBlocks(n[2], quiet,
                          [&](std::int64_t z0, std::int64_t z1, int) {
                              std::int64_t ca = 0, cb = 0;
                              for (std::int64_t z = z0; z < z1; ++z)
                                  for (std::int64_t y = 0; y < n[1]; ++y) {
                                      const std::int64_t src = labels.index(box.lo[0], box.lo[1] + y, box.lo[2] + z);
                                      const std::int64_t dst = n[0] * (y + n[1] * z);
                                      for (std::int64_t x = 0; x < n[0]; ++x) {
                                          const bool a = labels.labels[src + x] == c,
                                                     b = reference.labels[src + x] == c;
                                          maskA[std::size_t(dst + x)] = a;
                                          maskB[std::size_t(dst + x)] = b;
                                          ca += a;
                                          cb += b;
                                      }
                                  }
                              inA += ca;
                              inB += cb;
                          },
                          {4, false});
        if (inA == 0 || inB == 0) {
            const double nan = std::numeric_limits<double>::quiet_NaN();
            s.hausdorff = s.hausdorff95 = s.meanSurfaceDistance = nan;
            s.maxLabelsToReference = s.maxReferenceToLabels = nan;
            s.meanLabelsToReference = s.meanReferenceToLabels = nan;
            s.status = inA == 0 ? EmptyCase::LabelsEmpty : EmptyCase::ReferenceEmpty;
            surfaceOf(inA == 0 ? maskB : maskA, n, surfA, quiet);
            const auto surfaceCount = std::int64_t(std::count(surfA.begin(), surfA.end(), 1));
            (inA == 0 ? s.surfaceVoxelsReference : s.surfaceVoxelsLabels) = surfaceCount;
            result.push_back(s);
            continue;
        }
        // A box-based transform is exact: every surface voxel of both lies in the box,
        // and nearest neighbours are searched among those only.
        surfaceOf(maskA, n, surfA, quiet);
        surfaceOf(maskB, n, surfB, quiet);
        auto directed = [&](const std::vector<std::uint8_t>& from, const std::vector<std::uint8_t>& to,
                            std::vector<double>& out) {
            squaredDistanceTransform(to.data(), n, labels.voxelSize, edt, quiet);
            out.clear();
            for (std::size_t i = 0; i < from.size(); ++i)
                if (from[i]) out.push_back(std::sqrt(edt[i]));
        };
        const double base = 0.05 + 0.95 * double(ci) / double(classes.size());
        const double step = 0.95 / double(classes.size());
        directed(surfA, surfB, distAB);
        control.report(base + 0.5 * step);
        directed(surfB, surfA, distBA);
        control.report(base + step);

        auto mean = [](const std::vector<double>& v) {
            double sum = 0;
            for (double x : v) sum += x;
            return sum / double(v.size());
        };
        s.surfaceVoxelsLabels = std::int64_t(distAB.size());
        s.surfaceVoxelsReference = std::int64_t(distBA.size());
        s.maxLabelsToReference = *std::max_element(distAB.begin(), distAB.end());
        s.maxReferenceToLabels = *std::max_element(distBA.begin(), distBA.end());
        s.meanLabelsToReference = mean(distAB);
        s.meanReferenceToLabels = mean(distBA);
        s.hausdorff = std::max(s.maxLabelsToReference, s.maxReferenceToLabels);
        s.meanSurfaceDistance = 0.5 * (s.meanLabelsToReference + s.meanReferenceToLabels);
        std::vector<double> pooled;
        pooled.reserve(distAB.size() + distBA.size());
        pooled.insert(pooled.end(), distAB.begin(), distAB.end());
        pooled.insert(pooled.end(), distBA.begin(), distBA.end());
        s.hausdorff95 = percentileLinear(pooled, 95.0);
        result.push_back(s);
    }
    control.report(1.0);
    return result;
}

}  // namespace cellforge::metrics
