#pragma once
#include <datatrail/metadata.hpp>

#include <string>

namespace datatrail {

struct Sample {
    std::string pid;  // empty on input: the catalogue mints one
    std::string name;
    std::string description;
    std::string formula;        // chemical formula or sample type
    std::string investigation;  // PID or name; optional
    std::string parent;         // PID or name of the sample this one was cut from; optional
    Metadata metadata;

    bool operator==(const Sample&) const = default;
};

}  // namespace datatrail
