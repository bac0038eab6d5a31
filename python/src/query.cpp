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

}  // namespace

namespace datatrail::python {

DatasetQuery to_query(const QueryFilters& f, Violations& v) {
    DatasetQuery q;
    auto text = [&](py::handle obj, const char* field, std::string& target) {
        if (!obj.is_none()) target = to_str(obj, field, v);
    };
    if (!f.kind.is_none()) q.kind = to_kind(f.kind, "kind", v);
    if (!f.state.is_none()) q.state = to_state(f.state, "state", v);
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

void init_query(py::module_& m) {
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
