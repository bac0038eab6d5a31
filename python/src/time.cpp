// Times: datatrail stores UTC instants with microsecond resolution; Python sees aware datetimes.
#include "convert.hpp"

#include <datatrail/time.hpp>

namespace py = pybind11;
using namespace datatrail;
using namespace datatrail::python;

void init_time(py::module_& m) {
    m.def(
        "parse_time",
        [](const std::string& text) -> DateTimeOut {
            return DateTimeOut(from_time(datatrail::parse_time(text, "time")));
        },
        py::arg("text"), R"doc(
Parse an ISO 8601 time as datatrail does everywhere it accepts a time as text.

Accepts ``YYYY-MM-DD`` and ``YYYY-MM-DDTHH:MM[:SS[.ffffff]]`` with an optional ``Z`` or
``+HH:MM``/``-HH:MM`` offset (``T`` may be a space). Without an offset the time is UTC.

:param text: the time, e.g. ``"2026-11-21T10:00:00+01:00"``
:returns: a timezone-aware :class:`datetime.datetime` in UTC
:raises ValidationError: when the text is not such a time
)doc");

    m.def(
        "format_time",
        [](const TimeArg& time) {
            Violations v;
            auto t = to_time(time, "time", v);
            v.throw_if_any();
            return datatrail::format_time(*t);
        },
        py::arg("time"), R"doc(
Format a time as datatrail writes it: ISO 8601 in UTC with microseconds,
``"2026-11-21T20:03:15.123456Z"``. The width is fixed, so text order is time order.

:param time: an aware :class:`datetime.datetime` (a naive one is local time), a
    :class:`datetime.date` (midnight UTC) or an ISO 8601 str
:raises ValidationError: when ``time`` is none of these
)doc");
}
