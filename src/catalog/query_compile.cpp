#include "catalog/query_compile.hpp"

#include "catalog/metadata_keys.hpp"
#include "catalog/references.hpp"
#include "catalog/validate.hpp"
#include "query/comparison.hpp"

#include <datatrail/units.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace datatrail::detail {
namespace {

using query::Expr;
using query::Op;
using query::Operand;

// What a name in a query refers to: a dataset field of some type, or a metadata key.
struct Field {
    enum class Type { text, kind, state, time, list, reference, flag, metadata } type = Type::metadata;
    DatasetColumn column = DatasetColumn::pid;
    DatasetList list = DatasetList::techniques;
    Table table = Table::dataset;
    std::string key;  // metadata: the key
};

Field field_named(const std::string& name) {
    using T = Field::Type;
    struct Entry {
        std::string_view name;
        Field field;
    };
    static const Entry entries[] = {
        {"pid", {T::text, DatasetColumn::pid, {}, {}, {}}},
        {"name", {T::text, DatasetColumn::name, {}, {}, {}}},
        {"description", {T::text, DatasetColumn::description, {}, {}, {}}},
        {"created_by", {T::text, DatasetColumn::created_by, {}, {}, {}}},
        {"location", {T::text, DatasetColumn::location, {}, {}, {}}},
        {"schema", {T::text, DatasetColumn::schema, {}, {}, {}}},
        {"kind", {T::kind, DatasetColumn::kind, {}, {}, {}}},
        {"state", {T::state, DatasetColumn::state, {}, {}, {}}},
        {"valid", {T::flag, DatasetColumn::valid, {}, {}, {}}},
        {"start", {T::time, DatasetColumn::start_time, {}, {}, {}}},
        {"start_time", {T::time, DatasetColumn::start_time, {}, {}, {}}},
        {"end", {T::time, DatasetColumn::end_time, {}, {}, {}}},
        {"end_time", {T::time, DatasetColumn::end_time, {}, {}, {}}},
        {"created", {T::time, DatasetColumn::created_at, {}, {}, {}}},
        {"created_at", {T::time, DatasetColumn::created_at, {}, {}, {}}},
        {"technique", {T::list, {}, DatasetList::techniques, {}, {}}},
        {"techniques", {T::list, {}, DatasetList::techniques, {}, {}}},
        {"keyword", {T::list, {}, DatasetList::keywords, {}, {}}},
        {"keywords", {T::list, {}, DatasetList::keywords, {}, {}}},
        {"investigation", {T::reference, {}, {}, Table::investigation, {}}},
        {"instrument", {T::reference, {}, {}, Table::instrument, {}}},
        {"sample", {T::reference, {}, {}, Table::sample, {}}},
    };
    for (const auto& e : entries)
        if (e.name == name) return e.field;
    Field f;
    constexpr std::string_view prefix = "metadata.";
    f.key = name.starts_with(prefix) ? name.substr(prefix.size()) : name;
    return f;
}

CompiledExpr constant(bool value) {
    CompiledExpr e;
    e.kind = value ? CompiledExpr::Kind::always : CompiledExpr::Kind::never;
    return e;
}

CompiledExpr group(CompiledExpr::Kind kind, std::vector<CompiledExpr> children) {
    // Constants fold away: a never in an and, an always in an or, decide the whole.
    const auto absorbing = kind == CompiledExpr::Kind::all_of ? CompiledExpr::Kind::never : CompiledExpr::Kind::always;
    const auto neutral = kind == CompiledExpr::Kind::all_of ? CompiledExpr::Kind::always : CompiledExpr::Kind::never;
    std::vector<CompiledExpr> kept;
    for (auto& c : children) {
        if (c.kind == absorbing) return c;
        if (c.kind != neutral) kept.push_back(std::move(c));
    }
    if (kept.empty()) return constant(kind == CompiledExpr::Kind::all_of);
    if (kept.size() == 1) return std::move(kept.front());
    CompiledExpr e;
    e.kind = kind;
    e.children = std::move(kept);
    return e;
}

CompiledExpr negate(CompiledExpr child) {
    if (child.kind == CompiledExpr::Kind::always) return constant(false);
    if (child.kind == CompiledExpr::Kind::never) return constant(true);
    CompiledExpr e;
    e.kind = CompiledExpr::Kind::negation;
    e.children.push_back(std::move(child));
    return e;
}


std::string shown(const Operand& x) { return x.value.to_string() + (x.unit.empty() ? "" : " " + x.unit); }

class Compiler {
public:
    explicit Compiler(StoreReader& store) : store_(store) {}

