#pragma once
// The SQL of a dataset query, which both engines write alike but for a few spellings their
// dialect gives. Values only ever travel as parameters: `d.param(value)` records one and returns
// its placeholder ("?" on SQLite, "$n" on PostgreSQL), and is called in the order the
// placeholders appear in the text.
//
// A Dialect has:
//   std::string param(std::int64_t | double | std::string)
//   std::string glob(std::string_view lhs, const std::string& pattern)  // lhs matches the glob
//   std::string list(DatasetList list, query::Op op, const std::string& value)  // eq, glob, exists
//   std::string text(const std::string& words)  // full-text condition on d.id; empty: no words
//   std::string nulls(bool descending)  // how NULLs sort: first going up, last going down
//   std::string limit(std::size_t limit, std::size_t offset)  // " LIMIT ..." (limit 0: none)
//
// Every condition is two-valued (true or false, never NULL), so "not" means "does not match".
#include "query/comparison.hpp"
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

inline const char* sql_operator(query::Op op) noexcept { return sql_operator(comparison_of(op)); }

inline const char* column_sql(DatasetColumn c) noexcept {
    switch (c) {
        case DatasetColumn::pid: return "d.pid";
        case DatasetColumn::name: return "d.name";
        case DatasetColumn::description: return "d.description";
        case DatasetColumn::kind: return "d.kind";
        case DatasetColumn::state: return "d.state";
        case DatasetColumn::start_time: return "d.start_time";
        case DatasetColumn::end_time: return "d.end_time";
        case DatasetColumn::created_at: return "d.created_at";
        case DatasetColumn::created_by: return "d.created_by";
        case DatasetColumn::location: return "d.location";
        case DatasetColumn::schema: return "d.schema_name";
        case DatasetColumn::valid: return "d.valid";
    }
    return "d.pid";
}

inline bool is_nullable(DatasetColumn c) noexcept {
    return c == DatasetColumn::start_time || c == DatasetColumn::end_time;
}

// Text fields a dataset may leave empty: '' is no value, which no comparison matches.
inline bool is_optional_text(DatasetColumn c) noexcept {
    return c == DatasetColumn::description || c == DatasetColumn::location || c == DatasetColumn::schema ||
           c == DatasetColumn::created_by;
}

inline const char* reference_column(Table t) noexcept {
    switch (t) {
        case Table::investigation: return "d.investigation_id";
        case Table::instrument: return "d.instrument_id";
        default: return "d.sample_id";
    }
}

// A metadata condition over `dataset d`. As `d.id IN (...)` it reads the matching rows through
// the (key, SI value) or (key, value) index and can drive the query; `correlated`, as an EXISTS
// that looks up the one row of (d.id, key) by primary key, for the conditions of a conjunction
// that another condition drives (see condition_sql).
template <class Dialect>
std::string metadata_condition_sql(const CompiledCondition& c, Dialect& d, bool correlated = false) {
    std::string sql = correlated ? "EXISTS (SELECT 1 FROM dataset_metadata m WHERE m.dataset_id = d.id AND m.key_id = "
                                   "(SELECT id FROM metadata_key WHERE key = "
                                 : "d.id IN (SELECT dataset_id FROM dataset_metadata WHERE key_id = "
                                   "(SELECT id FROM metadata_key WHERE key = ";
    sql += d.param(c.key);
    sql += ")";
    switch (c.kind) {
        case CompiledCondition::Kind::present: break;
        case CompiledCondition::Kind::number:
            sql += " AND si_unit = ";
            sql += d.param(c.si_unit);
            sql += " AND si IS NOT NULL AND ";
            // Equality is a range: the SI value within the tolerance compile_condition gave.
            if (c.op == Comparison::eq || c.op == Comparison::between) {
                sql += "si BETWEEN ";
                sql += d.param(c.low);
                sql += " AND ";
                sql += d.param(c.high);
            } else if (c.op == Comparison::ne) {
                sql += "(si < ";
                sql += d.param(c.low);
                sql += " OR si > ";
                sql += d.param(c.high);
                sql += ")";
            } else {
                sql += fmt::format("si {} ", sql_operator(c.op));
                sql += d.param(c.low);
            }
            break;
        case CompiledCondition::Kind::text:
            sql += fmt::format(" AND type = {} AND value {} ", stored_code(ValueType::string), sql_operator(c.op));
            sql += d.param(c.text);
            if (c.op == Comparison::between) {
                sql += " AND ";
                sql += d.param(c.text_high);
            }
            break;
        case CompiledCondition::Kind::pattern:
            sql += fmt::format(" AND type = {} AND ", stored_code(ValueType::string));
            sql += d.glob("value", c.text);
            break;
        case CompiledCondition::Kind::boolean:
            sql += fmt::format(" AND type = {} AND value {} ", stored_code(ValueType::boolean), sql_operator(c.op));
            sql += d.param(std::int64_t{c.flag ? 1 : 0});
            break;
    }
    return sql + ")";
}

