// Conditions on metadata, parse_conditions(), and the filters of find_datasets()/count_datasets().
#include "convert.hpp"

#include <datatrail/query.hpp>

namespace py = pybind11;
using namespace datatrail;
using namespace datatrail::python;

namespace {

std::string_view op_symbol(Comparison op) {
    switch (op) {
        case Comparison::eq: return "=";
        case Comparison::ne: return "!=";
        case Comparison::lt: return "<";
        case Comparison::le: return "<=";
        case Comparison::gt: return ">";
        case Comparison::ge: return ">=";
        case Comparison::between: return "between";
    }
    return "?";
}

Comparison to_op(py::handle obj, std::string_view field, Violations& v) {
    static constexpr const char* rule = "must be one of: =, ==, !=, <, <=, >, >=, between (or eq, ne, lt, le, gt, ge)";
    if (!PyUnicode_Check(obj.ptr())) {
        v.add(std::string(field), repr_of(obj), rule);
        return Comparison::eq;
    }
    const std::string s = obj.cast<std::string>();
    if (s == "=" || s == "==" || s == "eq") return Comparison::eq;
    if (s == "!=" || s == "ne") return Comparison::ne;
    if (s == "<" || s == "lt") return Comparison::lt;
    if (s == "<=" || s == "le") return Comparison::le;
    if (s == ">" || s == "gt") return Comparison::gt;
    if (s == ">=" || s == "ge") return Comparison::ge;
    if (s == "between") return Comparison::between;
    v.add(std::string(field), s, rule);
    return Comparison::eq;
}

// A value as the query language writes it.
std::string value_text(const Value& value) {
    if (value.is<std::string>()) {
        const auto& s = value.as<std::string>();
        const char q = s.find('"') == std::string::npos ? '"' : '\'';
        return q + s + q;
    }
    return value.to_string();
}

std::string condition_text(const MetadataCondition& c) {
    std::string out = c.key + " " + std::string(op_symbol(c.op)) + " " + value_text(c.value);
    if (c.op == Comparison::between && c.upper) out += " and " + value_text(*c.upper);
    if (!c.unit.empty()) out += " " + c.unit;
    return out;
}

std::string value_repr(const Value& value) { return py::repr(from_value(value)).cast<std::string>(); }

void set_value(MetadataCondition& c, py::handle value, const char* field) {
    Violations v;
    auto x = to_scalar_value(value, field, v);
    v.throw_if_any();
    c.value = std::move(*x);
}

void set_upper(MetadataCondition& c, py::handle value, const char* field) {
    if (value.is_none()) {
        c.upper.reset();
        return;
    }
    Violations v;
    auto x = to_scalar_value(value, field, v);
    v.throw_if_any();
    c.upper = std::move(*x);
}

// ---- the query language's tree

query::Operand to_operand(py::handle obj, const std::string& field, Violations& v) {
    auto mv = to_metadata_value(obj, field, v);
    if (!mv) return {};
    if (mv->uncertainty) v.add(field, repr_of(obj), "a query value takes no uncertainty");
    return query::Operand(std::move(mv->value), std::move(mv->unit));
}

query::Operand operand_of(py::handle obj, const char* field) {
    Violations v;
    auto x = to_operand(obj, field, v);
    v.throw_if_any();
    return x;
}

query::Expr parse_text(const StrArg& text) {
    Violations v;
    const auto t = to_str(text, "text", v);
    v.throw_if_any();
    return query::parse(t);
}

std::string_view kind_name(query::Expr::Kind k) {
    switch (k) {
        case query::Expr::Kind::all: return "all";
        case query::Expr::Kind::condition: return "condition";
        case query::Expr::Kind::text: return "text";
        case query::Expr::Kind::all_of: return "and";
        case query::Expr::Kind::any_of: return "or";
        case query::Expr::Kind::negation: return "not";
    }
    return "?";
}

py::object operand_out(const query::Operand& x) { return from_metadata_value(MetadataValue(x.value, x.unit)); }

}  // namespace

