#include "core/data/ImageSet.h"

#include "core/base/Errors.h"

namespace cellforge {

void ImageSet::add(std::string name, std::shared_ptr<const Volume> image) {
    if (name.empty()) throw InputError("an image of an image set needs a name");
    if (!image || image->empty()) throw InputError("image '" + name + "': no image");
    if (find(name)) throw InputError("image set: the name '" + name + "' is used twice");
    entries_.push_back({std::move(name), std::move(image)});
}

const ImageSet::Entry* ImageSet::find(const std::string& name) const {
    for (const auto& e : entries_)
        if (e.name == name) return &e;
    return nullptr;
}

}  // namespace cellforge
