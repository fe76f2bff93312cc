// Label editing and block-based undo: brush, fill, components, undo/redo, memory.
#include "app/gui/editing/LabelEditing.h"

#include <gtest/gtest.h>

#include <numeric>

using namespace cellforge;

namespace {
std::int64_t countLabel(const LabelVolume& v, LabelId id) {
    std::int64_t n = 0;
    for (std::int64_t i = 0; i < v.voxelCount(); ++i) n += v.labels()[i] == id;
    return n;
}
std::vector<LabelId> snapshot(const LabelVolume& v) { return {v.labels(), v.labels() + v.voxelCount()}; }
}  // namespace

TEST(LabelEditor, DiscBrushPaintsADiscInOneSliceOnly) {
    LabelVolume v({64, 64, 10});
    LabelUndoStack undo;
    LabelEditor ed(v, undo);
    ed.beginStroke(3, {5.0, false, 2});
    ed.dab({32.0, 32.0, 4.5});
    EXPECT_TRUE(ed.endStroke());
    // Voxel centres within 5 voxels of (32, 32): about pi * 25 = 78.5.
    const std::int64_t n = countLabel(v, 3);
    EXPECT_GE(n, 69);
    EXPECT_LE(n, 89);
    for (std::int64_t z = 0; z < 10; ++z)
        for (std::int64_t y = 0; y < 64; ++y)
            for (std::int64_t x = 0; x < 64; ++x)
                if (v.labelAt(x, y, z) == 3) {
                    EXPECT_EQ(z, 4);
                }
    EXPECT_EQ(v.labelAt(32, 32, 4), 3);
    EXPECT_EQ(v.labelAt(32, 32 + 6, 4), 0);
}

TEST(LabelEditor, SphereBrushAndStrokeWithoutGaps) {
    LabelVolume v({80, 40, 20});
    LabelUndoStack undo;
    LabelEditor ed(v, undo);
    ed.beginStroke(1, {3.0, true, 2});
    ed.dab({10.5, 20.5, 10.5});
    ed.dab({70.5, 20.5, 10.5});  // a fast mouse: 60 voxels in one event
    ed.endStroke();
    for (std::int64_t x = 10; x <= 70; ++x) EXPECT_EQ(v.labelAt(x, 20, 10), 1) << "gap at x=" << x;
    EXPECT_EQ(v.labelAt(40, 20, 13), 1);  // a sphere reaches other slices
    EXPECT_EQ(v.labelAt(40, 20, 14), 0);
}

TEST(LabelEditor, EraserAndPreserveOtherLabels) {
    LabelVolume v({32, 32, 1});
    LabelUndoStack undo;
    LabelEditor ed(v, undo);
    ed.beginStroke(2, {4, false, 2});
    ed.dab({10, 10, 0.5});
    ed.endStroke();
    ed.beginStroke(5, {8, false, 2}, /*preserveOthers=*/true);
    ed.dab({10, 10, 0.5});
    ed.endStroke();
    EXPECT_EQ(v.labelAt(10, 10, 0), 2);  // kept
    EXPECT_EQ(v.labelAt(16, 10, 0), 5);  // background painted
    ed.beginStroke(0, {20, false, 2});
    ed.dab({16, 16, 0.5});
    ed.endStroke();
    EXPECT_EQ(countLabel(v, 2) + countLabel(v, 5), 0);
}

