#pragma once
// A PROV agent: who or what bears responsibility for an activity.
#include <datatrail/export.hpp>

#include <string>
#include <string_view>

namespace datatrail {

enum class AgentType { person, software, organisation };

DATATRAIL_API std::string_view to_string(AgentType t) noexcept;
// ValidationError naming `field` for anything but person, software, organisation.
DATATRAIL_API AgentType parse_agent_type(std::string_view text, std::string_view field = "type");

// (type, name) is unique in a catalogue.
struct Agent {
    std::string pid;  // empty on input: the catalogue mints one
    AgentType type = AgentType::person;
    std::string name;
    std::string orcid;    // persons; optional, checksum verified
    std::string email;    // optional
    std::string version;  // software; optional
    std::string url;      // optional: a home page, a repository, a ROR id

    bool operator==(const Agent&) const = default;
};

}  // namespace datatrail
