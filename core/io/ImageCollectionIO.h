// Multi-channel images and image sets on disk, as a small JSON manifest beside one
// volume file per channel or image (any volume format; MRC when written):
//   cell.channels.json  {"format": "cellforge-channels", "version": 1,
//                        "channels": [{"name": "dna", "file": "cell_dna.mrc"}, ...]}
//   train.imageset.json {"format": "cellforge-imageset", "version": 1,
//                        "images": [{"name": "cell001", "file": "train_cell001.mrc"}, ...]}
// A plain volume file also reads as a one-channel image, and a folder of volume files
// as an image set (sorted by name).
#pragma once

#include "core/data/ImageSet.h"
#include "core/data/MultiChannelImage.h"

#include <string>

namespace cellforge::io {

bool isChannelsManifest(const std::string& path);  // .channels.json
bool isImageSetManifest(const std::string& path);  // .imageset.json

MultiChannelImage readMultiChannelImage(const std::string& path);
// Writes the manifest at `path` and "<stem>_<channel>.mrc" beside it.
void writeMultiChannelImage(const std::string& path, const MultiChannelImage& image);
ImageSet readImageSet(const std::string& path);
void writeImageSet(const std::string& path, const ImageSet& set);

}  // namespace cellforge::io
