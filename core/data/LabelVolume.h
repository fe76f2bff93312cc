// Integer labels (semantic classes or instances) with a table of names and colours.
// Stored as uint16: 0 is background, up to 65535 labels.
#pragma once

#include "core/data/Volume.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cellforge {

using LabelId = std::uint16_t;

struct LabelEntry {
    LabelId id = 0;
    std::string name;
    std::array<std::uint8_t, 3> color{255, 255, 255};
};

class LabelTable {
public:
    const std::vector<LabelEntry>& entries() const { return entries_; }
    const LabelEntry* find(LabelId id) const;
    // Adds or replaces the entry with this id.
    void set(const LabelEntry& entry);
    void remove(LabelId id);
    // Names and colours for the semantic classes: 0 background, 1 protein, 2 membrane.
    static LabelTable semanticDefault();
    // A distinct colour for any id (golden-ratio hues), used when the table has none.
    static std::array<std::uint8_t, 3> defaultColor(LabelId id);

private:
    std::vector<LabelEntry> entries_;
};

class LabelVolume : public Volume {
public:
    static constexpr DataKind staticKind = DataKind::LabelVolume;

    LabelVolume() = default;
    explicit LabelVolume(Index3 dims);
    // Converts any integer-valued volume to labels; throws InputError for negative or
    // non-integer values or values above 65535, naming the first offending value.
    static LabelVolume fromVolume(const Volume& volume);

    DataKind kind() const override { return DataKind::LabelVolume; }

    LabelId* labels() { return data<LabelId>(); }
    const LabelId* labels() const { return data<LabelId>(); }
    LabelId labelAt(std::int64_t x, std::int64_t y, std::int64_t z) const { return labels()[index(x, y, z)]; }

    LabelTable& table() { return table_; }
    const LabelTable& table() const { return table_; }
    // The distinct non-zero labels present, sorted.
    std::vector<LabelId> presentLabels() const;
    LabelVolume deepCopyLabels() const;

private:
    LabelTable table_;
};

}  // namespace cellforge
