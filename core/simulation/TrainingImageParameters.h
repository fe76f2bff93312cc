// The stage parameters of simulation::TrainingImageOptions, declared once for every stage
// that simulates training images (simulate.training_images, unet.simulate, unet.train).
// Header-only, for stage code: it needs core/plugin (cellforge_core), which the
// simulation library itself does not link.
#pragma once

#include <string>

#include "core/plugin/StageBuilder.h"
#include "core/simulation/TrainingImages.h"

namespace cellforge::simulation {

// Adds the training-image parameters to `b` (S derives from TrainingImageOptions);
// `wedgeNote` is appended to the missing_wedge help (e.g. what else gets a wedge).
template <typename S>
StageBuilder<S>& trainingImageParameters(StageBuilder<S>& b, const std::string& wedgeNote = "") {
    using O = TrainingImageOptions;
    return b
        .choice("recipe", &O::recipe,
                {{"classic", TrainingRecipe::Classic}, {"randomized", TrainingRecipe::Randomized}},
                "classic: ellipsoidal membranes and blobs, blur or a matched spectrum; randomized: domain "
                "randomisation - centre slices of 3D slabs at a random voxel size (7-15 Å) with many membrane shapes "
                "(closed, double, budding, sheets, stacks, cisternae, tubes), unlabelled distractors (filaments, "
                "microtubules, particles, gold, carbon edge), a 3D CTF (1-6 µm defocus), missing wedge and noise at "
                "SNR 0.04-1.5 (signal/noise variance); it draws its own SNR, thickness, blur and band limit")
        .param("image_size", &O::imageSize, {32, 1024}, "voxels",
               "Width and height of the simulated 2D training images")
        .param("snr_min", &O::snrMin, {0.01, 100}, "", "Classic: lowest membrane contrast / noise standard deviation")
        .param("snr_max", &O::snrMax, {0.01, 100}, "", "Classic: highest membrane contrast / noise standard deviation")
        .param("thickness_min", &O::thicknessMin, {1, 40}, "voxels", "Classic: thinnest simulated membrane")
        .param("thickness_max", &O::thicknessMax, {1, 40}, "voxels", "Classic: thickest simulated membrane")
        .param("blur", &O::blur, {0, 10}, "voxels",
               "Classic: Gaussian blur of signal and noise when no tomogram is matched")
        .param("bandpass_low", &O::bandpassLow, {0, 0.5}, "cycles/voxel", "Classic: high-pass cut-on (0 = off)")
        .param("bandpass_high", &O::bandpassHigh, {0, 0.5}, "cycles/voxel", "Classic: low-pass cut-off (0 = off)")
        .flag("augment", &O::augment, "Classic: elastic deformation, flips, rotations and intensity jitter")
        .choice("density", &O::darkDensity, {{"dark", true}, {"bright", false}},
                "Whether membranes and proteins are darker (raw cryo-ET) or brighter than solvent")
        .flag("missing_wedge", &O::missingWedge,
              "Images are XY slices of 3D slabs with a tomogram's missing wedge (elongation, faint near-horizontal "
              "membranes, smeared vesicle caps)" +
                  wedgeNote)
        .param("tilt_range_min", &O::tiltRangeMin, {1, 90}, "degrees", "Images: smallest tilt range (+-)")
        .param("tilt_range_max", &O::tiltRangeMax, {1, 90}, "degrees", "Images: largest tilt range (+-)")
        .textChoice(
            "tilt_axis", &O::tiltAxis, {"auto", "y", "x", "either"},
            "Images: the tilt axis; auto = seen in the matched tomogram's slices (no wedge seen: none), else y");
}

}  // namespace cellforge::simulation
