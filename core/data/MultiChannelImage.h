// Several images on one grid (channels x z x y x): the fluorescence channels of one
// cell (membrane, DNA, a structure). Each channel is a Volume of its own, so a channel
// can be handed to any stage that takes a Volume without copying.
#pragma once

#include "core/data/Volume.h"

#include <memory>
#include <string>
#include <vector>

namespace cellforge {

class MultiChannelImage : public DataObject {
public:
    static constexpr DataKind staticKind = DataKind::MultiChannelImage;
    DataKind kind() const override { return DataKind::MultiChannelImage; }

    struct Channel {
        std::string name;
        std::shared_ptr<const Volume> image;
    };

    // Throws InputError if the name is empty or taken, or if the image's grid (size,
    // voxel size, origin) differs from the first channel's.
    void addChannel(std::string name, std::shared_ptr<const Volume> image);
    std::size_t channelCount() const { return channels_.size(); }
    const Channel& channel(std::size_t i) const { return channels_.at(i); }
    const std::vector<Channel>& channels() const { return channels_; }
    // Index of the channel called `name`; throws InputError naming the channels if absent.
    std::size_t channelIndex(const std::string& name) const;
    // The grid every channel shares (zeros while there is no channel).
    Index3 dims() const;

private:
    std::vector<Channel> channels_;
};

}  // namespace cellforge
