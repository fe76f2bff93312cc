#include "app/render/ColorMaps.h"

#include <algorithm>
#include <cmath>

namespace cellforge {

namespace {
struct Stop {
    double t;
    double r, g, b;
};

ColorTable fromStops(const std::vector<Stop>& stops) {
    ColorTable table{};
    for (int i = 0; i < 256; ++i) {
        const double t = i / 255.0;
        auto hi = std::find_if(stops.begin(), stops.end(), [&](const Stop& s) { return s.t >= t; });
        if (hi == stops.begin()) hi = stops.begin() + 1;
        if (hi == stops.end()) hi = stops.end() - 1;
        const Stop& a = *(hi - 1);
        const Stop& b = *hi;
        const double f = b.t > a.t ? std::clamp((t - a.t) / (b.t - a.t), 0.0, 1.0) : 0.0;
        auto mix = [&](double x, double y) { return std::uint8_t(std::lround(255.0 * (x + (y - x) * f))); };
        table[std::size_t(i)] = {mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b)};
    }
    return table;
}
}  // namespace

const std::vector<std::string>& colorMapNames() {
    static const std::vector<std::string> names{"gray",  "inverted gray", "hot",   "viridis",
                                                "magma", "cool-warm",     "green", "magenta"};
    return names;
}

ColorTable makeColorTable(const std::string& name) {
    if (name == "inverted gray") return fromStops({{0, 1, 1, 1}, {1, 0, 0, 0}});
    if (name == "hot") return fromStops({{0, 0, 0, 0}, {0.375, 1, 0, 0}, {0.75, 1, 1, 0}, {1, 1, 1, 1}});
    if (name == "viridis")
        return fromStops({{0, 0.267, 0.005, 0.329},
                          {0.25, 0.229, 0.322, 0.546},
                          {0.5, 0.128, 0.567, 0.551},
                          {0.75, 0.369, 0.789, 0.383},
                          {1, 0.993, 0.906, 0.144}});
    if (name == "magma")
        return fromStops({{0, 0.001, 0.000, 0.014},
                          {0.25, 0.317, 0.071, 0.485},
                          {0.5, 0.716, 0.215, 0.475},
                          {0.75, 0.986, 0.535, 0.382},
                          {1, 0.987, 0.991, 0.750}});
    if (name == "cool-warm")
        return fromStops({{0, 0.230, 0.299, 0.754}, {0.5, 0.865, 0.865, 0.865}, {1, 0.706, 0.016, 0.150}});
    if (name == "green") return fromStops({{0, 0, 0, 0}, {1, 0, 1, 0}});
    if (name == "magenta") return fromStops({{0, 0, 0, 0}, {1, 1, 0, 1}});
    return fromStops({{0, 0, 0, 0}, {1, 1, 1, 1}});
}

}  // namespace cellforge
