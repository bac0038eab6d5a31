// Datafile: one file of a dataset; describe_file() and sha256_file() read files with the GIL released.
#include "convert.hpp"
#include "records.hpp"

#include <datatrail/datafile.hpp>

namespace py = pybind11;
using namespace datatrail;
using namespace datatrail::python;

namespace datatrail::python {

Datafile to_datafile(py::handle obj, std::string_view field, Violations& v) {
    if (py::isinstance<Datafile>(obj)) return obj.cast<const Datafile&>();
    if (PyUnicode_Check(obj.ptr()) || py::hasattr(obj, "__fspath__")) {
        Datafile f;
        f.path = to_path(obj, field, v);
        return f;
    }
    if (is_mapping(obj)) {
        Datafile f;
        using table = records::datafile_table;
        constexpr auto path = fields::bit_of<table>("path");
        if (!(fields::read_mapping<table>(f, obj, field, v) & path))
            v.add(join_field(field, "path"), repr_of(obj), "a file given as a mapping needs a 'path'");
        return f;
    }
    v.add(std::string(field), repr_of(obj),
          "must be a path (str or os.PathLike), a Datafile or a mapping of file fields");
    return {};
}

std::vector<Datafile> to_datafiles(py::handle obj, std::string_view field, Violations& v) {
    std::vector<Datafile> out;
    if (obj.is_none()) return out;
    // A lone path, Datafile or mapping is one file, not an iterable of characters or keys.
    if (PyUnicode_Check(obj.ptr()) || py::hasattr(obj, "__fspath__") || py::isinstance<Datafile>(obj) ||
        PyDict_Check(obj.ptr())) {
        out.push_back(to_datafile(obj, join_field(field, "[0]"), v));
        return out;
    }
    for_each_item(obj, field, "must be an iterable of paths, Datafile objects or mappings", v,
                  [&](py::handle item, const std::string& f) { out.push_back(to_datafile(item, f, v)); });
    return out;
}

}  // namespace datatrail::python

void init_datafile(py::module_& m) {
    auto cls = fields::record_class<records::datafile_table>(m, R"doc(
One file of a dataset, at a path relative to the dataset's location.

Wherever files are accepted (``files=`` of :meth:`Catalog.register_dataset`,
:meth:`Catalog.add_files`) a plain path or a dict with these keys does as well.

)doc",
                                                             true);
    fields::bind<records::datafile_table>(cls);

    py::class_<DatasetFile>(m, "DatasetFile",
                            "A dataset's file that :meth:`Catalog.datasets_with_file` found, and what matched.")
        .def_readonly("dataset", &DatasetFile::dataset, "The dataset's PID.")
        .def_readonly("dataset_name", &DatasetFile::dataset_name, "The dataset's name.")
        .def_readonly("location", &DatasetFile::location, "The dataset's location.")
        .def_readonly("file", &DatasetFile::file, "The :class:`Datafile`, its path relative to the location.")
        .def_readonly("at_path", &DatasetFile::at_path, "The location joined with the file's path is the path asked for.")
        .def_readonly("same_content", &DatasetFile::same_content, "The file's SHA-256 is the one asked for.")
        .def("__eq__", [](const DatasetFile& a, const DatasetFile& b) { return a == b; }, py::is_operator())
        .def("__repr__", [](const DatasetFile& f) {
            return "DatasetFile(dataset=" + py::repr(py::str(f.dataset)).cast<std::string>() +
                   ", path=" + py::repr(py::str(f.file.path)).cast<std::string>() +
                   ", at_path=" + (f.at_path ? "True" : "False") + ", same_content=" + (f.same_content ? "True" : "False") + ")";
        });

    m.def(
        "describe_file",
        [](const PathArg& root, const PathArg& relative_path) {
            Violations v;
            const std::string r = to_path(root, "root", v);
            const std::string rel = to_path(relative_path, "relative_path", v);
            v.throw_if_any();
            py::gil_scoped_release release;
            return describe_file(r, rel);
        },
        py::arg("root"), py::arg("relative_path"), R"doc(
Read the file at ``root / relative_path`` and describe it: size, SHA-256, modification time and
format (guessed from the extension). The GIL is released while the file is read.

:param root: the dataset's location
:param relative_path: the file's path under it, as it will be recorded
:returns: a :class:`Datafile` whose ``path`` is ``relative_path``
:raises NotFound: naming the full path when it is not a readable regular file
)doc");

    m.def(
        "sha256_file",
        [](const PathArg& path) {
            Violations v;
            const std::string p = to_path(path, "path", v);
            v.throw_if_any();
            py::gil_scoped_release release;
            return sha256_file(p);
        },
        py::arg("path"), R"doc(
The SHA-256 of a file's content as 64 lowercase hex digits. The GIL is released while the file
is read.

:raises NotFound: when the file cannot be read
)doc");

    m.def("guess_format", &guess_format, py::arg("path"), R"doc(
The format datatrail records for a file, guessed from its extension: ``"nexus"`` for
``.nxs``/``.nx5``, ``"hdf5"`` for ``.h5``/``.hdf5``, ``"tiff"``, ``"cbf"``, ``"edf"``, ``"json"``,
``"csv"``, ``"text"`` ...; empty when unknown.
)doc");
}
