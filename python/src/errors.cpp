// The exception tree of error.hpp as Python classes, the Violation struct, and the translator
// that turns each C++ exception into its Python class.
#include "convert.hpp"

#include <datatrail/error.hpp>

#include <cstring>

namespace py = pybind11;
using namespace datatrail;
using datatrail::python::equal_fields;
using datatrail::python::repr_str;

namespace {

// The Python classes; the module holds them, these are extra references that live as long.
struct ErrorTypes {
    PyObject* error = nullptr;
    PyObject* validation = nullptr;
    PyObject* unit = nullptr;
    PyObject* not_found = nullptr;
    PyObject* conflict = nullptr;
    PyObject* query_syntax = nullptr;
    PyObject* storage = nullptr;
    PyObject* nexus = nullptr;
};
ErrorTypes types;

PyObject* new_error(py::module_& m, const char* name, const char* doc, std::initializer_list<PyObject*> bases) {
    py::tuple base_tuple(bases.size());
    std::size_t i = 0;
    for (PyObject* b : bases) base_tuple[i++] = py::reinterpret_borrow<py::object>(b);
    const std::string qualified = std::string("datatrail._core.") + name;
    PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, base_tuple.ptr(), nullptr);
    if (type == nullptr) throw py::error_already_set();
    m.add_object(name, py::reinterpret_borrow<py::object>(type));
    return type;  // the new reference is kept for the translator
}

// A read-only property on an exception class that reads a private instance attribute, so that
// exceptions raised from Python (dt.ValidationError("...")) have it too.
template <class Getter>
void add_property(PyObject* type, const char* name, const char* doc, Getter getter) {
    py::object property = py::module_::import("builtins").attr("property");
    py::object fget = py::cpp_function(getter, py::arg("self"));
    py::setattr(type, name, property(fget, py::none(), py::none(), doc));
}

py::str message(const std::exception& e) {
    const char* what = e.what();
    PyObject* s = PyUnicode_DecodeUTF8(what, static_cast<Py_ssize_t>(std::strlen(what)), "replace");
    if (s == nullptr) throw py::error_already_set();
    return py::reinterpret_steal<py::str>(s);
}

py::object make(PyObject* type, const std::exception& e) {
    return py::reinterpret_borrow<py::object>(type)(message(e));
}

void raise(PyObject* type, const py::object& exc) { PyErr_SetObject(type, exc.ptr()); }

void raise_validation(PyObject* type, const ValidationError& e) {
    py::object exc = make(type, e);
    py::list violations;
    for (const auto& v : e.violations()) violations.append(py::cast(v));
    exc.attr("_violations") = violations;
    raise(type, exc);
}

}  // namespace

