#pragma once
// What full-text search sees of a dataset, beside its name and description: one rule for every
// engine, so a text query finds the same datasets on each.
#include "store/store.hpp"

namespace datatrail::detail {

inline SearchText search_text(const Dataset& d) {
    SearchText t;
    for (const auto& k : d.keywords) t.keywords += k + ' ';
    for (const auto& k : d.techniques) t.keywords += k + ' ';
    for (const auto& [key, mv] : d.metadata)
        if (mv.value.is<std::string>()) t.metadata += mv.value.as<std::string>() + ' ';
    return t;
}

}  // namespace datatrail::detail
