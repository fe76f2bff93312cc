// One instance per membrane from a membrane segmentation left in pieces (arcs broken
// where the missing wedge hides the membrane, caps missing, stray blobs): 3D statistical
// region merging after Nock & Nielsen (2004) on fragments, with the surface-continuity
// predicate of Zhou, Yang et al. (2023, §4.2). Fragments (26-connected components, or
// 8-connected per slice) whose voxels come within max_gap of each other are candidate
// pairs, found by growing every fragment's territory outwards (a nearest-fragment map,
// linear in the voxels it touches); a pair is joined when the two pieces continue one
// surface — the gap runs along their tangent planes, not across them, and their normals
// at the closest points agree beyond the bend their own curvature explains — and, with
// probabilities, when their mean probabilities differ by less than Nock–Nielsen's
// bound. So two parallel membranes a few voxels apart (a double membrane, stacked
// cisternae) stay apart, while two arcs of one vesicle are joined. Plain C++ over
// core/imaging; no Qt.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/imaging/LabelGrid.h"

namespace cellforge::connect {

enum class MergeMode { Volume3D, Slices2D };
enum class NormalEstimate { Moments, StructureTensor };

struct RegionMergeSettings {
    std::uint16_t membraneLabel = 2;
    MergeMode mode = MergeMode::Volume3D;
    double maxGap = 8.0;        // voxels between the closest voxel centres of two fragments
    double maxAngle = 35.0;     // degrees between the normals at the closest points, beyond the pieces' own bend
    double maxTilt = 20.0;      // degrees: largest offset between the tangent planes over the gap (asin)
    double normalRadius = 5.0;  // voxels: the neighbourhood a normal is estimated from
    double minPlanarity = 0.4;  // how sheet-like (curve-like per slice) both ends must be, 0..1
    double complexity = 0.1;    // Nock–Nielsen's Q (with probabilities): smaller merges more
    std::int64_t minSize = 10;  // voxels: instances smaller than this are dropped (stray blobs)
    NormalEstimate normals = NormalEstimate::Moments;
};

// One accepted join of two fragments, in the order they were joined.
struct FragmentMerge {
    std::uint32_t fragmentA = 0, fragmentB = 0;      // fragment ids, A < B
    std::array<std::int64_t, 3> pointA{}, pointB{};  // the closest voxels (x, y, z) of A and B
    double gap = 0;                                  // voxels between pointA and pointB
    double angle = 0;                                // degrees between the normals there
    double bend = 0;                                 // degrees of that angle the pieces' own curvature explains
    double tilt = 0;                                 // degrees: the offset between the tangent planes over the gap
    double probabilityDifference = 0;                // of the two regions' means when joined; NaN without probabilities
    double confidence = 0;                           // 0..1: how far inside every limit the join was
    std::uint16_t instance = 0;                      // the output instance (0 when it was dropped)
};

struct RegionMergeResult {
    std::int64_t membraneVoxels = 0;
    std::uint32_t fragments = 0;
    std::int64_t contacts = 0;              // places where two fragments' territories met
    std::int64_t candidatePairs = 0;        // pairs within max_gap whose surfaces continue
    std::int64_t rejectedByStatistics = 0;  // candidates refused by Nock–Nielsen's bound
    std::vector<FragmentMerge> merges;
    std::vector<std::int64_t> instanceSizes;       // voxels of instance 1..N (index 0 unused)
    std::vector<std::uint32_t> instanceFragments;  // fragments per instance (index 0 unused)
    std::int64_t droppedSmall = 0;                 // instances under min_size
    std::int64_t droppedOverflow = 0;              // instances beyond the 65535 ids a label volume holds
};

// Throws InputError naming the first bad setting (by its parameter name).
void validate(const RegionMergeSettings& settings);

// Writes the instances (0 = no membrane, 1..N by size descending) into `instances`
// (dims[0] * dims[1] * dims[2], x fastest). `probability`, when not null, is the
// membrane probability on the same grid. Throws InputError for an empty segmentation or
// a membrane label that does not occur, CancelledError when cancelled (then `instances`
// holds nothing of use).
RegionMergeResult mergeRegions(const std::uint16_t* labels, const float* probability, const imaging::Dims3& dims,
                               const RegionMergeSettings& settings, std::uint16_t* instances,
                               const RunControl& control = {});

}  // namespace cellforge::connect
