#include "core/base/Errors.h"
#include "core/data/LabelVolume.h"
#include "core/data/Mesh.h"
#include "core/data/Table.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace cellforge;

TEST(Volume, LayoutIsXFastest) {
    Volume v({4, 3, 2}, ScalarType::Int16);
    v.data<std::int16_t>()[v.index(3, 2, 1)] = 7;
    EXPECT_EQ(v.index(3, 2, 1), 3 + 4 * (2 + 3 * 1));
    EXPECT_DOUBLE_EQ(v.valueAt(3, 2, 1), 7.0);
    EXPECT_EQ(v.byteSize(), 4u * 3u * 2u * 2u);
}

TEST(Volume, RejectsBadGeometry) {
    EXPECT_THROW(Volume({0, 3, 2}, ScalarType::UInt8), InputError);
    EXPECT_THROW(Volume({-4, 3, 2}, ScalarType::UInt8), InputError);
    Volume v({1, 1, 1}, ScalarType::UInt8);
    EXPECT_THROW(v.setVoxelSize({1, 0, 1}), InputError);
    EXPECT_THROW(v.setVoxelSize({1, NAN, 1}), InputError);
    EXPECT_THROW(v.data<float>(), std::logic_error);
}

TEST(Volume, CopiesShareStorageUntilDeepCopied) {
    Volume a({2, 2, 2}, ScalarType::Float32);
    Volume b = a;
    EXPECT_TRUE(a.sharesStorageWith(b));
    Volume c = a.deepCopy();
    EXPECT_FALSE(a.sharesStorageWith(c));
    c.data<float>()[0] = 5;
    EXPECT_FLOAT_EQ(a.data<float>()[0], 0.0f);
}

TEST(Volume, StatisticsMatchAHandComputation) {
    Volume v({2, 2, 1}, ScalarType::Int8);
    const std::int8_t values[] = {-2, 0, 2, 4};
    std::copy(values, values + 4, v.data<std::int8_t>());
    const auto s = computeStatistics(v);
    EXPECT_DOUBLE_EQ(s.min, -2);
    EXPECT_DOUBLE_EQ(s.max, 4);
    EXPECT_DOUBLE_EQ(s.mean, 1);
    EXPECT_NEAR(s.rms, std::sqrt(5.0), 1e-12);  // deviations -3,-1,1,3
}

TEST(LabelVolume, FromVolumeRejectsNonLabels) {
    Volume v({2, 1, 1}, ScalarType::Float32);
    v.data<float>()[0] = 2;
    v.data<float>()[1] = 1.5f;
    EXPECT_THROW(LabelVolume::fromVolume(v), InputError);
    v.data<float>()[1] = 3;
    const LabelVolume l = LabelVolume::fromVolume(v);
    EXPECT_EQ(l.presentLabels(), (std::vector<LabelId>{2, 3}));
}

TEST(LabelTable, SetReplacesAndKeepsOrder) {
    LabelTable t = LabelTable::semanticDefault();
    t.set({2, "outer membrane", {1, 2, 3}});
    t.set({5, "vesicle", {4, 5, 6}});
    ASSERT_EQ(t.entries().size(), 4u);
    EXPECT_EQ(t.find(2)->name, "outer membrane");
    EXPECT_EQ(t.entries().back().id, 5);
    EXPECT_NE(LabelTable::defaultColor(1), LabelTable::defaultColor(2));
}

TEST(Mesh, ValidateFindsBadIndicesAndMarkerCounts) {
    Mesh m;
    m.points = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}};
    m.triangles = {{0, 1, 2}};
    EXPECT_NO_THROW(m.validate());
    m.triangles.push_back({0, 1, 3});
    EXPECT_THROW(m.validate(), InputError);
    m.triangles.pop_back();
    m.triangleRegions = {1, 2};
    EXPECT_THROW(m.validate(), InputError);
}

TEST(Table, RowsMustMatchColumns) {
    Table t({"a", "b"});
    t.addRow({1.0, std::string("x")});
    EXPECT_THROW(t.addRow({1.0}), std::invalid_argument);
    EXPECT_TRUE(std::isnan(t.numericColumn("b")[0]));
    EXPECT_THROW(t.columnIndex("c"), InputError);
}
