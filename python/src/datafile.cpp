// Datafile: one file of a dataset; describe_file() and sha256_file() read files with the GIL released.
#include "convert.hpp"

#include <datatrail/datafile.hpp>

namespace py = pybind11;
using namespace datatrail;
using namespace datatrail::python;

namespace {

constexpr const char* datafile_keys = "path, size, sha256, format, modified";

bool set_datafile_field(Datafile& f, std::string_view key, py::handle value, std::string_view prefix, Violations& v) {
    const std::string field = join_field(prefix, key);
    if (key == "path") {
        f.path = to_path(value, field, v);
    } else if (key == "size") {
        f.size = to_opt_count(value, field, v);
    } else if (key == "sha256") {
        f.sha256 = value.is_none() ? std::string() : to_str(value, field, v);
    } else if (key == "format") {
        f.format = value.is_none() ? std::string() : to_str(value, field, v);
    } else if (key == "modified") {
        f.modified = to_opt_time(value, field, v);
    } else {
        return false;
    }
    return true;
}

std::string datafile_repr(const Datafile& f) {
    std::string out = "Datafile(path=" + repr_str(f.path);
    if (f.size) out += ", size=" + std::to_string(*f.size);
    if (!f.format.empty()) out += ", format=" + repr_str(f.format);
    // The full digest would drown the rest; 12 hex digits identify a file in practice.
    if (!f.sha256.empty())
        out += ", sha256=" + repr_str(f.sha256.size() > 12 ? f.sha256.substr(0, 12) + "..." : f.sha256);
    if (f.modified) out += ", modified=" + repr_str(format_time(*f.modified));
    return out + ")";
}

}  // namespace

namespace datatrail::python {

Datafile to_datafile(py::handle obj, std::string_view field, Violations& v) {
    if (py::isinstance<Datafile>(obj)) return obj.cast<const Datafile&>();
    if (PyUnicode_Check(obj.ptr()) || py::hasattr(obj, "__fspath__")) {
        Datafile f;
        f.path = to_path(obj, field, v);
        return f;
    }
    if (PyDict_Check(obj.ptr()) || (py::hasattr(obj, "items") && py::hasattr(obj, "keys"))) {
        Datafile f;
        bool has_path = false;
        for (py::handle pair : obj.attr("items")()) {
            py::tuple kv = py::reinterpret_borrow<py::tuple>(pair);
            if (!PyUnicode_Check(kv[0].ptr())) {
                v.add(join_field(field, repr_of(kv[0])), repr_of(kv[0]),
                      std::string("file keys must be str: ") + datafile_keys);
                continue;
            }
            const std::string key = kv[0].cast<std::string>();
            if (!set_datafile_field(f, key, kv[1], field, v))
                v.add(join_field(field, key), repr_of(kv[1]),
                      std::string("is not a file field; known: ") + datafile_keys);
            has_path = has_path || key == "path";
        }
        if (!has_path) v.add(join_field(field, "path"), repr_of(obj), "a file given as a mapping needs a 'path'");
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

py::tuple datafile_state(const Datafile& f) {
    return py::make_tuple(f.path, f.size ? py::object(py::int_(*f.size)) : py::object(py::none()), f.sha256, f.format,
                          time_state(f.modified));
}

Datafile datafile_from_state(py::handle state) {
    auto t = state_tuple(state, 5, "Datafile");
    Datafile f;
    f.path = t[0].cast<std::string>();
    if (!t[1].is_none()) f.size = t[1].cast<std::uint64_t>();
    f.sha256 = t[2].cast<std::string>();
    f.format = t[3].cast<std::string>();
    f.modified = time_from_state(t[4]);
    return f;
}

}  // namespace datatrail::python

void init_datafile(py::module_& m) {
    py::class_<Datafile> cls(m, "Datafile", R"doc(
One file of a dataset, at a path relative to the dataset's location.

Wherever files are accepted (``files=`` of :meth:`Catalog.register_dataset`,
:meth:`Catalog.add_files`) a plain path or a dict with these keys does as well.

:param path: the path relative to the dataset's location
:param size: the size in bytes, or None when unknown
:param sha256: the SHA-256 of the content as 64 lowercase hex digits; empty when not computed
:param format: e.g. ``"nexus"``, ``"hdf5"``, ``"tiff"``; guessed from the extension when empty
:param modified: the modification time, or None
)doc");
    cls.def(py::init([](const PathArg& path, const OptIntArg& size, const StrArg& sha256, const StrArg& format,
                        const OptTimeArg& modified) {
                Datafile f;
                Violations v;
                set_datafile_field(f, "path", path, "", v);
                set_datafile_field(f, "size", size, "", v);
                set_datafile_field(f, "sha256", sha256, "", v);
                set_datafile_field(f, "format", format, "", v);
                set_datafile_field(f, "modified", modified, "", v);
                v.throw_if_any();
                return f;
            }),
            py::arg("path") = "", py::arg("size") = py::none(), py::arg("sha256") = "", py::arg("format") = "",
            py::arg("modified") = py::none())
        .def_property(
            "path", [](const Datafile& f) { return f.path; },
            [](Datafile& f, const PathArg& value) {
                Violations v;
                set_datafile_field(f, "path", value, "", v);
                v.throw_if_any();
            },
            "The path relative to the dataset's location.")
        .def_property(
            "size", [](const Datafile& f) { return f.size; },
            [](Datafile& f, const OptIntArg& value) {
                Violations v;
                set_datafile_field(f, "size", value, "", v);
                v.throw_if_any();
            },
            "The size in bytes, or None when unknown.")
        .def_readwrite("sha256", &Datafile::sha256,
                       "The SHA-256 of the content as 64 lowercase hex digits; empty when not computed.")
        .def_readwrite("format", &Datafile::format,
                       "The file format, e.g. ``\"nexus\"``; guessed from the extension when empty.")
        .def_property(
            "modified", [](const Datafile& f) { return OptDateTimeOut(from_opt_time(f.modified)); },
            [](Datafile& f, const OptTimeArg& value) {
                Violations v;
                set_datafile_field(f, "modified", value, "", v);
                v.throw_if_any();
            },
            "The modification time (an aware datetime in UTC), or None.")
        .def("__eq__", &equal_fields<Datafile>, py::arg("other"))
        .def("__repr__", &datafile_repr);
    add_pickle(cls, &datafile_state, [](const py::tuple& state) { return datafile_from_state(state); });
    add_copy(cls);

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
