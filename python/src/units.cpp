// The datatrail.units submodule: UDUNITS-2 units plus the aliases facility data uses.
#include "convert.hpp"

#include <datatrail/units.hpp>

#include <pybind11/stl.h>

#include <tuple>

namespace py = pybind11;
using namespace datatrail;

void init_units(py::module_& m) {
    auto u = m.def_submodule("units", R"doc(
Units through UDUNITS-2, the unit system NeXus names, plus the aliases facility data uses that
UDUNITS-2 lacks: ``deg`` (arc degree), ``pixel``/``pixels``/``px`` (a dimension of their own),
``counts`` and ``photon``/``photons`` (dimensionless). The empty unit is dimensionless.
)doc");
    // Public as datatrail.units (datatrail/__init__.py registers it in sys.modules under that
    // name), so its functions and its stub, datatrail/units.pyi, carry that name too.
    u.attr("__name__") = "datatrail.units";

    u.def("convert", &units::convert, py::arg("value"), py::arg("from_unit"), py::arg("to_unit"), R"doc(
Convert a value between units of the same dimension.

>>> datatrail.units.convert(12.7, "keV", "eV")
12700.0

:param value: the number, in ``from_unit``
:param from_unit: its unit, e.g. ``"keV"``, ``"mm"``, ``"degC"``
:param to_unit: the unit wanted
:raises UnitError: when either unit is unknown or they differ in dimension
)doc");

    u.def("are_compatible", &units::are_compatible, py::arg("a"), py::arg("b"), R"doc(
Whether values in unit ``a`` can be converted to unit ``b`` (the same dimension).

Unknown units are not compatible with anything.
)doc");

    u.def("is_known", &units::is_known, py::arg("unit"), R"doc(
Whether ``unit`` parses (the empty unit counts as dimensionless ``"1"``).
)doc");

    u.def("si_unit", &units::si_unit, py::arg("unit"), R"doc(
The coherent SI unit of ``unit``'s dimension, as UDUNITS-2 writes it:
``"keV"`` gives ``"m2.kg.s-2"``, ``"degC"`` gives ``"K"``, ``"mm"`` gives ``"m"``,
``"deg"`` gives ``"rad"``, ``""`` gives ``"1"``.

:raises UnitError: when the unit is unknown
)doc");

    u.def(
        "to_si",
        [](double value, const std::string& unit) -> std::tuple<double, std::string> {
            auto q = units::to_si(Quantity{value, unit});
            return {q.value, q.unit};
        },
        py::arg("value"), py::arg("unit"), R"doc(
Express a value in the SI unit of its dimension.

>>> datatrail.units.to_si(12.7, "keV")
(2.0347...e-15, 'm2.kg.s-2')

:returns: ``(value, si_unit)``
:raises UnitError: when the unit is unknown
)doc");
}
