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

// `value` converted from `from` to `to` (same dimension), rounded to 15 significant digits: the
// scale factors' binary rounding would otherwise show (0.8 um -> 799.9999999999999 nm), and no
// measurement has 15 significant digits to lose.
double convert_between(double value, const SiConversion& from, const SiConversion& to) noexcept;

// nullptr when UDUNITS-2 cannot parse `unit`; the result lives as long as the process.
const SiConversion* find_unit(std::string_view unit);
// Throws UnitError naming `field` when the unit is unknown.
const SiConversion& require_unit(std::string_view unit, std::string_view field);

}  // namespace datatrail::units
