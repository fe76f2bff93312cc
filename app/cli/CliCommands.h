// The commands of cellforge-cli: a contract scripts and other programs rely on
// (DESIGN.md). Each returns the process exit code: 0 done, 2 bad input or parameters,
// 3 a stage failed, 130 cancelled.
#pragma once

#include <string>
#include <vector>

namespace cellforge::cli {

enum ExitCode { kOk = 0, kBadInput = 2, kStageFailed = 3, kCancelled = 130 };

int commandPlugins(const std::vector<std::string>& args);
int commandInfo(const std::vector<std::string>& args);
int commandConvert(const std::vector<std::string>& args);
int commandRun(const std::vector<std::string>& args);
std::string usage();

}  // namespace cellforge::cli
