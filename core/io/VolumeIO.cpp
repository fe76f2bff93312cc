// Volume files by extension: MRC (MrcFormat) or the ITK formats (ItkImageFormats),
// plus the label table sidecar "<file>.labels.json" that label volumes carry in every
// format: {"format": "cellforge-labels", "version": 1,
//          "labels": [{"id": 1, "name": "protein", "color": [240, 170, 40]}, ...]}.
#include "core/io/VolumeIO.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/base/Errors.h"
#include "core/base/AtomicFile.h"
#include "core/io/ItkImageFormats.h"
#include "core/io/JsonText.h"
#include "core/io/MrcFormat.h"

namespace cellforge::io {

namespace {

std::string sidecarPath(const std::string& path) { return path + ".labels.json"; }

bool fileExists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

std::string labelTableToJson(const LabelTable& table) {
    std::string out = "{\n  \"format\": \"cellforge-labels\",\n  \"version\": 1,\n  \"labels\": [";
    bool first = true;
    for (const LabelEntry& e : table.entries()) {
        out += first ? "\n    " : ",\n    ";
        first = false;
        out += "{\"id\": " + std::to_string(e.id) + ", \"name\": " + json::quote(e.name) + ", \"color\": [" +
               std::to_string(e.color[0]) + ", " + std::to_string(e.color[1]) + ", " + std::to_string(e.color[2]) +
               "]}";
    }
    out += first ? "]\n}\n" : "\n  ]\n}\n";
    return out;
}

LabelTable readLabelTable(const std::string& sidecar) {
    std::ifstream in(sidecar, std::ios::binary);
    if (!in) throw InputError("cannot open label table '" + sidecar + "'");
    std::ostringstream text;
    text << in.rdbuf();
    const json::Value doc = json::parse(text.str(), sidecar);
    const json::Value* labels = doc.isObject() ? doc.find("labels") : nullptr;
    if (!labels || !labels->isArray()) throw InputError(sidecar + ": expected an object with a \"labels\" array");
    LabelTable table;
    for (std::size_t i = 0; i < labels->array.size(); ++i) {
        const json::Value& entry = labels->array[i];
        const std::string where = sidecar + ": label " + std::to_string(i);
        const json::Value* id = entry.isObject() ? entry.find("id") : nullptr;
        if (!id || !id->isNumber() || id->number < 0 || id->number > 65535 || id->number != std::floor(id->number))
            throw InputError(where + ": field \"id\" is " +
                             (id ? (id->isNumber() ? json::number(id->number) : json::typeName(id->type)) : "missing") +
                             ", expected an integer in 0..65535");
        LabelEntry e;
        e.id = LabelId(id->number);
        if (const json::Value* name = entry.find("name")) {
            if (!name->isString())
                throw InputError(where + ": field \"name\" is " + json::typeName(name->type) + ", expected a string");
            e.name = name->string;
        }
        e.color = LabelTable::defaultColor(e.id);
        if (const json::Value* color = entry.find("color")) {
            if (!color->isArray() || color->array.size() != 3)
                throw InputError(where + ": field \"color\" is not [r, g, b], expected three integers in 0..255");
            for (int c = 0; c < 3; ++c) {
                const json::Value& v = color->array[std::size_t(c)];
                if (!v.isNumber() || v.number < 0 || v.number > 255)
                    throw InputError(where + ": a colour component is not in 0..255");
                e.color[std::size_t(c)] = std::uint8_t(std::lround(v.number));
            }
        }
        table.set(e);
    }
    return table;
}

void requireKnownFormat(const std::string& path) {
    if (!isVolumeFile(path))
        throw InputError("'" + path + "': extension '" + fileExtension(path) +
                         "' is not a volume format (expected .mrc .map .rec .st .ali .mrcs (optionally .gz), "
                         ".tif .tiff, .nrrd .nhdr, .mha .mhd, .nii .nii.gz)");
}

}  // namespace

bool isVolumeFile(const std::string& path) { return isMrcPath(path) || isItkVolumePath(path); }

Volume readVolume(const std::string& path, const VolumeReadOptions& options) {
    requireKnownFormat(path);
    if (isMrcPath(path)) {
        MrcReader reader(path, options);
        return reader.read();
    }
    return readItkVolume(path, options);
}

namespace {
// A volume read as labels; InputError naming the file when its values are not labels.
LabelVolume labelsFrom(const Volume& volume, const std::string& path) {
    try {
        return LabelVolume::fromVolume(volume);
    } catch (const InputError& e) {
        throw InputError(path + ": " + e.what());
    }
}
}  // namespace

LabelVolume readLabelVolume(const std::string& path, const VolumeReadOptions& options) {
    requireKnownFormat(path);
    LabelVolume labels;
    if (isMrcPath(path)) {
        MrcReader reader(path, options);
        if (reader.scalarType() == ScalarType::UInt16) {
            // uint16 on disk is the label type: read straight into the label buffer.
            labels = LabelVolume(reader.dims());
            reader.readSlabInto(0, labels);
            labels.setVoxelSize(reader.voxelSize());
            labels.setOrigin(reader.origin());
            labels.setSourceHeader(reader.sourceHeader());
        } else {
            labels = labelsFrom(reader.read(), path);  // checks every value is a label
        }
    } else {
        labels = labelsFrom(readItkVolume(path, options), path);
    }
    const std::string sidecar = sidecarPath(path);
    if (fileExists(sidecar)) labels.table() = readLabelTable(sidecar);
    return labels;
}

void writeVolume(const std::string& path, const Volume& volume, const VolumeWriteOptions& options) {
    requireKnownFormat(path);
    if (isMrcPath(path))
        writeMrc(path, volume, options);
    else
        writeItkVolume(path, volume, options);

    const std::string sidecar = sidecarPath(path);
    const auto* labels = volume.kind() == DataKind::LabelVolume ? dynamic_cast<const LabelVolume*>(&volume) : nullptr;
    if (labels && !labels->table().entries().empty()) {
        const std::string text = labelTableToJson(labels->table());
        writeAtomically(sidecar, [&](std::ofstream& out) { out.write(text.data(), std::streamsize(text.size())); });
    } else if (fileExists(sidecar)) {
        // A table left from an earlier file of this name would describe the wrong data.
        std::remove(sidecar.c_str());
    }
}

VolumeInfo readVolumeInfo(const std::string& path, const VolumeReadOptions& options) {
    requireKnownFormat(path);
    VolumeInfo info;
    if (isMrcPath(path)) {
        MrcReader reader(path, options);
        info.dims = reader.dims();
        info.mrcMode = reader.mode();
        info.dtype = scalarTypeName(reader.scalarType());
        info.format = "mrc";
        info.voxelSize = reader.voxelSize();
        info.origin = reader.origin();
        // Statistics slab by slab (about 64 MiB at a time), so memory stays small.
        const std::int64_t nz = reader.dims()[2];
        const std::int64_t slab = std::max<std::int64_t>(
            1, std::int64_t((std::uint64_t(64) << 20) / std::max<std::uint64_t>(1, reader.bytesPerSlice())));
        double mn = HUGE_VAL, mx = -HUGE_VAL, sum = 0, sumSq = 0, count = 0;
        for (std::int64_t z = 0; z < nz; z += slab) {
            const Volume part = reader.readSlab(z, std::min(slab, nz - z));
            const VolumeStatistics s = computeStatistics(part);
            const double n = double(part.voxelCount());
            mn = std::min(mn, s.min);
            mx = std::max(mx, s.max);
            sum += s.mean * n;
            sumSq += (s.rms * s.rms + s.mean * s.mean) * n;
            count += n;
        }
        info.statistics.min = mn;
        info.statistics.max = mx;
        info.statistics.mean = sum / count;
        const double variance = sumSq / count - info.statistics.mean * info.statistics.mean;
        info.statistics.rms = std::sqrt(variance > 0 ? variance : 0.0);
        return info;
    }
    const Volume volume = readItkVolume(path, options);
    info.dims = volume.dims();
    info.dtype = scalarTypeName(volume.scalarType());
    info.format = volume.sourceHeader().format;
    info.voxelSize = volume.voxelSize();
    info.origin = volume.origin();
    info.statistics = computeStatistics(volume);
    return info;
}

}  // namespace cellforge::io
