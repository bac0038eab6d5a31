// Sample: what was measured, possibly cut from a parent sample.
#include "convert.hpp"
#include "records.hpp"

#include <datatrail/sample.hpp>

namespace py = pybind11;
using namespace datatrail;
using namespace datatrail::python;

void init_sample(py::module_& m) {
    auto cls = fields::record_class<records::sample_table>(m, R"doc(
A sample: what was measured. It may have been cut from a parent sample.

Made by :meth:`Catalog.add_sample`, which mints the PID; wherever a sample is referred to
(``sample=``, ``parent=``) the object, its PID or its name will do.

)doc",
                                                           true);
    fields::bind<records::sample_table>(cls);
}
