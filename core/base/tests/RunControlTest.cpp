// RunControl: sub-ranges, messages, cancellation and thread budgets.
#include "core/base/RunControl.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "core/base/Errors.h"

using namespace cellforge;

TEST(RunControl, SilentByDefault) {
    RunControl c;
    c.report(0.5, "half");
    c.note("a line");
    EXPECT_FALSE(c.isCancelled());
    EXPECT_NO_THROW(c.throwIfCancelled());
    EXPECT_EQ(c.threadCount(), 1);
}

TEST(RunControl, SubRangesNest) {
    std::vector<double> seen;
    RunControl c;
    c.progress = [&](double f, const std::string&) { seen.push_back(f); };
    const RunControl half = c.sub(0.5, 1.0);
    const RunControl quarter = half.sub(0.0, 0.5);
    quarter.report(0.0);
    quarter.report(1.0);
    half.report(1.0);
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_DOUBLE_EQ(seen[0], 0.5);
    EXPECT_DOUBLE_EQ(seen[1], 0.75);
    EXPECT_DOUBLE_EQ(seen[2], 1.0);
}

TEST(RunControl, DefaultMessageOnlyWhereNoneIsGiven) {
    std::vector<std::string> messages;
    RunControl c;
    c.progress = [&](double, const std::string& m) { messages.push_back(m); };
    const RunControl named = c.withMessage("smoothing");
    named.report(0.1);
    named.report(0.2, "slice 3");
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_EQ(messages[0], "smoothing");
    EXPECT_EQ(messages[1], "slice 3");
}

TEST(RunControl, CancelFlagIsSharedBySubControls) {
    std::atomic<bool> flag{false};
    RunControl c;
    c.cancel = &flag;
    const RunControl child = c.sub(0.2, 0.4).withThreads(0);
    EXPECT_EQ(child.threadCount(), 1);
    EXPECT_NO_THROW(child.throwIfCancelled());
    flag = true;
    EXPECT_TRUE(child.isCancelled());
    EXPECT_THROW(child.throwIfCancelled(), CancelledError);
}
