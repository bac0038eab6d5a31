// Ingesting NeXus files (datatrail/ingest.hpp): IngestItem, IngestReport, Catalog.ingest and
// datatrail.ingest, added to the module after init_catalog() registered Catalog.
#include "convert.hpp"
#include "display.hpp"

#include <datatrail/catalog.hpp>
#include <datatrail/ingest.hpp>

namespace py = pybind11;
using namespace datatrail;
using namespace datatrail::python;

DATATRAIL_PY_HINT(IngestProgressArg, "bool | collections.abc.Callable[[str, int, int, str], object] | None")
DATATRAIL_PY_HINT(RecursiveArg, "bool")
DATATRAIL_PY_HINT(SuffixesArg, "collections.abc.Iterable[str] | None")

namespace {

// A one-line bar on standard error: stage, done/total, and the file.
void draw_bar(const std::string& stage, std::size_t done, std::size_t total, const std::string& path) {
    constexpr std::size_t width = 30;
    const std::size_t filled = total ? done * width / total : width;
    std::string line = "\r" + stage + " [" + std::string(filled, '#') + std::string(width - filled, '.') + "] " +
                       std::to_string(done) + "/" + std::to_string(total) + " " + path;
    py::object err = py::module_::import("sys").attr("stderr");
    // Pads over a longer previous line; ends the line when the last stage is done.
    err.attr("write")(line + "\x1b[K" + (stage == "registering" && done == total ? "\n" : ""));
    err.attr("flush")();
}

IngestProgressFn to_progress(const py::object& progress) {
    if (progress.is_none() || (PyBool_Check(progress.ptr()) && !progress.cast<bool>())) return {};
    py::object call = progress;
    if (PyBool_Check(progress.ptr())) call = py::cpp_function(&draw_bar);
    else if (!PyCallable_Check(progress.ptr()))
        throw ValidationError(
            {{"progress", repr_of(progress), "must be None, True (a bar on standard error) or a callable (stage, done, total, path)"}});
    // Called with the GIL released (the ingest runs without it): take it for the call.
    return [call = std::make_shared<py::object>(std::move(call))](const IngestProgress& p) {
        py::gil_scoped_acquire gil;
        (*call)(std::string(p.stage), p.done, p.total, std::string(p.path));
    };
}

IngestOptions to_options(const py::object& recursive, const py::object& suffixes, const py::object& progress) {
    Violations v;
    IngestOptions o;
    if (!PyBool_Check(recursive.ptr())) v.add("recursive", repr_of(recursive), "must be True or False");
    else o.recursive = recursive.cast<bool>();
    if (!suffixes.is_none()) {
        if (PyUnicode_Check(suffixes.ptr())) {
            v.add("suffixes", repr_of(suffixes), "must be an iterable of suffixes such as ['.nxs', '.h5'], not one str");
        } else {
            o.suffixes.clear();
            for_each_item(suffixes, "suffixes", "must be an iterable of suffixes such as ['.nxs', '.h5']", v,
                          [&](py::handle item, const std::string& field) { o.suffixes.push_back(to_str(item, field, v)); });
        }
    }
    v.throw_if_any();
    o.progress = to_progress(progress);
    return o;
}

// C++ names options.suffixes[i]; a Python caller gave suffixes=.
ValidationError python_fields(const ValidationError& e) {
    auto violations = e.violations();
    for (auto& x : violations)
        if (x.field.rfind("options.", 0) == 0) x.field.erase(0, 8);
    return ValidationError(std::move(violations));
}

IngestReport run(const CatalogHandle& catalog, const PathArg& path, const py::object& recursive,
                 const py::object& suffixes, const py::object& progress) {
    Violations v;
    const std::string p = to_path(path, "path", v);
    v.throw_if_any();
    const IngestOptions options = to_options(recursive, suffixes, progress);
    try {
        return without_gil(catalog, [&](Catalog& c) { return ingest(c, p, options); });
    } catch (const ValidationError& e) {
        throw python_fields(e);
    }
}

std::string item_repr(const IngestItem& i) {
    std::string text = "IngestItem(" + repr_str(i.path) + ", " + repr_str(std::string(to_string(i.status)));
    if (!i.dataset.empty()) text += ", dataset=" + repr_str(i.dataset);
    if (!i.error.empty()) text += ", error=" + repr_str(i.error);
    return text + ")";
}

constexpr const char* ingest_doc = R"doc(
Ingest the NeXus file at ``path``, or every file with one of ``suffixes`` in the folder at
``path`` (and its sub-folders when ``recursive``; hidden entries, whose name starts with ``.``,
are left out): datasets with the PIDs the files carry, each file with its size, SHA-256 and
modification time, metadata with units, and the provenance processed files embed (activities
with their parameters, inputs and outputs), so that a catalogue can be rebuilt from the files.

Each file is registered whole or not at all, raw files before processed ones. Ingesting the same
files again changes nothing (``already_present``); a file whose dataset PID is in the catalogue
with a file of other content is a ``Conflict`` in ``failed``. A file that is not HDF5, is
truncated or lacks a required field is in ``failed`` with its path and reason; an HDF5 file
without an NXentry is in ``skipped``. The GIL is released while files are read and registered.

:param path: a NeXus file (read whatever its suffix) or a folder
:param recursive: descend into sub-folders
:param suffixes: which files of a folder to read, compared without case; default
    ``[".nxs", ".nx5", ".h5", ".hdf5"]``
:param progress: ``True`` for a bar on standard error, or a callable
    ``progress(stage, done, total, path)``, ``stage`` being ``"reading"`` or ``"registering"``
:returns: an :class:`IngestReport`
:raises ValidationError: for a path that does not exist or a bad suffix, naming it; nothing is read
:raises StorageError: when the catalogue cannot be written (opened read-only); files registered
    before stay
)doc";

}  // namespace

