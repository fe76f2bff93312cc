#include "core/plugin/StageRegistry.h"

#include "core/base/Errors.h"

#include <algorithm>

namespace cellforge {

namespace {
// Edit distance, to suggest the closest ids for a misspelt stage id.
std::size_t editDistance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}
}  // namespace

void StageRegistry::add(StagePtr stage, const std::string& pluginId) {
    StageInfo info = stage->info();
    auto it = entries_.find(info.id);
    if (it != entries_.end())
        throw InputError("stage id '" + info.id + "' of plugin '" + pluginId + "' is already registered by plugin '" +
                         it->second.pluginId + "'");
    if (aliases_.count(info.id))
        throw InputError("stage id '" + info.id + "' of plugin '" + pluginId + "' is already a former id of '" +
                         aliases_.at(info.id) + "'");
    for (const std::string& alias : info.aliases) {
        if (entries_.count(alias) || aliases_.count(alias))
            throw InputError("alias '" + alias + "' of stage '" + info.id + "' (plugin '" + pluginId +
                             "') is already registered");
    }
    for (const std::string& alias : info.aliases) aliases_[alias] = info.id;
    entries_[info.id] = Entry{std::move(stage), info, pluginId};
}

std::string StageRegistry::canonicalId(const std::string& stageId) const {
    if (entries_.count(stageId)) return stageId;
    auto alias = aliases_.find(stageId);
    return alias == aliases_.end() ? std::string() : alias->second;
}

StagePtr StageRegistry::find(const std::string& stageId) const {
    auto it = entries_.find(canonicalId(stageId));
    return it == entries_.end() ? nullptr : it->second.stage;
}

StagePtr StageRegistry::require(const std::string& stageId) const {
    if (auto s = find(stageId)) return s;
    std::vector<std::pair<std::size_t, std::string>> ranked;
    for (const auto& [id, e] : entries_) ranked.push_back({editDistance(stageId, id), id});
    std::sort(ranked.begin(), ranked.end());
    std::string hint;
    for (std::size_t i = 0; i < ranked.size() && i < 3; ++i) hint += (i ? ", " : "") + ranked[i].second;
    throw InputError("unknown stage '" + stageId + "'" +
                     (hint.empty() ? std::string(" (no plugins are loaded)") : " (closest: " + hint + ")"));
}

std::string StageRegistry::pluginOf(const std::string& stageId) const {
    auto it = entries_.find(canonicalId(stageId));
    return it == entries_.end() ? std::string() : it->second.pluginId;
}

std::vector<std::string> StageRegistry::stageIds() const {
    std::vector<std::string> ids;
    for (const auto& [id, e] : entries_) ids.push_back(id);
    return ids;
}

}  // namespace cellforge