TEST(LabelEditor, FloodFill2DStaysInPlaneAnd3DDoesNot) {
    LabelVolume v({20, 20, 5});
    // A wall at x = 10 in every slice splits the volume into two regions.
    for (std::int64_t z = 0; z < 5; ++z)
        for (std::int64_t y = 0; y < 20; ++y) v.labels()[v.index(10, y, z)] = 9;
    LabelUndoStack undo;
    LabelEditor ed(v, undo);
    EXPECT_EQ(ed.floodFill({2, 2, 2}, 4, {false, 2}), 10 * 20);
    EXPECT_EQ(v.labelAt(5, 5, 2), 4);
    EXPECT_EQ(v.labelAt(5, 5, 1), 0);
    EXPECT_EQ(v.labelAt(15, 5, 2), 0);
    // In 3D the filled slice 2 now separates slices 0-1 from 3-4: only 0 and 1 fill.
    EXPECT_EQ(ed.floodFill({2, 2, 0}, 4, {true, 2}), 10 * 20 * 2);
    EXPECT_EQ(countLabel(v, 4), 10 * 20 * 3);
    EXPECT_EQ(v.labelAt(5, 5, 3), 0);
    // A 2D fill in an XZ plane (normal y).
    LabelVolume w({8, 8, 8});
    LabelEditor ew(w, undo);
    EXPECT_EQ(ew.floodFill({1, 3, 1}, 7, {false, 1}), 64);
    EXPECT_EQ(w.labelAt(7, 3, 7), 7);
    EXPECT_EQ(w.labelAt(7, 2, 7), 0);
}

TEST(LabelEditor, ComponentsDeleteMergeSplit) {
    LabelVolume v({30, 10, 10});
    auto box = [&](std::int64_t x0, std::int64_t x1, LabelId id) {
        for (std::int64_t z = 2; z < 6; ++z)
            for (std::int64_t y = 2; y < 6; ++y)
                for (std::int64_t x = x0; x < x1; ++x) v.labels()[v.index(x, y, z)] = id;
    };
    box(1, 5, 1);
    box(8, 12, 1);  // a second, disconnected piece of label 1
    box(15, 19, 2);
    LabelUndoStack undo;
    LabelEditor ed(v, undo);
    EXPECT_EQ(ed.connectedComponent({2, 3, 3}, {true, 2}).size(), 64u);
    EXPECT_EQ(ed.nextFreeLabel(), 3);
    EXPECT_EQ(ed.splitComponent({9, 3, 3}, {true, 2}), 3);
    EXPECT_EQ(countLabel(v, 1), 64);
    EXPECT_EQ(countLabel(v, 3), 64);
    EXPECT_EQ(ed.mergeLabels({16, 3, 3}, {2, 3, 3}), 64);  // label 1 becomes 2
    EXPECT_EQ(countLabel(v, 2), 128);
    EXPECT_EQ(countLabel(v, 1), 0);
    EXPECT_EQ(ed.deleteComponent({9, 3, 3}, {true, 2}), 64);
    EXPECT_EQ(countLabel(v, 3), 0);
    EXPECT_EQ(ed.pick({16, 3, 3}), 2);
    EXPECT_EQ(ed.pick({0, 0, 0}), 0);
    EXPECT_EQ(ed.pick({-1, 0, 0}), 0);  // outside: background, no crash
}

TEST(LabelUndoStack, UndoRedoRestoreExactly) {
    LabelVolume v({70, 50, 9});
    LabelUndoStack undo;
    LabelEditor ed(v, undo);
    std::vector<std::vector<LabelId>> states{snapshot(v)};
    for (int s = 0; s < 6; ++s) {
        ed.beginStroke(LabelId(s + 1), {3.0 + s, s % 2 == 1, 2});
        ed.dab({5.0 + 9 * s, 7.0 + 5 * s, 1.5 + s});
        ed.dab({60.0 - 5 * s, 40.0 - 3 * s, 2.5 + s});
        ASSERT_TRUE(ed.endStroke());
        states.push_back(snapshot(v));
    }
    ed.floodFill({0, 0, 0}, 9, {true, 2});
    states.push_back(snapshot(v));
    EXPECT_EQ(undo.undoCount(), 7u);
    for (int k = 6; k >= 0; --k) {
        ASSERT_TRUE(undo.undo(v));
        EXPECT_EQ(snapshot(v), states[std::size_t(k)]) << "after undo to state " << k;
    }
    EXPECT_FALSE(undo.undo(v));
    for (int k = 1; k <= 7; ++k) {
        ASSERT_TRUE(undo.redo(v));
        EXPECT_EQ(snapshot(v), states[std::size_t(k)]) << "after redo to state " << k;
    }
    EXPECT_FALSE(undo.redo(v));
    // A new edit after undo drops the redo history.
    undo.undo(v);
    ed.beginStroke(12, {2, false, 2});
    ed.dab({30, 30, 4.5});
    ed.endStroke();
    EXPECT_FALSE(undo.canRedo());
}

