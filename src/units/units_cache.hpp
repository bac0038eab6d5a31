#pragma once
// Private: cached unit conversions, for the catalogue's hot path.
#include <string>
#include <string_view>

namespace datatrail::units {

struct SiConversion {
    std::string si_unit;  // e.g. "m2.kg.s-2"
    double scale = 1.0;   // si = value * scale + offset
    double offset = 0.0;

    double to_si(double v) const noexcept { return v * scale + offset; }
    double from_si(double si) const noexcept { return (si - offset) / scale; }
};

// nullptr when UDUNITS-2 cannot parse `unit`; the result lives as long as the process.
const SiConversion* find_unit(std::string_view unit);
// Throws UnitError naming `field` when the unit is unknown.
const SiConversion& require_unit(std::string_view unit, std::string_view field);

}  // namespace datatrail::units
