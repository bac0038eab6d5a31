#pragma once
// Units through UDUNITS-2, the unit system NeXus names, plus the aliases facility data
// uses that UDUNITS-2 lacks: deg (arc degree), pixel/pixels/px (a dimension of its own),
// counts, photon/photons (dimensionless).
#include <datatrail/export.hpp>

#include <string>
#include <string_view>

namespace datatrail {

struct Quantity {
    double value = 0.0;
    std::string unit;  // UDUNITS-2 form, e.g. "keV", "mm", "degC"; empty means dimensionless

    bool operator==(const Quantity&) const = default;
};

namespace units {

// True when `unit` parses (empty counts as dimensionless "1").
DATATRAIL_API bool is_known(std::string_view unit);

// True when values in `a` can be converted to `b` (same dimension).
DATATRAIL_API bool are_compatible(std::string_view a, std::string_view b);

// Converts `value` from unit `from` to unit `to`; throws UnitError naming both units
// when either is unknown or they differ in dimension.
DATATRAIL_API double convert(double value, std::string_view from, std::string_view to);

// The coherent SI unit of `unit`'s dimension, as UDUNITS-2 writes it:
// "keV" -> "m2.kg.s-2", "degC" -> "K", "mm" -> "m", "deg" -> "rad", "" -> "1".
DATATRAIL_API std::string si_unit(std::string_view unit);

// `q` expressed in the SI unit of its dimension.
DATATRAIL_API Quantity to_si(const Quantity& q);

}  // namespace units
}  // namespace datatrail