namespace datatrail::python {

query::Expr to_filter(py::handle obj, Violations& v) {
    if (obj.is_none()) return {};
    if (py::isinstance<query::Expr>(obj)) return obj.cast<query::Expr>();
    if (PyUnicode_Check(obj.ptr())) return query::parse(obj.cast<std::string>());
    v.add("query", repr_of(obj), "must be a Query or a query string");
    return {};
}

DatasetQuery to_query(const QueryFilters& f, Violations& v) {
    DatasetQuery q;
    q.filter = to_filter(f.query, v);
    auto text = [&](py::handle obj, const char* field, std::string& target) {
        if (!obj.is_none()) target = to_str(obj, field, v);
    };
    if (!f.kind.is_none()) q.kind = to_kind(f.kind, "kind", v);
    if (!f.state.is_none()) q.state = to_state(f.state, "state", v);
    if (PyBool_Check(f.valid.ptr())) q.valid = f.valid.ptr() == Py_True;
    else if (!f.valid.is_none()) v.add("valid", repr_of(f.valid), "must be True, False or None (either)");
    q.investigation = to_ref(f.investigation, RefKind::investigation, "investigation", v);
    q.instrument = to_ref(f.instrument, RefKind::instrument, "instrument", v);
    q.sample = to_ref(f.sample, RefKind::sample, "sample", v);
    q.started_after = to_opt_time(f.started_after, "started_after", v);
    q.started_before = to_opt_time(f.started_before, "started_before", v);
    text(f.name, "name", q.name);
    text(f.text, "text", q.text);
    text(f.keyword, "keyword", q.keyword);
    text(f.technique, "technique", q.technique);
    if (f.where.is_none()) return q;
    if (PyUnicode_Check(f.where.ptr())) {
        q.where(f.where.cast<std::string>());
        return q;
    }
    if (py::isinstance<MetadataCondition>(f.where)) {
        q.where(f.where.cast<MetadataCondition>());
        return q;
    }
    for_each_item(f.where, "where", "must be a str, a Condition or an iterable of Condition objects and str", v,
                  [&](py::handle item, const std::string& field) {
                      if (PyUnicode_Check(item.ptr())) q.where(item.cast<std::string>());
                      else if (py::isinstance<MetadataCondition>(item)) q.where(item.cast<MetadataCondition>());
                      else v.add(field, repr_of(item), "must be a Condition or a str");
                  });
    return q;
}

}  // namespace datatrail::python

