// Undo and redo for label volumes that store only what an edit changed: the volume is
// cut into blocks of 32 x 32 x 4 voxels, an edit saves each block it is about to touch
// once (run-length encoded), and undo swaps the saved blocks with the current ones, so
// the same record then serves redo. Plain C++: unit-tested without a display.
#pragma once

#include "core/data/LabelVolume.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_set>
#include <vector>

namespace cellforge {

struct VoxelBox {  // inclusive bounds, clamped by the users of the box
    std::int64_t x0, y0, z0, x1, y1, z1;
};

class LabelUndoStack {
public:
    static constexpr std::int64_t kBlockX = 32, kBlockY = 32, kBlockZ = 4;

    // Undo memory above this drops the oldest records (default 1 GiB).
    explicit LabelUndoStack(std::size_t memoryLimitBytes = std::size_t(1) << 30);

    // Starts one undoable step on `volume` (e.g. a brush stroke, from press to release).
    void begin(LabelVolume& volume, std::string description);
    bool inTransaction() const { return open_; }
    // Must be called before voxels inside `box` are changed during the open step.
    void touch(const VoxelBox& box);
    // Ends the step; blocks that did not change are dropped, and an edit that changed
    // nothing leaves no record. Returns true if a record was kept. Clears redo.
    bool commit();
    // Restores the blocks saved by the open step and discards it.
    void rollback();

    bool canUndo() const { return !undo_.empty(); }
    bool canRedo() const { return !redo_.empty(); }
    std::string undoText() const { return undo_.empty() ? std::string() : undo_.back().description; }
    std::string redoText() const { return redo_.empty() ? std::string() : redo_.back().description; }
    // Each returns false if there was nothing to do. `volume` must be the edited one.
    bool undo(LabelVolume& volume);
    bool redo(LabelVolume& volume);
    void clear();

    std::size_t undoCount() const { return undo_.size(); }
    std::size_t redoCount() const { return redo_.size(); }
    // Bytes held by all records (encoded blocks plus bookkeeping).
    std::size_t memoryBytes() const { return bytes_; }
    // The box covered by the blocks of the last undo/redo (for refreshing views).
    const VoxelBox& lastChangedBox() const { return lastBox_; }

private:
    struct Block {
        std::int64_t bx, by, bz;
        std::vector<std::uint16_t> runs;  // (value, count) pairs
    };
    struct Record {
        std::string description;
        std::vector<Block> blocks;
        std::size_t bytes = 0;
    };
    std::vector<std::uint16_t> encode(const LabelVolume& v, std::int64_t bx, std::int64_t by, std::int64_t bz) const;
    void decode(LabelVolume& v, const Block& b) const;
    bool sameAsVolume(const LabelVolume& v, const Block& b) const;
    void swapRecord(LabelVolume& v, Record& r);
    static std::size_t recordBytes(const Record& r);
    void enforceLimit();

    std::size_t limit_;
    std::deque<Record> undo_, redo_;
    std::size_t bytes_ = 0;
    bool open_ = false;
    LabelVolume* volume_ = nullptr;
    Record current_;
    std::unordered_set<std::int64_t> saved_;
    VoxelBox lastBox_{0, 0, 0, -1, -1, -1};
};

}  // namespace cellforge
