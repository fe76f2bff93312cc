#include "core/data/MultiChannelImage.h"

#include "core/base/Errors.h"

namespace cellforge {

void MultiChannelImage::addChannel(std::string name, std::shared_ptr<const Volume> image) {
    if (name.empty()) throw InputError("a channel needs a name");
    if (!image || image->empty()) throw InputError("channel '" + name + "': no image");
    for (const auto& c : channels_)
        if (c.name == name) throw InputError("channel '" + name + "' is already present");
    if (!channels_.empty()) {
        const Volume& first = *channels_.front().image;
        if (first.dims() != image->dims() || first.voxelSize() != image->voxelSize() ||
            first.origin() != image->origin()) {
            throw InputError("channel '" + name + "': its grid (" + std::to_string(image->nx()) + "x" +
                             std::to_string(image->ny()) + "x" + std::to_string(image->nz()) +
                             ", voxel size and origin) differs from channel '" + channels_.front().name + "' (" +
                             std::to_string(first.nx()) + "x" + std::to_string(first.ny()) + "x" +
                             std::to_string(first.nz()) + ")");
        }
    }
    channels_.push_back({std::move(name), std::move(image)});
}

std::size_t MultiChannelImage::channelIndex(const std::string& name) const {
    std::string names;
    for (std::size_t i = 0; i < channels_.size(); ++i) {
        if (channels_[i].name == name) return i;
        names += (names.empty() ? "" : ", ") + channels_[i].name;
    }
    throw InputError("no channel '" + name + "' (channels: " + (names.empty() ? "none" : names) + ")");
}

Index3 MultiChannelImage::dims() const { return channels_.empty() ? Index3{0, 0, 0} : channels_.front().image->dims(); }

}  // namespace cellforge
