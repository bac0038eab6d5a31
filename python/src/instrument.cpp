// Instrument: a beamline, end station or laboratory set-up.
#include "convert.hpp"

#include <datatrail/instrument.hpp>

namespace py = pybind11;
using namespace datatrail;
using namespace datatrail::python;

void init_instrument(py::module_& m) {
    py::class_<Instrument> cls(m, "Instrument", R"doc(
A beamline, end station or laboratory set-up. ``(facility, name)`` is unique in a catalogue.

Made by :meth:`Catalog.add_instrument`, which mints the PID; wherever an instrument is referred to
(``instrument=``) the object, its PID or its name will do.

:param name: e.g. ``"ID11"``
:param facility: e.g. ``"ESRF"``
:param type: e.g. ``"beamline"``, ``"laser"``, ``"detector test bench"``
:param pid: the PID; empty (or None) until the catalogue mints one
)doc");
    cls.def(py::init([](const StrArg& name, const StrArg& facility, const StrArg& type, const OptStrArg& pid) {
                Violations v;
                Instrument x;
                x.name = to_str(name, "name", v);
                x.facility = to_str(facility, "facility", v);
                x.type = to_str(type, "type", v);
                x.pid = to_opt_str(pid, "pid", v).value_or("");
                v.throw_if_any();
                return x;
            }),
            py::arg("name") = "", py::arg("facility") = "", py::arg("type") = "", py::arg("pid") = py::none())
        .def_readwrite("pid", &Instrument::pid, "The PID; empty until the catalogue mints one.")
        .def_readwrite("name", &Instrument::name, "The name, e.g. ``\"ID11\"``.")
        .def_readwrite("facility", &Instrument::facility, "The facility, e.g. ``\"ESRF\"``.")
        .def_readwrite("type", &Instrument::type, "The kind of set-up, e.g. ``\"beamline\"``.")
        .def("__eq__", &equal_fields<Instrument>, py::arg("other"))
        .def("__repr__", [](const Instrument& x) {
            return "Instrument(pid=" + repr_str(x.pid) + ", name=" + repr_str(x.name) +
                   ", facility=" + repr_str(x.facility) + ", type=" + repr_str(x.type) + ")";
        });
    add_pickle(
        cls, [](const Instrument& x) { return py::make_tuple(x.pid, x.name, x.facility, x.type); },
        [](const py::tuple& state) {
            auto t = state_tuple(state, 4, "Instrument");
            Instrument x;
            x.pid = t[0].cast<std::string>();
            x.name = t[1].cast<std::string>();
            x.facility = t[2].cast<std::string>();
            x.type = t[3].cast<std::string>();
            return x;
        });
    add_copy(cls);
}
