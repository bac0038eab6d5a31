// Instrument: a beamline, end station or laboratory set-up.
#include "convert.hpp"
#include "records.hpp"

#include <datatrail/instrument.hpp>

namespace py = pybind11;
using namespace datatrail;
using namespace datatrail::python;

void init_instrument(py::module_& m) {
    auto cls = fields::record_class<records::instrument_table>(m, R"doc(
A beamline, end station or laboratory set-up. ``(facility, name)`` is unique in a catalogue.

Made by :meth:`Catalog.add_instrument`, which mints the PID; wherever an instrument is referred to
(``instrument=``) the object, its PID or its name will do.

)doc",
                                                               true);
    fields::bind<records::instrument_table>(cls);
}
