// Seeded random streams for the simulator: xoshiro256** with our own uniform and normal
// draws, so results do not depend on the standard library's distribution
// implementations, and SplitMix64 to derive independent stream seeds.
#pragma once

#include <cmath>
#include <cstdint>

namespace cellforge::simulation {

// Mixes a base seed with an index into an independent stream seed (SplitMix64).
std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t index);

class Rng {
public:
    explicit Rng(std::uint64_t seed) {
        for (int i = 0; i < 4; ++i) state_[i] = mixSeed(seed, std::uint64_t(i));
    }
    std::uint64_t next() {
        const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
        const std::uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotl(state_[3], 45);
        return result;
    }
    double uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    double logUniform(double lo, double hi) { return std::exp(uniform(std::log(lo), std::log(hi))); }
    int integer(int lo, int hi) { return lo + int(uniform() * double(hi - lo + 1)); }  // inclusive
    bool chance(double p) { return uniform() < p; }
    double normal() {
        if (hasSpare_) {
            hasSpare_ = false;
            return spare_;
        }
        double u1 = uniform();
        while (u1 <= 1e-300) u1 = uniform();
        const double u2 = uniform();
        const double r = std::sqrt(-2.0 * std::log(u1));
        spare_ = r * std::sin(2.0 * M_PI * u2);
        hasSpare_ = true;
        return r * std::cos(2.0 * M_PI * u2);
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t state_[4];
    bool hasSpare_ = false;
    double spare_ = 0;
};

}  // namespace cellforge::simulation
