// Helpers shared by the GUI tests: synthetic tomograms and label volumes, artifact
// paths, and pixel checks on screenshots.
#pragma once

#include "core/data/LabelVolume.h"
#include "core/data/Volume.h"

#include <QDir>
#include <QImage>
#include <QString>

#include <cmath>
#include <memory>
#include <random>

namespace cellforge::testutil {

// A noisy tomogram with a dark (dense) spherical shell, like a vesicle membrane in
// cryo-ET, so that screenshots show recognisable structure.
inline std::shared_ptr<Volume> makeTomogram(Index3 dims = {96, 80, 40}) {
    auto v = std::make_shared<Volume>(dims, ScalarType::Float32);
    v->setVoxelSize({10.0, 10.0, 10.0});
    std::mt19937 rng(7);
    std::normal_distribution<float> noise(0.0f, 0.25f);
    float* p = v->data<float>();
    const double cx = dims[0] * 0.5, cy = dims[1] * 0.5, cz = dims[2] * 0.5;
    const double r = std::min({dims[0], dims[1], dims[2] * 2}) * 0.3;
    for (std::int64_t z = 0; z < dims[2]; ++z)
        for (std::int64_t y = 0; y < dims[1]; ++y)
            for (std::int64_t x = 0; x < dims[0]; ++x) {
                const double d = std::sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy) + 4 * (z - cz) * (z - cz));
                const float shell = std::abs(d - r) < 2.5 ? -1.5f : 0.0f;
                const float grad = float(x) / float(dims[0]);  // left-right ramp: orientation checks
                p[v->index(x, y, z)] = shell + 0.5f * grad + noise(rng);
            }
    return v;
}

// Labels: label 2 on the shell, label 1 on a small block in the lower-left corner.
inline std::shared_ptr<LabelVolume> makeLabels(const Volume& tomo) {
    auto l = std::make_shared<LabelVolume>(tomo.dims());
    l->setVoxelSize(tomo.voxelSize());
    l->table() = LabelTable::semanticDefault();
    const Index3 d = tomo.dims();
    const double cx = d[0] * 0.5, cy = d[1] * 0.5, cz = d[2] * 0.5;
    const double r = std::min({d[0], d[1], d[2] * 2}) * 0.3;
    for (std::int64_t z = 0; z < d[2]; ++z)
        for (std::int64_t y = 0; y < d[1]; ++y)
            for (std::int64_t x = 0; x < d[0]; ++x) {
                const double dd = std::sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy) + 4 * (z - cz) * (z - cz));
                if (std::abs(dd - r) < 2.5)
                    l->labels()[l->index(x, y, z)] = 2;
                else if (x < d[0] / 6 && y < d[1] / 6)
                    l->labels()[l->index(x, y, z)] = 1;
            }
    return l;
}

inline QString artifactPath(const QString& name) {
    QDir().mkpath(QStringLiteral(CELLFORGE_GUI_ARTIFACTS));
    return QStringLiteral(CELLFORGE_GUI_ARTIFACTS) + "/" + name;
}

// Fraction of pixels whose colour is near `rgb` (per-channel tolerance).
inline double fractionNear(const QImage& image, QRgb rgb, int tolerance) {
    if (image.isNull()) return 0;
    const QImage img = image.convertToFormat(QImage::Format_RGB32);
    std::int64_t n = 0;
    for (int y = 0; y < img.height(); ++y) {
        const QRgb* row = reinterpret_cast<const QRgb*>(img.constScanLine(y));
        for (int x = 0; x < img.width(); ++x)
            if (std::abs(qRed(row[x]) - qRed(rgb)) <= tolerance &&
                std::abs(qGreen(row[x]) - qGreen(rgb)) <= tolerance &&
                std::abs(qBlue(row[x]) - qBlue(rgb)) <= tolerance)
                ++n;
    }
    return double(n) / double(std::max(1, img.width() * img.height()));
}

// Number of distinct grey levels among pixels with r == g == b (a tomogram shows many).
inline int distinctGreys(const QImage& image) {
    const QImage img = image.convertToFormat(QImage::Format_RGB32);
    std::vector<bool> seen(256, false);
    for (int y = 0; y < img.height(); ++y) {
        const QRgb* row = reinterpret_cast<const QRgb*>(img.constScanLine(y));
        for (int x = 0; x < img.width(); ++x)
            if (qRed(row[x]) == qGreen(row[x]) && qGreen(row[x]) == qBlue(row[x]))
                seen[std::size_t(qRed(row[x]))] = true;
    }
    int n = 0;
    for (bool b : seen) n += b;
    return n;
}

}  // namespace cellforge::testutil
