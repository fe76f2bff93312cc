#include "app/gui/editing/LabelUndo.h"

#include <algorithm>
#include <stdexcept>

namespace cellforge {

LabelUndoStack::LabelUndoStack(std::size_t memoryLimitBytes) : limit_(memoryLimitBytes) {}

void LabelUndoStack::begin(LabelVolume& volume, std::string description) {
    if (open_) commit();
    open_ = true;
    volume_ = &volume;
    current_ = Record{};
    current_.description = std::move(description);
    saved_.clear();
}

std::vector<std::uint16_t> LabelUndoStack::encode(const LabelVolume& v, std::int64_t bx, std::int64_t by,
                                                  std::int64_t bz) const {
    std::vector<std::uint16_t> runs;
    const std::int64_t x0 = bx * kBlockX, y0 = by * kBlockY, z0 = bz * kBlockZ;
    const std::int64_t x1 = std::min(v.nx(), x0 + kBlockX), y1 = std::min(v.ny(), y0 + kBlockY),
                       z1 = std::min(v.nz(), z0 + kBlockZ);
    const LabelId* p = v.labels();
    LabelId value = 0;
    std::uint32_t count = 0;
    for (std::int64_t z = z0; z < z1; ++z)
        for (std::int64_t y = y0; y < y1; ++y) {
            const LabelId* row = p + v.index(0, y, z);
            for (std::int64_t x = x0; x < x1; ++x) {
                const LabelId l = row[x];
                if (count > 0 && l == value && count < 65535) {
                    ++count;
                } else {
                    if (count > 0) {
                        runs.push_back(value);
                        runs.push_back(std::uint16_t(count));
                    }
                    value = l;
                    count = 1;
                }
            }
        }
    if (count > 0) {
        runs.push_back(value);
        runs.push_back(std::uint16_t(count));
    }
    runs.shrink_to_fit();
    return runs;
}

void LabelUndoStack::decode(LabelVolume& v, const Block& b) const {
    const std::int64_t x0 = b.bx * kBlockX, y0 = b.by * kBlockY, z0 = b.bz * kBlockZ;
    const std::int64_t x1 = std::min(v.nx(), x0 + kBlockX), y1 = std::min(v.ny(), y0 + kBlockY),
                       z1 = std::min(v.nz(), z0 + kBlockZ);
    LabelId* p = v.labels();
    std::size_t r = 0;
    std::uint32_t left = 0;
    LabelId value = 0;
    for (std::int64_t z = z0; z < z1; ++z)
        for (std::int64_t y = y0; y < y1; ++y) {
            LabelId* row = p + v.index(0, y, z);
            for (std::int64_t x = x0; x < x1; ++x) {
                if (left == 0) {
                    if (r + 1 >= b.runs.size()) throw std::logic_error("LabelUndoStack: corrupt block record");
                    value = b.runs[r];
                    left = b.runs[r + 1];
                    r += 2;
                }
                row[x] = value;
                --left;
            }
        }
}

bool LabelUndoStack::sameAsVolume(const LabelVolume& v, const Block& b) const {
    return encode(v, b.bx, b.by, b.bz) == b.runs;
}

void LabelUndoStack::touch(const VoxelBox& box) {
    if (!open_ || !volume_) throw std::logic_error("LabelUndoStack::touch outside begin/commit");
    const LabelVolume& v = *volume_;
    const std::int64_t x0 = std::max<std::int64_t>(0, box.x0), y0 = std::max<std::int64_t>(0, box.y0),
                       z0 = std::max<std::int64_t>(0, box.z0);
    const std::int64_t x1 = std::min(v.nx() - 1, box.x1), y1 = std::min(v.ny() - 1, box.y1),
                       z1 = std::min(v.nz() - 1, box.z1);
    if (x1 < x0 || y1 < y0 || z1 < z0) return;
    const std::int64_t nbx = (v.nx() + kBlockX - 1) / kBlockX, nby = (v.ny() + kBlockY - 1) / kBlockY;
    for (std::int64_t bz = z0 / kBlockZ; bz <= z1 / kBlockZ; ++bz)
        for (std::int64_t by = y0 / kBlockY; by <= y1 / kBlockY; ++by)
            for (std::int64_t bx = x0 / kBlockX; bx <= x1 / kBlockX; ++bx) {
                const std::int64_t key = bx + nbx * (by + nby * bz);
                if (!saved_.insert(key).second) continue;
                current_.blocks.push_back({bx, by, bz, encode(v, bx, by, bz)});
            }
}

std::size_t LabelUndoStack::recordBytes(const Record& r) {
    std::size_t n = sizeof(Record) + r.description.size();
    for (const Block& b : r.blocks) n += sizeof(Block) + b.runs.capacity() * sizeof(std::uint16_t);
    return n;
}

bool LabelUndoStack::commit() {
    if (!open_) return false;
    open_ = false;
    saved_.clear();
    // Keep only blocks whose content really changed.
    auto& blocks = current_.blocks;
    blocks.erase(
        std::remove_if(blocks.begin(), blocks.end(), [&](const Block& b) { return sameAsVolume(*volume_, b); }),
        blocks.end());
    if (blocks.empty()) {
        current_ = Record{};
        return false;
    }
    current_.bytes = recordBytes(current_);
    bytes_ += current_.bytes;
    undo_.push_back(std::move(current_));
    current_ = Record{};
    for (const Record& r : redo_) bytes_ -= r.bytes;
    redo_.clear();
    enforceLimit();
    return true;
}

void LabelUndoStack::rollback() {
    if (!open_) return;
    for (const Block& b : current_.blocks) decode(*volume_, b);
    open_ = false;
    saved_.clear();
    current_ = Record{};
}

void LabelUndoStack::swapRecord(LabelVolume& v, Record& r) {
    lastBox_ = {INT64_MAX, INT64_MAX, INT64_MAX, -1, -1, -1};
    for (Block& b : r.blocks) {
        std::vector<std::uint16_t> now = encode(v, b.bx, b.by, b.bz);
        decode(v, b);
        b.runs = std::move(now);
        lastBox_.x0 = std::min(lastBox_.x0, b.bx * kBlockX);
        lastBox_.y0 = std::min(lastBox_.y0, b.by * kBlockY);
        lastBox_.z0 = std::min(lastBox_.z0, b.bz * kBlockZ);
        lastBox_.x1 = std::max(lastBox_.x1, std::min(v.nx(), (b.bx + 1) * kBlockX) - 1);
        lastBox_.y1 = std::max(lastBox_.y1, std::min(v.ny(), (b.by + 1) * kBlockY) - 1);
        lastBox_.z1 = std::max(lastBox_.z1, std::min(v.nz(), (b.bz + 1) * kBlockZ) - 1);
    }
    bytes_ -= r.bytes;
    r.bytes = recordBytes(r);
    bytes_ += r.bytes;
}

bool LabelUndoStack::undo(LabelVolume& volume) {
    if (open_) commit();
    if (undo_.empty()) return false;
    Record r = std::move(undo_.back());
    undo_.pop_back();
    swapRecord(volume, r);
    redo_.push_back(std::move(r));
    enforceLimit();
    return true;
}

bool LabelUndoStack::redo(LabelVolume& volume) {
    if (open_) commit();
    if (redo_.empty()) return false;
    Record r = std::move(redo_.back());
    redo_.pop_back();
    swapRecord(volume, r);
    undo_.push_back(std::move(r));
    enforceLimit();
    return true;
}

void LabelUndoStack::clear() {
    undo_.clear();
    redo_.clear();
    bytes_ = 0;
    open_ = false;
    current_ = Record{};
    saved_.clear();
}

void LabelUndoStack::enforceLimit() {
    while (bytes_ > limit_ && !undo_.empty()) {
        bytes_ -= undo_.front().bytes;
        undo_.pop_front();
    }
}

}  // namespace cellforge