static void init_query_language(py::module_& m) {
    py::class_<query::Expr> cls(m, "Query", R"doc(
A query in datatrail's query language, as a tree: what :meth:`Catalog.find_datasets` takes as
its first argument, as text or as this object.

Built by :func:`parse_query` from text, or in code with :func:`key` and :func:`text`, combined
with ``&`` (and), ``|`` (or) and ``~`` (not):

>>> q = (dt.key("technique") == "MX") & (dt.key("energy") > dt.Quantity(12, "keV"))
>>> str(q)
'technique == "MX" and energy > 12 keV'
>>> dt.parse_query(str(q)) == q
True

``str()`` gives the text of the query, which parses back to an equal tree. Grammar: docs/query.md.
)doc");
    cls.def(py::init(&parse_text), py::arg("text") = "", "Parse ``text`` (see :func:`parse_query`); the empty text matches every dataset.")
        .def_property_readonly(
            "kind", [](const query::Expr& e) { return std::string(kind_name(e.kind())); },
            "``\"condition\"``, ``\"text\"``, ``\"and\"``, ``\"or\"``, ``\"not\"`` or ``\"all\"`` (matches everything).")
        .def_property_readonly(
            "key", [](const query::Expr& e) { return e.key(); }, "A condition's field or metadata key, else empty.")
        .def_property_readonly(
            "op", [](const query::Expr& e) { return e.kind() == query::Expr::Kind::condition ? std::string(query::to_string(e.op())) : std::string(); },
            "A condition's operator: ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``between``, ``~``, ``in`` or ``exists``; else empty.")
        .def_property_readonly(
            "operands",
            [](const query::Expr& e) {
                py::list out;
                for (const auto& x : e.operands()) out.append(operand_out(x));
                return AnyOut(std::move(out));
            },
            "A condition's values (:class:`Quantity` where a unit was given): two for between, none for exists.")
        .def_property_readonly(
            "text", [](const query::Expr& e) { return e.text(); }, "The words of a full-text search, else empty.")
        .def_property_readonly(
            "children", [](const query::Expr& e) { return e.children(); },
            "The operands of and/or (two or more), or the one of not; else empty.")
        .def("__and__", [](const query::Expr& a, const query::Expr& b) { return a && b; }, py::arg("other"))
        .def("__or__", [](const query::Expr& a, const query::Expr& b) { return a || b; }, py::arg("other"))
        .def("__invert__", [](const query::Expr& a) { return !a; })
        .def("__eq__", &equal_fields<query::Expr>, py::arg("other"))
        .def("__hash__", [](const query::Expr& e) { return py::hash(py::str(e.to_string())); })
        .def("__str__", &query::Expr::to_string)
        .def("__repr__", [](const query::Expr& e) { return "Query(" + repr_str(e.to_string()) + ")"; });
    add_pickle(
        cls, [](const query::Expr& e) { return py::make_tuple(e.to_string()); },
        [](const py::tuple& state) { return query::parse(state_tuple(state, 1, "Query")[0].cast<std::string>()); });
    add_copy(cls);

    m.def("parse_query", &parse_text, py::arg("text"), R"doc(
Parse a query in datatrail's query language.

>>> dt.parse_query('technique == "MX" and (energy > 12 keV or wavelength < 1 angstrom)')
Query('technique == "MX" and (energy > 12 keV or wavelength < 1 angstrom)')

Conditions compare a dataset field (``pid``, ``name``, ``description``, ``kind``, ``state``,
``technique``, ``keyword``, ``investigation``, ``instrument``, ``sample``, ``start``, ``end``,
``created``, ``created_by``, ``location``, ``schema``, ``valid``) or a metadata key with ``== != < <= > >=``,
``between ... and ...``, ``~`` (glob), ``in [...]``; ``exists key``; ``text("words")``; joined
by ``and``, ``or``, ``not`` and parentheses. Numbers take units (``12 keV``). Grammar and
semantics: docs/query.md.

:param text: the query; empty matches every dataset
:raises QuerySyntaxError: with the position of the problem and what was expected
)doc");

    py::class_<query::Key> key_cls(m, "Key", R"doc(
A field or metadata key for building a :class:`Query` in code; made by :func:`key`.

>>> dt.key("energy").between(12, 13, unit="keV") & dt.key("sample.name").glob("lyso*")
Query('energy between 12 keV and 13 keV and sample.name ~ "lyso*"')
)doc");
    const auto compare = [&](const char* name, query::Op op) {
        key_cls.def(name, [op](const query::Key& k, const ObjectArg& value) {
            return query::Expr::condition(k.name(), op, {operand_of(value, "value")});
        }, py::arg("value"));
    };
    compare("__eq__", query::Op::eq);
    compare("__ne__", query::Op::ne);
    compare("__lt__", query::Op::lt);
    compare("__le__", query::Op::le);
    compare("__gt__", query::Op::gt);
    compare("__ge__", query::Op::ge);
    key_cls.attr("__hash__") = py::none();
    key_cls
        .def_property_readonly("name", &query::Key::name, "The field or metadata key.")
        .def(
            "between",
            [](const query::Key& k, const ObjectArg& low, const ObjectArg& high, const StrArg& unit) {
                Violations v;
                auto lo = to_operand(low, "low", v);
                auto hi = to_operand(high, "high", v);
                const auto u = to_str(unit, "unit", v);
                v.throw_if_any();
                if (!u.empty()) lo.unit = hi.unit = u;
                return query::Expr::condition(k.name(), query::Op::between, {std::move(lo), std::move(hi)});
            },
            py::arg("low"), py::arg("high"), py::kw_only(), py::arg("unit") = "",
            "Both bounds inclusive; ``unit`` applies to both (or give :class:`Quantity` bounds).")
        .def(
            "glob", [](const query::Key& k, const StrArg& pattern) {
                Violations v;
                auto p = to_str(pattern, "pattern", v);
                v.throw_if_any();
                return k.glob(std::move(p));
            },
            py::arg("pattern"), "Text matching a pattern: ``*`` any run, ``?`` one character, ``[abc]`` one of a set.")
        .def(
            "isin", [](const query::Key& k, const ObjectArg& values) {
                Violations v;
                std::vector<query::Operand> xs;
                for_each_item(values, "values", "must be an iterable of values", v,
                              [&](py::handle item, const std::string& field) { xs.push_back(to_operand(item, field, v)); });
                if (xs.empty() && v.empty()) v.add("values", "[]", "must hold at least one value");
                v.throw_if_any();
                return k.in(std::move(xs));
            },
            py::arg("values"), "Equal to any of ``values`` (the query language's ``in [...]``).")
        .def("exists", &query::Key::exists, "The dataset has this metadata key (or the field is set).")
        .def("__repr__", [](const query::Key& k) { return "key(" + repr_str(k.name()) + ")"; });

    m.def(
        "key",
        [](const StrArg& name) {
            Violations v;
            auto n = to_str(name, "name", v);
            v.throw_if_any();
            return query::Key(std::move(n));
        },
        py::arg("name"), R"doc(
A dataset field or metadata key, to build a :class:`Query` in code:
``dt.key("energy") > dt.Quantity(12, "keV")``, ``dt.key("technique") == "MX"``.
)doc");
    m.def(
        "text",
        [](const StrArg& words) {
            Violations v;
            auto w = to_str(words, "words", v);
            v.throw_if_any();
            return query::text(std::move(w));
        },
        py::arg("words"), R"doc(
A full-text search as a :class:`Query`: every word must occur in a dataset's name, description,
keywords, techniques or text metadata; ``"lyso*"`` matches words that start with ``lyso``.
)doc");
}

