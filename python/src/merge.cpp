// Merging catalogues: MergeCount, MergeReport and Catalog.merge_from, added to the class
// init_catalog() registered.
#include "convert.hpp"
#include "display.hpp"

#include <datatrail/catalog.hpp>
#include <datatrail/merge.hpp>

#include <array>
#include <string_view>
#include <utility>

namespace py = pybind11;
using namespace datatrail;
using namespace datatrail::python;

namespace {

// MergeReport's fields by name, in the order repr shows them.
constexpr std::array<std::pair<const char*, MergeCount MergeReport::*>, 8> report_fields{{
    {"schemas", &MergeReport::schemas},
    {"instruments", &MergeReport::instruments},
    {"investigations", &MergeReport::investigations},
    {"samples", &MergeReport::samples},
    {"agents", &MergeReport::agents},
    {"datasets", &MergeReport::datasets},
    {"activities", &MergeReport::activities},
    {"links", &MergeReport::links},
}};

std::string count_repr(const MergeCount& c) {
    return "MergeCount(added=" + std::to_string(c.added) + ", skipped=" + std::to_string(c.skipped) + ")";
}

// The progress argument as a C++ callback: None (no reports), a callable (stage, done, total),
// or True (a one-line progress display on standard error).
MergeProgressFn to_progress(const py::object& progress) {
    if (progress.is_none() || (PyBool_Check(progress.ptr()) && !progress.cast<bool>())) return {};
    py::object call = progress;
    if (PyBool_Check(progress.ptr())) {
        call = py::cpp_function([](const std::string& stage, std::size_t done, std::size_t total) {
            py::object err = py::module_::import("sys").attr("stderr");
            err.attr("write")("\rmerging " + stage + ": " + std::to_string(done) + "/" + std::to_string(total) +
                              (done == total ? "\n" : ""));
            err.attr("flush")();
        });
    } else if (!PyCallable_Check(progress.ptr())) {
        throw ValidationError({{"progress", repr_of(progress), "must be None, True or a callable (stage, done, total)"}});
    }
    // Called with the GIL released (the merge runs without it): take it for the call.
    return [call = std::make_shared<py::object>(std::move(call))](const MergeProgress& p) {
        py::gil_scoped_acquire gil;
        (*call)(std::string(p.stage), p.done, p.total);
    };
}

}  // namespace

void init_merge(py::module_& m) {
    py::class_<MergeCount>(m, "MergeCount", "Records of one kind a merge added, and those the catalogue already had.")
        .def_readonly("added", &MergeCount::added, "Records copied into the catalogue.")
        .def_readonly("skipped", &MergeCount::skipped, "Records the catalogue already had, with the same content.")
        .def("__eq__", &equal_fields<MergeCount>, py::arg("other"))
        .def("__repr__", &count_repr);

    py::class_<MergeReport> report(m, "MergeReport", R"doc(
What :meth:`Catalog.merge_from` did, per kind of record: each attribute is a :class:`MergeCount`.
``links`` counts derivation links; an activity's own links (inputs, agents, informants) come with it.
)doc");
    std::array<std::string_view, report_fields.size()> names;
    for (std::size_t i = 0; i < report_fields.size(); ++i) {
        const auto& [name, member] = report_fields[i];
        report.def_property_readonly(name, [member = member](const MergeReport& r) { return r.*member; });
        names[i] = name;
    }
    set_display_fields(report, names);
    def_repr_html(report, "merge_report_html");
    report.def("__eq__", &equal_fields<MergeReport>, py::arg("other")).def("__repr__", [](const MergeReport& r) {
        std::string text = "MergeReport(";
        for (std::size_t i = 0; i < report_fields.size(); ++i)
            text += (i ? ", " : "") + std::string(report_fields[i].first) + "=" + count_repr(r.*report_fields[i].second);
        return text + ")";
    });

    auto cls = py::reinterpret_borrow<py::class_<CatalogHandle>>(m.attr("Catalog"));
    cls.def(
        "merge_from",
        [](const CatalogHandle& self, const CatalogHandle& source, const py::object& progress) {
            auto callback = to_progress(progress);
            std::shared_ptr<Catalog> from = source.get();
            return without_gil(self, [&](Catalog& c) { return c.merge_from(*from, callback); });
        },
        py::arg("source"), py::kw_only(), py::arg("progress") = py::none(), R"doc(
Copies into this catalogue what it lacks of ``source``, matched by PID.

Instruments, investigations, samples, agents, datasets with their files and metadata,
activities with their parameters and links, and derivation links are copied with their PIDs
and prefixes. Records already here with the same content are skipped, so merging twice adds
nothing. All in one transaction: a record here whose content differs from the source's (or a
unique name taken by another PID, a metadata key of another class or dimension, a link that
would make a cycle) raises :class:`Conflict`, whose ``differences`` lists each one, and nothing
is written. Works between any two engines (a beamline's SQLite file into the facility's).

:param source: the catalogue to copy from (read in one snapshot)
:param progress: ``True`` for a progress line on standard error, or a callable
    ``progress(stage, done, total)`` called as records are merged
:returns: a :class:`MergeReport` of what was added and skipped

>>> report = facility.merge_from(dt.Catalog("beamline.db"))  # doctest: +SKIP
>>> report.datasets  # doctest: +SKIP
MergeCount(added=1200, skipped=0)
)doc");
}