template <class Dialect>
std::string column_condition_sql(const CompiledExpr& e, Dialect& d) {
    const std::string col = column_sql(e.column);
    // A flag compares with a constant of the library's own (0 or 1), never user text.
    if (e.column == DatasetColumn::valid)
        return fmt::format("{} {} {}", col, e.op == query::Op::ne ? "<>" : "=", e.texts.at(0) == "1" ? 1 : 0);
    std::string sql;
    switch (e.op) {
        case query::Op::exists: return is_nullable(e.column) ? col + " IS NOT NULL" : col + " <> ''";
        case query::Op::glob: sql = d.glob(col, e.texts.at(0)); break;
        case query::Op::between:
            sql = col + " BETWEEN " + d.param(e.texts.at(0));
            sql += " AND " + d.param(e.texts.at(1));
            break;
        default: sql = fmt::format("{} {} ", col, sql_operator(e.op)) + d.param(e.texts.at(0)); break;
    }
    // A NULL would make the comparison NULL, and "not" of it NULL too: spell out "set and ...".
    if (is_nullable(e.column)) return fmt::format("({} IS NOT NULL AND {})", col, sql);
    if (is_optional_text(e.column)) return fmt::format("({} <> '' AND {})", col, sql);
    return sql;
}

template <class Dialect>
std::string reference_condition_sql(const CompiledExpr& e, Dialect& d) {
    const std::string col = reference_column(e.table);
    const auto id_list = [&] {
        std::string list;
        for (const auto id : e.ids) list += (list.empty() ? "" : ", ") + d.param(id);
        return list;
    };
    switch (e.op) {
        case query::Op::exists: return col + " IS NOT NULL";
        case query::Op::glob: {
            std::string sql = fmt::format("{0} IS NOT NULL AND {0} IN (SELECT id FROM {1} WHERE ", col, table_name(e.table));
            sql += d.glob("name", e.texts.at(0));
            sql += " OR ";
            sql += d.glob("pid", e.texts.at(0));
            return "(" + sql + "))";
        }
        case query::Op::ne:
            if (e.ids.empty()) return col + " IS NOT NULL";
            return fmt::format("({0} IS NOT NULL AND {0} NOT IN ({1}))", col, id_list());
        // "IS NOT NULL" first: a NULL reference would make IN, and "not" of it, NULL.
        default: return fmt::format("({0} IS NOT NULL AND {0} IN ({1}))", col, id_list());
    }
}

// How well a metadata condition narrows a query, best first: a number's equality or range, a
// bound, a text equality or a flag, a pattern, the key alone. -1 for other conditions.
inline int driving_rank(const CompiledExpr& e) noexcept {
    if (e.kind != CompiledExpr::Kind::metadata) return -1;
    const auto& c = e.condition;
    switch (c.kind) {
        case CompiledCondition::Kind::number: return c.op == Comparison::eq || c.op == Comparison::between ? 0 : 1;
        case CompiledCondition::Kind::text:
        case CompiledCondition::Kind::boolean: return c.op == Comparison::eq ? 2 : 3;
        case CompiledCondition::Kind::pattern: return 3;
        case CompiledCondition::Kind::present: return 4;
    }
    return 4;
}

template <class Dialect>
std::string condition_sql(const CompiledExpr& e, Dialect& d);