void init_query(py::module_& m) {
    init_query_language(m);
    py::class_<MetadataCondition> cls(m, "Condition", R"doc(
One test on a metadata value, for ``where=`` of :meth:`Catalog.find_datasets`.

Numbers are compared after conversion to SI, so ``energy between 12 and 13 keV`` finds a value
stored as 12700 eV; without a unit a number is dimensionless. Strings compare as text, booleans
by value, datetimes as instants. :func:`parse_conditions` makes these from text; ``str()`` gives
the text back.

:param key: the metadata key, e.g. ``"detector.distance"``
:param op: ``"="``, ``"!="``, ``"<"``, ``"<="``, ``">"``, ``">="`` or ``"between"``
:param value: the value compared with (the lower bound for ``"between"``)
:param upper: the upper bound for ``"between"`` (inclusive), else None
:param unit: the unit of ``value`` and ``upper``; empty for dimensionless numbers and non-numbers
)doc");
    cls.def(py::init([](const StrArg& key, const StrArg& op, const ValueArg& value, const OptValueArg& upper,
                        const StrArg& unit) {
                MetadataCondition c;
                Violations v;
                c.key = to_str(key, "key", v);
                c.op = to_op(op, "op", v);
                if (auto x = to_scalar_value(value, "value", v)) c.value = std::move(*x);
                if (!upper.is_none())
                    if (auto x = to_scalar_value(upper, "upper", v)) c.upper = std::move(*x);
                c.unit = to_str(unit, "unit", v);
                v.throw_if_any();
                return c;
            }),
            py::arg("key") = "", py::arg("op") = "=", py::arg("value") = "", py::arg("upper") = py::none(),
            py::arg("unit") = "")
        .def_readwrite("key", &MetadataCondition::key, "The metadata key.")
        .def_property(
            "op", [](const MetadataCondition& c) { return std::string(op_symbol(c.op)); },
            [](MetadataCondition& c, const StrArg& op) {
                Violations v;
                c.op = to_op(op, "op", v);
                v.throw_if_any();
            },
            "The comparison: ``\"=\"``, ``\"!=\"``, ``\"<\"``, ``\"<=\"``, ``\">\"``, ``\">=\"`` or ``\"between\"``.")
        .def_property(
            "value", [](const MetadataCondition& c) { return ValueOut(from_value(c.value)); },
            [](MetadataCondition& c, const ValueArg& value) { set_value(c, value, "value"); },
            "The value compared with (the lower bound for ``\"between\"``).")
        .def_property(
            "upper",
            [](const MetadataCondition& c) {
                return OptValueOut(c.upper ? from_value(*c.upper) : py::object(py::none()));
            },
            [](MetadataCondition& c, const OptValueArg& value) { set_upper(c, value, "upper"); },
            "The inclusive upper bound for ``\"between\"``, else None.")
        .def_readwrite("unit", &MetadataCondition::unit, "The unit of the value(s); empty when none.")
        .def("__eq__", &equal_fields<MetadataCondition>, py::arg("other"))
        .def("__str__", &condition_text)
        .def("__repr__", [](const MetadataCondition& c) {
            std::string out = "Condition(key=" + repr_str(c.key) + ", op=" + repr_str(op_symbol(c.op)) +
                              ", value=" + value_repr(c.value);
            if (c.upper) out += ", upper=" + value_repr(*c.upper);
            if (!c.unit.empty()) out += ", unit=" + repr_str(c.unit);
            return out + ")";
        });
    add_pickle(
        cls,
        [](const MetadataCondition& c) {
            return py::make_tuple(c.key, static_cast<int>(c.op), value_state(c.value),
                                  c.upper ? py::object(value_state(*c.upper)) : py::object(py::none()), c.unit);
        },
        [](const py::tuple& state) {
            auto t = state_tuple(state, 5, "Condition");
            MetadataCondition c;
            c.key = t[0].cast<std::string>();
            const int op = t[1].cast<int>();
            if (op < 0 || op > static_cast<int>(Comparison::between))
                throw py::value_error("invalid pickle state for Condition");
            c.op = static_cast<Comparison>(op);
            c.value = value_from_state(t[2]);
            if (!t[3].is_none()) c.upper = value_from_state(t[3]);
            c.unit = t[4].cast<std::string>();
            return c;
        });
    add_copy(cls);

    m.def("parse_conditions", &parse_conditions, py::arg("text"), R"doc(
Parse a conjunction of metadata conditions, as ``where=`` of :meth:`Catalog.find_datasets` does.

>>> datatrail.parse_conditions('energy between 12 and 13 keV and detector.name = "eiger"')
[Condition(key='energy', op='between', value=12, upper=13, unit='keV'), Condition(key='detector.name', op='=', value='eiger')]

Operators: ``= == != < <= > >= between ... and ...``. Strings in single or double quotes;
``true``/``false``; datetimes as ISO 8601 (``2026-11-21T10:00:00Z``, quoted or not).

:param text: the conditions, joined by ``and``
:returns: the conditions, in order
:raises QuerySyntaxError: with the position of the first problem
)doc");
}