    CompiledExpr expr(const Expr& e) {
        switch (e.kind()) {
            case Expr::Kind::all: return constant(true);
            case Expr::Kind::text: return text(e.text());
            case Expr::Kind::negation: return negate(expr(e.children().at(0)));
            case Expr::Kind::all_of:
            case Expr::Kind::any_of: {
                std::vector<CompiledExpr> children;
                for (const auto& c : e.children()) children.push_back(expr(c));
                return group(e.kind() == Expr::Kind::all_of ? CompiledExpr::Kind::all_of : CompiledExpr::Kind::any_of,
                             std::move(children));
            }
            case Expr::Kind::condition: return condition(e);
        }
        return constant(false);
    }

    static CompiledExpr text(const std::string& given) {
        // Full-text search takes any text: control characters (NUL included, which neither
        // engine's text search can take) separate words, like spaces. A word without a letter
        // or digit ("-", "*", "&&") has nothing to find: dropped here, so that both engines see
        // the same words. Text of such words alone finds nothing; blank text asks for nothing.
        std::string words;
        bool blank = true;
        std::size_t i = 0;
        while (i < given.size()) {
            const auto separator = [&](std::size_t k) {
                const auto c = static_cast<unsigned char>(given[k]);
                return c <= 0x20 || c == 0x7f;
            };
            while (i < given.size() && separator(i)) ++i;
            std::size_t j = i;
            bool has_token = false;
            while (j < given.size() && !separator(j)) {
                const auto c = static_cast<unsigned char>(given[j]);
                has_token = has_token || std::isalnum(c) || c >= 0x80;
                ++j;
            }
            if (j > i) blank = false;
            if (has_token) words += (words.empty() ? "" : " ") + given.substr(i, j - i);
            i = j;
        }
        if (words.empty()) return constant(blank);
        CompiledExpr e;
        e.kind = CompiledExpr::Kind::text;
        e.words = std::move(words);
        return e;
    }

    // A metadata condition of the older filter language (DatasetQuery::metadata), named "where.<key>".
    CompiledExpr metadata(const MetadataCondition& c) {
        CompiledExpr e;
        e.kind = CompiledExpr::Kind::metadata;
        e.condition = compile_condition(c, "where");
        if (!check_condition(store_, e.condition, fmt::format("where.{}", c.key))) return constant(false);
        return e;
    }

private:
    [[noreturn]] static void refuse(const Expr& e, std::string value, std::string rule) {
        throw ValidationError({{"query." + e.key(), std::move(value), std::move(rule)}});
    }

    // Checks the number of operands the builder gave (the parser always gives the right one).
    static void check_arity(const Expr& e) {
        const auto n = e.operands().size();
        const bool ok = e.op() == Op::exists ? n == 0 : e.op() == Op::between ? n == 2 : e.op() == Op::in ? n >= 1 : n == 1;
        if (!ok)
            refuse(e, std::to_string(n),
                   fmt::format("'{}' takes {}", query::to_string(e.op()),
                               e.op() == Op::exists    ? "no operand"
                               : e.op() == Op::between ? "two operands (low and high)"
                               : e.op() == Op::in      ? "one operand or more"
                                                       : "one operand"));
        for (const auto& x : e.operands()) {
            if (x.value.is<double>() && !std::isfinite(x.value.as<double>()))
                refuse(e, shown(x), "must be a finite number");
            if (x.value.is<std::string>()) {
                Violations out;
                check_text(x.value.as<std::string>(), "query." + e.key(), out);
                out.throw_if_any();
            }
        }
    }

