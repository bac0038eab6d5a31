#pragma once
// SQL that both engines write alike: comparison operators, and a metadata condition over
// `dataset d` through the (key, SI value) and (key, value) indexes. Values only ever travel as
// parameters: `param(value)` records one and returns its placeholder ("?" on SQLite, "$n" on
// PostgreSQL), and is called in the order the placeholders appear in the text.
#include "store/store.hpp"

#include <fmt/format.h>

#include <string>

namespace datatrail::detail {

inline const char* sql_operator(Comparison op) noexcept {
    switch (op) {
        case Comparison::eq: return "=";
        case Comparison::ne: return "<>";
        case Comparison::lt: return "<";
        case Comparison::le: return "<=";
        case Comparison::gt: return ">";
        case Comparison::ge: return ">=";
        case Comparison::between: return "BETWEEN";
    }
    return "=";
}

template <class Param>
std::string metadata_condition_sql(const CompiledCondition& c, Param&& param) {
    std::string sql = "d.id IN (SELECT dataset_id FROM dataset_metadata WHERE key_id = (SELECT id FROM metadata_key WHERE key = ";
    sql += param(c.key);
    sql += ") AND ";
    switch (c.kind) {
        case CompiledCondition::Kind::number:
            sql += "si_unit = ";
            sql += param(c.si_unit);
            sql += " AND si IS NOT NULL AND ";
            // Equality is a range: the SI value within the tolerance compile_condition gave.
            if (c.op == Comparison::eq || c.op == Comparison::between) {
                sql += "si BETWEEN ";
                sql += param(c.low);
                sql += " AND ";
                sql += param(c.high);
            } else if (c.op == Comparison::ne) {
                sql += "(si < ";
                sql += param(c.low);
                sql += " OR si > ";
                sql += param(c.high);
                sql += ")";
            } else {
                sql += fmt::format("si {} ", sql_operator(c.op));
                sql += param(c.low);
            }
            break;
        case CompiledCondition::Kind::text:
            sql += fmt::format("type = {} AND value {} ", stored_code(ValueType::string), sql_operator(c.op));
            sql += param(c.text);
            if (c.op == Comparison::between) {
                sql += " AND ";
                sql += param(c.text_high);
            }
            break;
        case CompiledCondition::Kind::boolean:
            sql += fmt::format("type = {} AND value {} ", stored_code(ValueType::boolean), sql_operator(c.op));
            sql += param(std::int64_t{c.flag ? 1 : 0});
            break;
    }
    return sql + ")";
}

}  // namespace datatrail::detail