// A conjunction. Its best metadata condition drives (read through its index); the others are
// checked per dataset by primary key. Written each as `d.id IN (...)`, SQLite would read every
// row of a common text value ("detector = eiger": 40% of a catalogue) and then intersect.
template <class Dialect>
std::string conjunction_sql(const CompiledExpr& e, Dialect& d) {
    std::size_t driver = e.children.size();
    for (std::size_t i = 0; i < e.children.size(); ++i) {
        const int rank = driving_rank(e.children[i]);
        if (rank >= 0 && (driver == e.children.size() || rank < driving_rank(e.children[driver]))) driver = i;
    }
    std::string sql = "(";
    for (std::size_t i = 0; i < e.children.size(); ++i) {
        if (i) sql += " AND ";
        const auto& c = e.children[i];
        if (c.kind == CompiledExpr::Kind::metadata && i != driver) sql += metadata_condition_sql(c.condition, d, true);
        else sql += condition_sql(c, d);
    }
    return sql + ")";
}

template <class Dialect>
std::string condition_sql(const CompiledExpr& e, Dialect& d) {
    const auto join = [&](const char* op) {
        std::string sql = "(";
        for (std::size_t i = 0; i < e.children.size(); ++i) sql += (i ? op : "") + condition_sql(e.children[i], d);
        return sql + ")";
    };
    switch (e.kind) {
        case CompiledExpr::Kind::always: return "1 = 1";
        case CompiledExpr::Kind::never: return "1 = 0";
        case CompiledExpr::Kind::all_of: return conjunction_sql(e, d);
        case CompiledExpr::Kind::any_of: return join(" OR ");
        case CompiledExpr::Kind::negation: return "NOT " + condition_sql(e.children.at(0), d);
        case CompiledExpr::Kind::column: return column_condition_sql(e, d);
        case CompiledExpr::Kind::list: return d.list(e.list, e.op, e.texts.empty() ? std::string() : e.texts.front());
        case CompiledExpr::Kind::reference: return reference_condition_sql(e, d);
        case CompiledExpr::Kind::metadata: return metadata_condition_sql(e.condition, d);
        case CompiledExpr::Kind::text: {
            auto sql = d.text(e.words);
            return sql.empty() ? "1 = 1" : sql;
        }
    }
    return "1 = 0";
}

inline std::string where_sql(std::string condition) {
    return condition == "1 = 1" ? std::string() : " WHERE " + condition;
}

// SELECT d.id ... for find_datasets: filtered, sorted and paged.
template <class Dialect>
std::string select_sql(const CompiledQuery& q, Dialect& d) {
    const auto& o = q.order;
    const char* dir = o.descending ? "DESC" : "ASC";
    std::string sql = "SELECT d.id FROM dataset d";
    std::string sort;
    switch (o.kind) {
        case CompiledOrder::Kind::id: break;
        case CompiledOrder::Kind::column: sort = fmt::format("{} {}{}, ", column_sql(o.column), dir, d.nulls(o.descending)); break;
        case CompiledOrder::Kind::reference:
            sort = fmt::format("(SELECT name FROM {} WHERE id = {}) {}{}, ", table_name(o.table), reference_column(o.table),
                               dir, d.nulls(o.descending));
            break;
        case CompiledOrder::Kind::metadata:
            // The join's parameter comes first in the text, so it is recorded first.
            sql += " LEFT JOIN dataset_metadata o ON o.dataset_id = d.id AND o.key_id = (SELECT id FROM metadata_key WHERE key = ";
            sql += d.param(o.key);
            sql += ")";
            sort = fmt::format("o.{} {}{}, ", o.by_si ? "si" : "value", dir, d.nulls(o.descending));
            break;
    }
    sql += where_sql(condition_sql(q.where, d));
    sql += fmt::format(" ORDER BY {}d.id {}", sort, dir);
    return sql + d.limit(q.limit, q.offset);
}

template <class Dialect>
std::string count_sql(const CompiledQuery& q, Dialect& d) {
    return "SELECT count(*) FROM dataset d" + where_sql(condition_sql(q.where, d));
}

}  // namespace datatrail::detail
