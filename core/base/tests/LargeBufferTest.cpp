// The large-buffer allocator: zero-filled, aligned, small and large sizes.
#include "core/base/LargeBuffer.h"

#include <gtest/gtest.h>

#include <cstdint>

using namespace cellforge;

TEST(LargeBuffer, ZeroFilledAndAligned) {
    for (std::size_t bytes : {std::size_t(0), std::size_t(100), std::size_t(5) << 20}) {
        auto buffer = allocateLargeBuffer(bytes);
        ASSERT_TRUE(buffer);
        EXPECT_EQ(reinterpret_cast<std::uintptr_t>(buffer.get()) % 64, 0u);
        for (std::size_t i = 0; i < bytes; i += 4093) ASSERT_EQ(buffer.get()[i], std::byte{0});
        if (bytes > 0) buffer.get()[bytes - 1] = std::byte{7};  // the whole range is writable
    }
    auto large = allocateLargeBuffer(std::size_t(8) << 20);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(large.get()) % (std::uintptr_t(2) << 20), 0u);
}

TEST(LargeBuffer, ResizeForWritingDropsOldContents) {
    std::vector<int> v{1, 2, 3};
    resizeForWriting(v, 1000000);
    EXPECT_EQ(v.size(), 1000000u);
    EXPECT_EQ(v[0], 0);
}
