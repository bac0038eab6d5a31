#pragma once
#include <datatrail/time.hpp>

#include <optional>
#include <string>
#include <vector>

namespace datatrail {

// A person taking part in an investigation.
struct Participant {
    std::string name;
    std::string role;   // free text; "PI", "co-investigator", "local contact" are usual
    std::string orcid;  // optional; "0000-0002-1825-0097", checksum verified
    std::string email;  // optional

    bool operator==(const Participant&) const = default;
};

// A proposal, beamtime or experiment session. The name (e.g. the proposal number) is unique.
struct Investigation {
    std::string pid;  // empty on input: the catalogue mints one
    std::string name;
    std::string title;
    std::string summary;
    std::optional<Timestamp> start_time;
    std::optional<Timestamp> end_time;
    std::string instrument;  // PID or name of an instrument in the catalogue; optional
    std::vector<Participant> participants;
    std::optional<Timestamp> release_date;  // end of embargo
    std::string doi;                        // optional, "10.<registrant>/<suffix>"

    bool operator==(const Investigation&) const = default;
};

}  // namespace datatrail
