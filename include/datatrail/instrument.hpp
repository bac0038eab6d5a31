#pragma once
#include <string>

namespace datatrail {

// A beamline, end station or laboratory set-up. (facility, name) is unique in a catalogue.
struct Instrument {
    std::string pid;  // empty on input: the catalogue mints one
    std::string name;
    std::string facility;
    std::string type;  // e.g. "beamline", "laser", "detector test bench"

    bool operator==(const Instrument&) const = default;
};

}  // namespace datatrail
