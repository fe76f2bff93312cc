// Reproducible mutations of file contents for the fuzzing harness: input i of a run
// with seed s is always the same bytes (mutateInput(seeds, kind, s, i)), so a finding
// is reproduced by its seed and index alone.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace cellforge::fuzz {

// How a target's inputs are made from its seed files.
enum class MutationKind {
    Bytes,          // bit flips, interesting integers and doubles, cut, insert, splice, truncate
    Json,           // structure-aware: keys removed, types swapped, huge numbers, NaN, self-references, cycles
    Gzip,           // half the time the compressed bytes, half the time the content before gzip
    ModelChecksum,  // bytes, then usually the trailing CRC-32 recomputed, so the body is reached
};

using Rng = std::mt19937_64;

// The generator of input `index` of a run with `runSeed`.
Rng inputRng(std::uint64_t runSeed, std::uint64_t index);

// Input `index`: one seed (chosen by the rng), mutated 1 to 8 times.
std::string mutateInput(const std::vector<std::string>& seeds, MutationKind kind, std::uint64_t runSeed,
                        std::uint64_t index);

std::string mutateBytes(std::string bytes, Rng& rng, const std::vector<std::string>& seeds);
// A JSON text mutated through its tree (falls back to bytes when the text does not parse).
std::string mutateJson(const std::string& text, Rng& rng, const std::vector<std::string>& seeds);

std::string gzipBytes(const std::string& bytes);
std::string gunzipBytes(const std::string& bytes);  // empty if they are not gzip

}  // namespace cellforge::fuzz
