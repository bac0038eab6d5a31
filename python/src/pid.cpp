// Persistent identifiers: "<prefix>/<ULID>".
#include "convert.hpp"

#include <datatrail/pid.hpp>

namespace py = pybind11;

void init_pid(py::module_& m) {
    m.def("new_ulid", &datatrail::new_ulid, R"doc(
A new 26-character ULID: 48-bit millisecond time and 80 random bits in Crockford base32.
ULIDs sort by creation time and are monotonic within a process.
)doc");
    m.def("new_pid", &datatrail::new_pid, py::arg("prefix"), R"doc(
A new PID: ``prefix + "/" + new_ulid()``, e.g. ``"local/01JD3X5K7M9Q2R4T6V8W0Y1Z2A"``.

:param prefix: the catalogue's PID prefix, e.g. ``"local"`` or a handle prefix ``"20.500.12345"``
)doc");
    m.def("is_valid_pid", &datatrail::is_valid_pid, py::arg("pid"), R"doc(
Whether ``pid`` has the form ``"<prefix>/<suffix>"`` with a valid prefix and a non-empty
suffix free of whitespace and control characters. PIDs minted elsewhere (handles, DOIs) count.
)doc");
    m.def("is_valid_pid_prefix", &datatrail::is_valid_pid_prefix, py::arg("prefix"), R"doc(
Whether ``prefix`` is a valid PID prefix: a letter or digit followed by letters, digits,
``.``, ``_`` or ``-`` (``"local"``, ``"20.500.12345"``).
)doc");
}