    CompiledExpr condition(const Expr& e) {
        if (!is_valid_metadata_key(e.key()))
            throw ValidationError({{"query", e.key(), "a key must be dotted identifiers, e.g. detector.distance"}});
        check_arity(e);
        if (e.op() == Op::in) {
            std::vector<CompiledExpr> any;
            for (const auto& x : e.operands()) any.push_back(condition(Expr::condition(e.key(), Op::eq, {x})));
            return group(CompiledExpr::Kind::any_of, std::move(any));
        }
        const Field f = field_named(e.key());
        switch (f.type) {
            case Field::Type::text: return column(e, f, text_operands(e));
            case Field::Type::kind:
            case Field::Type::state: return enumeration(e, f);
            case Field::Type::time: return column(e, f, time_operands(e));
            case Field::Type::flag: return flag(e, f);
            case Field::Type::list: return list(e, f);
            case Field::Type::reference: return reference(e, f);
            case Field::Type::metadata: return metadata(e, f.key);
        }
        return constant(false);
    }

    std::vector<std::string> text_operands(const Expr& e) {
        std::vector<std::string> out;
        for (const auto& x : e.operands()) {
            if (!x.value.is<std::string>() || !x.unit.empty())
                refuse(e, shown(x), fmt::format("'{}' is text: compare it with a string", e.key()));
            out.push_back(x.value.as<std::string>());
        }
        return out;
    }

    std::vector<std::string> time_operands(const Expr& e) {
        if (e.op() == Op::glob) refuse(e, shown(e.operands().front()), fmt::format("'{}' is a time: '~' needs text", e.key()));
        std::vector<std::string> out;
        for (const auto& x : e.operands()) {
            if (x.value.is<Timestamp>()) {
                out.push_back(format_time(x.value.as<Timestamp>()));
            } else if (x.value.is<std::string>()) {
                out.push_back(format_time(parse_time(x.value.as<std::string>(), "query." + e.key())));
            } else {
                refuse(e, shown(x), fmt::format("'{}' is a time: compare it with an ISO 8601 time such as 2026-03-01", e.key()));
            }
        }
        return out;
    }

    static CompiledExpr column(const Expr& e, const Field& f, std::vector<std::string> texts) {
        CompiledExpr c;
        c.kind = CompiledExpr::Kind::column;
        c.op = e.op();
        c.column = f.column;
        c.texts = std::move(texts);
        return c;
    }

    CompiledExpr enumeration(const Expr& e, const Field& f) {
        if (e.op() == Op::exists) return constant(true);
        if (e.op() != Op::eq && e.op() != Op::ne)
            refuse(e, std::string(query::to_string(e.op())), fmt::format("'{}' compares only with ==, != or in", e.key()));
        auto texts = text_operands(e);
        const std::string field = "query." + e.key();
        if (f.type == Field::Type::kind) parse_dataset_kind(texts.front(), field);
        else parse_dataset_state(texts.front(), field);
        return column(e, f, std::move(texts));
    }

    // valid == true / false.
    CompiledExpr flag(const Expr& e, const Field& f) {
        if (e.op() == Op::exists) return constant(true);
        const auto& x = e.operands().front();
        if ((e.op() != Op::eq && e.op() != Op::ne) || !x.value.is<bool>())
            refuse(e, shown(x), fmt::format("'{}' is true or false: compare it with == or != true/false", e.key()));
        return column(e, f, {x.value.as<bool>() ? "1" : "0"});
    }

