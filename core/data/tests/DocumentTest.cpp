#include "core/base/Errors.h"
#include "core/data/Document.h"
#include "core/data/Volume.h"

#include <gtest/gtest.h>

using namespace cellforge;

TEST(Document, NamesAreMadeUniqueAndChangesAreReported) {
    Document doc;
    std::vector<std::string> changes;
    doc.onChanged = [&](const std::string& n) { changes.push_back(n); };
    auto v = std::make_shared<Volume>(Index3{1, 1, 1}, ScalarType::UInt8);
    EXPECT_EQ(doc.addLayer({"tomogram", v, ""}), "tomogram");
    EXPECT_EQ(doc.addLayer({"tomogram", v, ""}), "tomogram (2)");
    EXPECT_THROW(doc.replaceData("nothing", v), InputError);
    EXPECT_TRUE(doc.removeLayer("tomogram"));
    EXPECT_FALSE(doc.removeLayer("tomogram"));
    EXPECT_EQ(changes.size(), 3u);
    ASSERT_NE(doc.find("tomogram (2)"), nullptr);
}
