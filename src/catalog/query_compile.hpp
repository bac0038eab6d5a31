#pragma once
// From a DatasetQuery (its filters and its query::Expr tree) to the CompiledQuery an engine runs:
// every literal checked against the field or key it is compared with, units converted to SI,
// references resolved, in one read snapshot. Engine-neutral: the rules of the query language
// live here, its SQL spellings in store/sql_query.hpp.
#include "store/store.hpp"

namespace datatrail::detail {

// ValidationError (UnitError for units) naming "query.<key>" or the filter; NotFound for a
// filter reference (investigation=, instrument=, sample=) that names nothing.
CompiledQuery compile_query(StoreReader& store, const DatasetQuery& query);

}  // namespace datatrail::detail