TEST(LabelUndoStack, StrokeThatChangesNothingLeavesNoRecord) {
    LabelVolume v({40, 40, 4});
    LabelUndoStack undo;
    LabelEditor ed(v, undo);
    ed.beginStroke(0, {5, false, 2});  // erasing background
    ed.dab({20, 20, 1.5});
    EXPECT_FALSE(ed.endStroke());
    EXPECT_EQ(undo.undoCount(), 0u);
    EXPECT_EQ(undo.memoryBytes(), 0u);
}

TEST(LabelUndoStack, RollbackRestores) {
    LabelVolume v({40, 40, 4});
    LabelUndoStack undo;
    LabelEditor ed(v, undo);
    ed.beginStroke(4, {6, true, 2});
    ed.dab({20, 20, 1.5});
    undo.rollback();
    EXPECT_EQ(countLabel(v, 4), 0);
    EXPECT_EQ(undo.undoCount(), 0u);
}

// The figure: 200 strokes on a 1024 x 1024 x 300 label volume stay under 1 GiB.
// Here each stroke crosses the whole slice (worst case for a 2D brush of radius 12),
// and even a 3D fill of the whole background is kept small by the run-length blocks.
TEST(LabelUndoStack, TwoHundredStrokesOnALargeVolumeStayFarUnderOneGiB) {
    LabelVolume v({1024, 1024, 300});
    LabelUndoStack undo;
    LabelEditor ed(v, undo);
    for (int s = 0; s < 200; ++s) {
        const double z = 0.5 + (s * 37) % 300;
        const double y = 20.0 + (s * 53) % 980;
        ed.beginStroke(LabelId(1 + s % 7), {12.0, false, 2});
        ed.dab({10.0, y, z});
        ed.dab({1010.0, y + 3, z});
        ASSERT_TRUE(ed.endStroke());
    }
    EXPECT_EQ(undo.undoCount(), 200u);
    const double mib = double(undo.memoryBytes()) / (1024.0 * 1024.0);
    std::printf("undo memory after 200 strokes: %.1f MiB\n", mib);
    EXPECT_LT(mib, 1024.0);
    EXPECT_LT(mib, 256.0);  // what the block design gives; far below the goal
    // Undo all and the volume is background again.
    while (undo.undo(v)) {
    }
    std::int64_t nonZero = 0;
    for (std::int64_t i = 0; i < v.voxelCount(); i += 97) nonZero += v.labels()[i] != 0;
    EXPECT_EQ(nonZero, 0);
}

TEST(LabelUndoStack, MemoryLimitDropsOldestRecords) {
    LabelVolume v({256, 256, 8});
    LabelUndoStack undo(8 * 1024);  // 8 KiB: run-length blocks are small
    LabelEditor ed(v, undo);
    for (int s = 0; s < 50; ++s) {
        ed.beginStroke(LabelId(s % 3 + 1), {10.0, false, 2});
        ed.dab({5.0, 5.0 + s * 5, 0.5 + s % 8});
        ed.dab({250.0, 5.0 + s * 5, 0.5 + s % 8});
        ed.endStroke();
    }
    EXPECT_LE(undo.memoryBytes(), 8u * 1024u);
    EXPECT_LT(undo.undoCount(), 50u);
    EXPECT_GT(undo.undoCount(), 0u);
}
