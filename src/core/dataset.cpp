#include <datatrail/dataset.hpp>
#include <datatrail/error.hpp>

namespace datatrail {

std::string_view to_string(DatasetKind k) noexcept { return k == DatasetKind::raw ? "raw" : "processed"; }

std::string_view to_string(DatasetState s) noexcept {
    switch (s) {
        case DatasetState::acquiring: return "acquiring";
        case DatasetState::complete: return "complete";
        case DatasetState::failed: return "failed";
    }
    return "unknown";
}

DatasetKind parse_dataset_kind(std::string_view text, std::string_view field) {
    if (text == "raw") return DatasetKind::raw;
    if (text == "processed") return DatasetKind::processed;
    throw ValidationError({{std::string(field), std::string(text), "must be one of: raw, processed"}});
}

DatasetState parse_dataset_state(std::string_view text, std::string_view field) {
    if (text == "acquiring") return DatasetState::acquiring;
    if (text == "complete") return DatasetState::complete;
    if (text == "failed") return DatasetState::failed;
    throw ValidationError({{std::string(field), std::string(text), "must be one of: acquiring, complete, failed"}});
}

}  // namespace datatrail
