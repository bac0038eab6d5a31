#pragma once
// Private: a query condition's operator as the older MetadataCondition's comparison (for the
// operators both have: == != < <= > >= between).
#include <datatrail/query.hpp>

namespace datatrail::detail {

inline Comparison comparison_of(query::Op op) noexcept {
    switch (op) {
        case query::Op::eq: return Comparison::eq;
        case query::Op::ne: return Comparison::ne;
        case query::Op::lt: return Comparison::lt;
        case query::Op::le: return Comparison::le;
        case query::Op::gt: return Comparison::gt;
        case query::Op::ge: return Comparison::ge;
        default: return Comparison::between;
    }
}

}  // namespace datatrail::detail
