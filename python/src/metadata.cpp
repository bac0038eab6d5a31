// Metadata keys. The values themselves convert in convert.cpp, where every binding reaches them.
#include "convert.hpp"

#include <datatrail/metadata.hpp>

namespace py = pybind11;

void init_metadata(py::module_& m) {
    m.def("is_valid_metadata_key", &datatrail::is_valid_metadata_key, py::arg("key"), R"doc(
Whether ``key`` is a valid metadata key: a dotted path of identifiers such as ``"energy"``,
``"detector.distance"`` or ``"sample.temperature_2"`` (at most 255 characters).
)doc");
}