    CompiledExpr list(const Expr& e, const Field& f) {
        CompiledExpr c;
        c.kind = CompiledExpr::Kind::list;
        c.list = f.list;
        c.op = e.op() == Op::ne ? Op::eq : e.op();
        if (e.op() != Op::exists) {
            if (e.op() != Op::eq && e.op() != Op::ne && e.op() != Op::glob)
                refuse(e, std::string(query::to_string(e.op())),
                       fmt::format("'{}' is a list: use ==, != (has, has not), ~ or in", e.key()));
            c.texts = text_operands(e);
        }
        // "technique != MX": the dataset has no technique MX.
        return e.op() == Op::ne ? negate(std::move(c)) : c;
    }

    CompiledExpr reference(const Expr& e, const Field& f) {
        CompiledExpr c;
        c.kind = CompiledExpr::Kind::reference;
        c.table = f.table;
        c.op = e.op();
        if (e.op() == Op::exists) return c;
        if (e.op() != Op::eq && e.op() != Op::ne && e.op() != Op::glob)
            refuse(e, std::string(query::to_string(e.op())),
                   fmt::format("'{}' names a record: use ==, != or in with its PID or name, or ~ with a pattern", e.key()));
        c.texts = text_operands(e);
        if (e.op() == Op::glob) return c;
        // By PID or by name; a name several records share matches all of them.
        const auto& ref = c.texts.front();
        if (auto found = store_.find_by_pid(f.table, ref)) c.ids.push_back(found->id);
        for (const auto& r : store_.find_by_name(f.table, ref, 100000)) c.ids.push_back(r.id);
        std::sort(c.ids.begin(), c.ids.end());
        c.ids.erase(std::unique(c.ids.begin(), c.ids.end()), c.ids.end());
        if (c.ids.empty() && e.op() == Op::eq) return constant(false);
        return c;
    }

    CompiledExpr metadata(const Expr& e, const std::string& key) {
        const std::string field = "query." + e.key();
        CompiledExpr c;
        c.kind = CompiledExpr::Kind::metadata;
        c.condition.key = key;
        if (e.op() == Op::exists) {
            c.condition.kind = CompiledCondition::Kind::present;
        } else if (e.op() == Op::glob) {
            const auto& x = e.operands().front();
            if (!x.value.is<std::string>() || !x.unit.empty()) refuse(e, shown(x), "'~' matches text: give a pattern string");
            c.condition.kind = CompiledCondition::Kind::pattern;
            c.condition.text = x.value.as<std::string>();
        } else {
            MetadataCondition m;
            m.key = key;
            m.op = comparison_of(e.op());
            auto xs = e.operands();
            // A quoted time compares with a key that holds times as the time it spells.
            if (const auto known = store_.metadata_key(key); known && known->value_class == "datetime")
                for (auto& x : xs)
                    if (x.value.is<std::string>()) x.value = parse_time(x.value.as<std::string>(), field);
            if (e.op() == Op::between) {
                // One unit for both bounds: a bound without one takes the other's; another is converted.
                auto& low = xs.front();
                auto& high = xs.back();
                if (low.unit.empty() && low.value.is_number()) low.unit = high.unit;
                if (high.unit.empty() && high.value.is_number()) high.unit = low.unit;
                if (high.unit != low.unit && high.value.is_number()) {
                    try {
                        high.value = units::convert(high.value.as_double(), high.unit, low.unit);
                        high.unit = low.unit;
                    } catch (const UnitError&) {
                        refuse(e, shown(high), fmt::format("the bounds of 'between' must have one dimension (got '{}' and '{}')",
                                                           low.unit, high.unit));
                    }
                }
                m.upper = high.value;
            }
            m.value = xs.front().value;
            m.unit = xs.front().unit;
            c.condition = compile_condition(m, "query");
        }
        if (!check_condition(store_, c.condition, field)) return constant(false);
        return c;
    }

