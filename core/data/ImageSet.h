// A list of named 2D or 3D images that need not share a grid: a training set for a
// generative model, or the cells a generator made. Order is kept.
#pragma once

#include "core/data/Volume.h"

#include <memory>
#include <string>
#include <vector>

namespace cellforge {

class ImageSet : public DataObject {
public:
    static constexpr DataKind staticKind = DataKind::ImageSet;
    DataKind kind() const override { return DataKind::ImageSet; }

    struct Entry {
        std::string name;
        std::shared_ptr<const Volume> image;
    };

    // Throws InputError if the name is empty or already used, or the image is null.
    void add(std::string name, std::shared_ptr<const Volume> image);
    std::size_t size() const { return entries_.size(); }
    bool empty() const { return entries_.empty(); }
    const Entry& entry(std::size_t i) const { return entries_.at(i); }
    const std::vector<Entry>& entries() const { return entries_; }
    // nullptr if no image has this name.
    const Entry* find(const std::string& name) const;

private:
    std::vector<Entry> entries_;
};

}  // namespace cellforge