void init_ingest(py::module_& m) {
    py::class_<IngestItem>(m, "IngestItem", "What :meth:`Catalog.ingest` did with one file.")
        .def_readonly("path", &IngestItem::path, "The file, as found under the path given.")
        .def_property_readonly("status", [](const IngestItem& i) { return std::string(to_string(i.status)); },
                               "``ingested``, ``already_present``, ``skipped`` or ``failed``: the report's list it is in.")
        .def_readonly("dataset", &IngestItem::dataset, "The dataset's PID, when the file named or got one.")
        .def_readonly("error", &IngestItem::error,
                      "For a failed file, the error's class: ``NexusError``, ``Conflict``, ``ValidationError``, ``NotFound``.")
        .def_readonly("reason", &IngestItem::reason, "Why it failed or was skipped, naming the file.")
        .def_readonly("notes", &IngestItem::notes,
                      "What was left out or assumed: an input not in the catalogue, a schema it lacks, a PID derived from the file.")
        .def("__repr__", &item_repr);

    py::class_<IngestReport> report(m, "IngestReport",
                                    "What :meth:`Catalog.ingest` did: one :class:`IngestItem` per file, by outcome.");
    def_repr_html(report, "ingest_report_html");
    report.def_readonly("ingested", &IngestReport::ingested, "New datasets, or files added to a dataset already here.")
        .def_readonly("already_present", &IngestReport::already_present, "Same PID and same SHA-256: nothing changed.")
        .def_readonly("skipped", &IngestReport::skipped, "HDF5 files without an NXentry.")
        .def_readonly("failed", &IngestReport::failed, "Not HDF5, truncated, a required field missing, or a Conflict.")
        .def("__repr__", [](const IngestReport& r) {
            return "IngestReport(ingested=" + std::to_string(r.ingested.size()) +
                   ", already_present=" + std::to_string(r.already_present.size()) +
                   ", skipped=" + std::to_string(r.skipped.size()) + ", failed=" + std::to_string(r.failed.size()) + ")";
        });

    auto cls = py::reinterpret_borrow<py::class_<CatalogHandle>>(m.attr("Catalog"));
    cls.def(
        "ingest",
        [](const CatalogHandle& self, const PathArg& path, const RecursiveArg& recursive, const SuffixesArg& suffixes,
           const IngestProgressArg& progress) { return run(self, path, recursive, suffixes, progress); },
        py::arg("path"), py::kw_only(), py::arg("recursive") = true, py::arg_v("suffixes", py::none(), "None"),
        py::arg_v("progress", py::none(), "None"), ingest_doc);

    m.def(
        "ingest",
        [](const CatalogHandle& catalog, const PathArg& path, const RecursiveArg& recursive, const SuffixesArg& suffixes,
           const IngestProgressArg& progress) { return run(catalog, path, recursive, suffixes, progress); },
        py::arg("catalog"), py::arg("path"), py::kw_only(), py::arg("recursive") = true,
        py::arg_v("suffixes", py::none(), "None"), py::arg_v("progress", py::none(), "None"),
        (std::string("Same as ``catalog.ingest(path, ...)``.\n") + ingest_doc).c_str());
}