    StoreReader& store_;
};

CompiledExpr field_condition(DatasetColumn column, Op op, std::string value) {
    CompiledExpr c;
    c.kind = CompiledExpr::Kind::column;
    c.column = column;
    c.op = op;
    c.texts.push_back(std::move(value));
    return c;
}

CompiledOrder compile_order(StoreReader& store, const DatasetQuery& q) {
    CompiledOrder o;
    o.descending = q.descending;
    if (q.order_by.empty()) {
        switch (q.order) {
            case DatasetOrder::created: break;
            case DatasetOrder::start_time: o.kind = CompiledOrder::Kind::column, o.column = DatasetColumn::start_time; break;
            case DatasetOrder::name: o.kind = CompiledOrder::Kind::column, o.column = DatasetColumn::name; break;
        }
        return o;
    }
    if (!is_valid_metadata_key(q.order_by))
        throw ValidationError({{"order", q.order_by, "must be a dataset field or a metadata key (dotted identifiers)"}});
    const Field f = field_named(q.order_by);
    switch (f.type) {
        case Field::Type::list:
            throw ValidationError({{"order", q.order_by, "cannot sort by a list field; sort by a field or a metadata key"}});
        case Field::Type::reference:
            o.kind = CompiledOrder::Kind::reference;
            o.table = f.table;
            return o;
        case Field::Type::metadata: {
            const auto known = store.metadata_key(f.key);
            if (!known) return o;  // nobody has it: registration order
            if (known->value_class == "json" || known->value_class == "array")
                throw ValidationError({{"order", q.order_by,
                                        fmt::format("cannot sort by '{}': it holds {} values", f.key, known->value_class)}});
            o.kind = CompiledOrder::Kind::metadata;
            o.key = f.key;
            o.by_si = known->value_class == "number" || known->value_class == "datetime";
            return o;
        }
        default:
            o.kind = CompiledOrder::Kind::column;
            o.column = f.column;
            return o;
    }
}

}  // namespace

CompiledQuery compile_query(StoreReader& r, const DatasetQuery& q) {
    Violations texts;
    check_text(q.name, "name", texts);
    check_text(q.keyword, "keyword", texts);
    check_text(q.technique, "technique", texts);
    texts.throw_if_any();

    Compiler compiler(r);
    std::vector<CompiledExpr> all;
    if (q.kind) all.push_back(field_condition(DatasetColumn::kind, Op::eq, std::string(to_string(*q.kind))));
    if (q.state) all.push_back(field_condition(DatasetColumn::state, Op::eq, std::string(to_string(*q.state))));
    if (q.valid) all.push_back(field_condition(DatasetColumn::valid, Op::eq, *q.valid ? "1" : "0"));
    const auto reference = [&](Table table, const std::string& ref) {
        if (const auto id = filter_reference(r, table, ref)) {
            CompiledExpr c;
            c.kind = CompiledExpr::Kind::reference;
            c.table = table;
            c.ids.push_back(*id);
            all.push_back(std::move(c));
        }
    };
    reference(Table::investigation, q.investigation);
    reference(Table::instrument, q.instrument);
    reference(Table::sample, q.sample);
    if (q.started_after) all.push_back(field_condition(DatasetColumn::start_time, Op::ge, format_time(*q.started_after)));
    if (q.started_before) all.push_back(field_condition(DatasetColumn::start_time, Op::lt, format_time(*q.started_before)));
    if (!q.name.empty()) all.push_back(field_condition(DatasetColumn::name, Op::glob, q.name));
    const auto member = [&](DatasetList list, const std::string& value) {
        if (value.empty()) return;
        CompiledExpr c;
        c.kind = CompiledExpr::Kind::list;
        c.list = list;
        c.texts.push_back(value);
        all.push_back(std::move(c));
    };
    member(DatasetList::keywords, q.keyword);
    member(DatasetList::techniques, q.technique);
    if (!q.text.empty()) all.push_back(Compiler::text(q.text));
    for (const auto& c : q.metadata) all.push_back(compiler.metadata(c));
    all.push_back(compiler.expr(q.filter));

    CompiledQuery cq;
    cq.where = group(CompiledExpr::Kind::all_of, std::move(all));
    cq.order = compile_order(r, q);
    cq.limit = q.limit;
    cq.offset = q.offset;
    return cq;
}

}  // namespace datatrail::detail