void init_errors(py::module_& m) {
    py::class_<Violation> violation(m, "Violation", R"doc(
One broken rule found while checking input: which field, the value it had, which rule it broke.

A :class:`ValidationError` carries every violation found, not just the first.

:param field: the field, as a path: ``"datasets[3].metadata.energy"``
:param value: the offending value as text
:param rule: the rule it broke, e.g. ``"unit must be known to UDUNITS-2 or a datatrail alias"``
)doc");
    violation
        .def(py::init([](std::string field, std::string value, std::string rule) {
                 return Violation{std::move(field), std::move(value), std::move(rule)};
             }),
             py::arg("field") = "", py::arg("value") = "", py::arg("rule") = "")
        .def_readwrite("field", &Violation::field, "The field, as a path such as ``datasets[3].metadata.energy``.")
        .def_readwrite("value", &Violation::value, "The offending value, as text.")
        .def_readwrite("rule", &Violation::rule, "The rule the value broke.")
        .def("__eq__", &equal_fields<Violation>, py::arg("other"))
        .def("__repr__",
             [](const Violation& v) {
                 return "Violation(field=" + repr_str(v.field) + ", value=" + repr_str(v.value) +
                        ", rule=" + repr_str(v.rule) + ")";
             })
        .def("__str__", [](const Violation& v) { return v.field + ": '" + v.value + "' " + v.rule; });
    datatrail::python::add_pickle(
        violation, [](const Violation& v) { return py::make_tuple(v.field, v.value, v.rule); },
        [](const py::tuple& state) {
            auto t = datatrail::python::state_tuple(state, 3, "Violation");
            return Violation{t[0].cast<std::string>(), t[1].cast<std::string>(), t[2].cast<std::string>()};
        });
    datatrail::python::add_copy(violation);

    types.error = new_error(m, "Error", "The base of every error datatrail reports.", {PyExc_Exception});
    types.validation = new_error(m, "ValidationError", R"doc(
Input broke one or more rules; nothing was written.

:attr:`violations` lists every broken rule (field, value, rule), not just the first.
)doc",
                                 {types.error, PyExc_ValueError});
    types.unit = new_error(m, "UnitError", "A unit that UDUNITS-2 cannot parse, or a unit of the wrong dimension.",
                           {types.validation});
    types.not_found = new_error(m, "NotFound", "Looked up by PID or name (or a file by path) and not there.",
                                {types.error, PyExc_LookupError});
    types.conflict = new_error(m, "Conflict", R"doc(
The write would clash with what the catalogue holds (a duplicate PID or name, or a merge whose
records differ from the catalogue's).

:attr:`differences` lists each clash of a merge as :class:`Violation` objects: the field names the
record and its field, the value is the incoming one, the rule says what it clashes with.
)doc",
                               {types.error});
    types.query_syntax = new_error(m, "QuerySyntaxError", R"doc(
A query string that does not parse.

:attr:`query` is the text and :attr:`position` the 0-based offset of the problem in it.
)doc",
                                   {types.error, PyExc_ValueError});
    types.storage = new_error(m, "StorageError", R"doc(
The storage backend failed: I/O, a database locked past the busy timeout, corruption, or a
catalogue written by a newer datatrail.
)doc",
                              {types.error, PyExc_OSError});
    types.nexus = new_error(m, "NexusError", "Reading or writing a NeXus/HDF5 file failed.", {types.error});

    add_property(types.validation, "violations", "Every broken rule, as :class:`Violation` objects.",
                 [](py::object self) -> std::vector<Violation> {
                     py::object v = py::getattr(self, "_violations", py::none());
                     if (v.is_none()) return {};
                     return v.cast<std::vector<Violation>>();
                 });
    add_property(types.conflict, "differences", "Each clash, as :class:`Violation` objects (empty for a single one).",
                 [](py::object self) -> std::vector<Violation> {
                     py::object v = py::getattr(self, "_differences", py::none());
                     if (v.is_none()) return {};
                     return v.cast<std::vector<Violation>>();
                 });
    add_property(
        types.query_syntax, "query", "The query text that failed to parse.",
        [](py::object self) -> std::string { return py::getattr(self, "_query", py::str("")).cast<std::string>(); });
    add_property(
        types.query_syntax, "position", "The 0-based offset of the problem in :attr:`query`.",
        [](py::object self) -> std::size_t { return py::getattr(self, "_position", py::int_(0)).cast<std::size_t>(); });

    // Registered translators are tried newest first; within this one the most derived class
    // is caught first.
    py::register_exception_translator([](std::exception_ptr p) {
        if (!p) return;
        try {
            std::rethrow_exception(p);
        } catch (const UnitError& e) {
            raise_validation(types.unit, e);
        } catch (const ValidationError& e) {
            raise_validation(types.validation, e);
        } catch (const QuerySyntaxError& e) {
            py::object exc = make(types.query_syntax, e);
            exc.attr("_query") = py::str(e.query());
            exc.attr("_position") = py::int_(e.position());
            raise(types.query_syntax, exc);
        } catch (const NotFound& e) {
            raise(types.not_found, make(types.not_found, e));
        } catch (const Conflict& e) {
            py::object exc = make(types.conflict, e);
            py::list differences;
            for (const auto& d : e.differences()) differences.append(py::cast(d));
            exc.attr("_differences") = differences;
            raise(types.conflict, exc);
        } catch (const StorageError& e) {
            raise(types.storage, make(types.storage, e));
        } catch (const NexusError& e) {
            raise(types.nexus, make(types.nexus, e));
        } catch (const Error& e) {
            raise(types.error, make(types.error, e));
        }
    });
}
