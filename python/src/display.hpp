#pragma once
// Rich display in Jupyter: a bound class's `_repr_html_` calls a renderer of datatrail._display.
// The HTML is written in Python, where escaping every value and laying out tables is short and
// tested by parsing the output; C++ only says which renderer draws which class (docs/jupyter.md).
#include <pybind11/pybind11.h>

#include <cstddef>
#include <string_view>

namespace datatrail::python {

namespace py = pybind11;

// datatrail._display, imported on first use: the package is loaded by then, and importing it
// while the extension initialises would be circular.
inline py::object display_module() {
    PYBIND11_CONSTINIT static py::gil_safe_call_once_and_store<py::object> storage;
    return storage.call_once_and_store_result([] { return py::module_::import("datatrail._display"); })
        .get_stored();
}

// Binds `_repr_html_` on `cls` to datatrail._display.<renderer>(self).
template <class Class>
void def_repr_html(Class& cls, const char* renderer) {
    cls.def(
        "_repr_html_", [renderer](const py::object& self) { return py::str(display_module().attr(renderer)(self)); },
        "The HTML a Jupyter notebook shows: every value escaped, long listings truncated (docs/jupyter.md).");
}

// Sets `_fields` on `cls`: the names of the fields its HTML shows, in order, so that the record's
// table of fields drives its display as it drives repr and pickling.
template <class Class, class Names>
void set_display_fields(Class& cls, const Names& names) {
    py::tuple t(names.size());
    std::size_t i = 0;
    for (const std::string_view name : names) t[i++] = py::str(name.data(), name.size());
    cls.attr("_fields") = t;
}

}  // namespace datatrail::python
