// Reading NeXus files in datatrail.nexus (datatrail/nexus_read.hpp): records for what an entry says,
// numpy arrays for its data. Files are read with the GIL released; an array's bytes are handed to
// numpy without a copy.
#include "convert.hpp"

#include <datatrail/nexus_read.hpp>

#include <pybind11/numpy.h>

namespace py = pybind11;
using namespace datatrail;
using namespace datatrail::python;

DATATRAIL_PY_HINT(NdArrayOut, "numpy.typing.NDArray[typing.Any]")
DATATRAIL_PY_HINT(ArraysOut, "tuple[numpy.typing.NDArray[typing.Any], dict[str, numpy.typing.NDArray[typing.Any]]]")
DATATRAIL_PY_HINT(OptSchemaArg, "datatrail._core.Schema | None")

namespace {

// numpy's name for the element type: the library's own names are numpy's.
std::string numpy_dtype(ElementType t) { return std::string(to_string(t)); }

// The buffer moves into a capsule that the array keeps alive: numpy reads the bytes in place.
py::object to_numpy(NexusBuffer&& buffer) {
    auto* held = new std::vector<std::byte>(std::move(buffer.bytes));
    py::capsule owner(held, [](void* p) { delete static_cast<std::vector<std::byte>*>(p); });
    const py::dtype dtype(numpy_dtype(buffer.type));
    std::vector<py::ssize_t> shape(buffer.shape.begin(), buffer.shape.end());
    return py::array(dtype, shape, held->data(), owner);
}

std::string to_object_path(py::handle obj, std::string_view field) {
    Violations v;
    const std::string p = to_str(obj, field, v);
    if (v.empty() && p.empty()) v.add(std::string(field), "", "must name an object in the file (\"/entry/data/data\")");
    v.throw_if_any();
    return p;
}

std::string file_path(const PathArg& path) {
    Violations v;
    const std::string p = to_path(path, "path", v);
    v.throw_if_any();
    return p;
}

std::optional<Schema> to_schema(const OptSchemaArg& schema) {
    if (schema.is_none()) return std::nullopt;
    if (!py::isinstance<Schema>(schema))
        throw ValidationError({{"schema", repr_of(schema), "must be a Schema (dt.parse_schema, dt.load_schema, Catalog.schema) or None"}});
    return schema.cast<Schema>();
}

// Signal and axes of an entry's NXdata, as numpy arrays.
py::tuple read_data(const NexusFile& f, const std::string& entry_name) {
    std::optional<NexusBuffer> signal;
    std::vector<std::pair<std::string, NexusBuffer>> axes;
    {
        py::gil_scoped_release release;
        const NexusEntry e = f.entry(entry_name);
        if (!e.data) throw NotFound(f.path().string() + ": entry '" + e.name + "' has no NXdata with a signal");
        signal = f.read_array(e.data->signal.path);
        for (const auto& a : e.data->axes)
            if (!a.name.empty()) axes.emplace_back(a.name, f.read_array(a.path));
    }
    py::dict out;
    for (auto& [name, buffer] : axes) out[py::str(name)] = to_numpy(std::move(buffer));
    return py::make_tuple(to_numpy(std::move(*signal)), out);
}

// What a Python NexusFile holds: close() drops the file, so that h5py may write it next.
class FileHandle {
public:
    explicit FileHandle(std::unique_ptr<NexusFile> f) : file_(std::move(f)), path_(file_->path().string()) {}
    const NexusFile& get() const {
        if (!file_) throw Error(path_ + ": the NexusFile is closed");
        return *file_;
    }
    void close() {
        std::unique_ptr<NexusFile> f = std::move(file_);
        py::gil_scoped_release release;
        f.reset();
    }
    const std::string& path() const noexcept { return path_; }

private:
    std::unique_ptr<NexusFile> file_;
    std::string path_;
};

template <class T>
std::string repr_named(const char* cls, const std::string& name) {
    return std::string(cls) + "(" + repr_str(name) + ")";
}

}  // namespace

void init_nexus_read(py::module_& m) {
    py::module_ n = m.attr("nexus");

    py::class_<NexusArrayInfo>(n, "ArrayInfo", "What an array in a NeXus file is, without reading it.")
        .def_readonly("name", &NexusArrayInfo::name, "The link's name in its group.")
        .def_readonly("path", &NexusArrayInfo::path, "Its path from the file's root: ``/entry/data/data``.")
        .def_property_readonly("dtype", [](const NexusArrayInfo& a) { return numpy_dtype(a.type); },
                               "The numpy dtype name: ``uint16``, ``float64`` ...")
        .def_property_readonly("shape", [](const NexusArrayInfo& a) {
            py::tuple t(a.shape.size());
            for (std::size_t i = 0; i < a.shape.size(); ++i) t[i] = a.shape[i];
            return t;
        }, "The shape, a tuple (empty for a scalar).")
        .def_readonly("bytes", &NexusArrayInfo::bytes, "Its size uncompressed, in bytes.")
        .def_readonly("units", &NexusArrayInfo::units, "Its ``@units``, or ``\"\"``.")
        .def_readonly("long_name", &NexusArrayInfo::long_name, "Its ``@long_name``, or ``\"\"``.")
        .def_readonly("filters", &NexusArrayInfo::filters,
                      "Its HDF5 filter pipeline by name: ``deflate``, ``lz4``, ``blosc``, ``bitshuffle``, ``filter 307`` ...")
        .def_readonly("file", &NexusArrayInfo::file,
                      "The file that holds it, as HDF5 opened it: another file's path when the array is reached "
                      "through an external link (frames in a detector's data file).")
        .def("__repr__", [](const NexusArrayInfo& a) { return "ArrayInfo(" + repr_str(a.path) + ", " + numpy_dtype(a.type) + ")"; });

    py::class_<NexusDataInfo>(n, "DataInfo", "An NXdata group: its signal and, per dimension, the axis that labels it.")
        .def_readonly("path", &NexusDataInfo::path, "The group's path: ``/entry/data``.")
        .def_readonly("signal", &NexusDataInfo::signal, "The signal's :class:`ArrayInfo`.")
        .def_readonly("axes", &NexusDataInfo::axes,
                      "One :class:`ArrayInfo` per dimension of the signal; ``name`` is empty where there is no axis.")
        .def("__repr__", [](const NexusDataInfo& d) { return repr_named<NexusDataInfo>("DataInfo", d.path); });

    py::class_<NexusInput>(n, "Input", "One input of an NXprocess: the dataset's PID, its role, its files and their SHA-256.")
        .def_readonly("dataset", &NexusInput::dataset)
        .def_readonly("role", &NexusInput::role)
        .def_readonly("files", &NexusInput::files)
        .def_readonly("sha256", &NexusInput::sha256)
        .def("__repr__", [](const NexusInput& i) { return repr_named<NexusInput>("Input", i.dataset); });

    py::class_<NexusProcess>(n, "Process", "One NXprocess: a step of the lineage that made the entry's data.")
        .def_readonly("group", &NexusProcess::group, "The group's name: ``process_1``.")
        .def_readonly("program", &NexusProcess::program)
        .def_readonly("version", &NexusProcess::version)
        .def_property_readonly("date", [](const NexusProcess& p) { return OptDateTimeOut(from_opt_time(p.date)); })
        .def_readonly("sequence_index", &NexusProcess::sequence_index, "1, 2 ... oldest first; 0 when the file has none.")
        .def_property_readonly("parameters", [](const NexusProcess& p) { return MetadataOut(from_metadata(p.parameters)); },
                               "The NXparameters, quantities with their ``@units``.")
        .def_readonly("note_type", &NexusProcess::note_type, "The NXnote's type: ``application/json``.")
        .def_readonly("note", &NexusProcess::note, "The NXnote's data: the whole activity as JSON, when datatrail wrote it.")
        .def_readonly("activity", &NexusProcess::activity, "The activity's PID.")
        .def_readonly("name", &NexusProcess::name, "The activity's name.")
        .def_readonly("type", &NexusProcess::type, "The activity's type.")
        .def_readonly("generated", &NexusProcess::generated, "PIDs of the datasets it generated.")
        .def_readonly("inputs", &NexusProcess::inputs, "Its inputs, :class:`Input` records.")
        .def("__repr__", [](const NexusProcess& p) { return repr_named<NexusProcess>("Process", p.group); });

    py::class_<NexusRawLink>(n, "RawLink", "The link of a processed file to its raw file.")
        .def_readonly("file_name", &NexusRawLink::file_name, "The raw file, relative to the processed file's folder.")
        .def_readonly("entry_identifier", &NexusRawLink::entry_identifier, "The raw entry's PID.")
        .def("__repr__", [](const NexusRawLink& r) { return repr_named<NexusRawLink>("RawLink", r.file_name); });

    py::class_<NexusEntry>(n, "Entry", R"doc(
One NXentry as read from a file: identifiers, times, people, metadata, the NXprocess steps and
where its data is (:attr:`data`; read the arrays with :func:`read_data` or
:meth:`NexusFile.read_array`).
)doc")
        .def_readonly("name", &NexusEntry::name, "The group's name: ``entry``.")
        .def_readonly("identifier", &NexusEntry::identifier, "``entry_identifier``: the dataset's PID, or ``\"\"``.")
        .def_readonly("title", &NexusEntry::title)
        .def_readonly("description", &NexusEntry::description, "``experiment_description``.")
        .def_readonly("experiment_identifier", &NexusEntry::experiment_identifier, "The investigation's name.")
        .def_readonly("definition", &NexusEntry::definition, "The application definition, ``NXmx``, or ``\"\"``.")
        .def_property_readonly("start_time", [](const NexusEntry& e) { return OptDateTimeOut(from_opt_time(e.start_time)); })
        .def_property_readonly("end_time", [](const NexusEntry& e) { return OptDateTimeOut(from_opt_time(e.end_time)); })
        .def_readonly("users", &NexusEntry::users, "The NXuser groups as :class:`~datatrail.Participant` records.")
        .def_readonly("instrument", &NexusEntry::instrument, "``instrument/name``.")
        .def_readonly("facility", &NexusEntry::facility, "``instrument/source/name``.")
        .def_readonly("sample", &NexusEntry::sample, "``sample/name``.")
        .def_readonly("sample_formula", &NexusEntry::sample_formula)
        .def_readonly("sample_description", &NexusEntry::sample_description)
        .def_property_readonly("metadata", [](const NexusEntry& e) { return MetadataOut(from_metadata(e.metadata)); }, R"doc(
The values at the schema's NeXus paths (when a schema was given) under its keys, and every field
under ``/entry/metadata`` (nested groups as dotted keys); quantities with their ``@units``.
)doc")
        .def_property_readonly("fields", [](const NexusEntry& e) { return MetadataOut(from_metadata(e.fields)); }, R"doc(
The scalar fields of the entry (``run_number`` ...) and of its NXinstrument and NXsample groups by
their path with dots (``instrument.monochromator.energy``, ``sample.temperature``), with ``@units``:
what files from other software say about their data.
)doc")
        .def_readonly("processes", &NexusEntry::processes, "The NXprocess groups, by ``sequence_index``.")
        .def_readonly("raw", &NexusEntry::raw, "The link to the raw file, or None.")
        .def_readonly("data", &NexusEntry::data, "The NXdata ``@default`` names (else the first with a signal), or None.")
        .def_readonly("record", &NexusEntry::record,
                      "The dataset as datatrail's catalogue recorded it (JSON), or ``\"\"`` in files from other software.")
        .def_readonly("problems", &NexusEntry::problems, "What could not be read as NeXus says, one sentence each.")
        .def("__repr__", [](const NexusEntry& e) { return "Entry(" + repr_str(e.name) + ", identifier=" + repr_str(e.identifier) + ")"; });

    py::class_<FileHandle>(n, "NexusFile", R"doc(
A NeXus/HDF5 file open for reading, with the system's libhdf5. Use it as a context manager, or call
:meth:`close`: while it is open, h5py (its own HDF5) cannot open the file for writing.

>>> with dt.nexus.NexusFile("scan_001.nxs") as f:  # doctest: +SKIP
...     frames = f.read_array(f.entry().data.signal.path)
)doc")
        .def(py::init([](const PathArg& path) {
                 const std::string p = file_path(path);
                 py::gil_scoped_release release;
                 return std::make_unique<FileHandle>(std::make_unique<NexusFile>(p));
             }),
             py::arg("path"), R"doc(
:raises NotFound: when there is no such file
:raises NexusError: when it is not HDF5 or HDF5 cannot open it (truncated, locked), naming it
)doc")
        .def_property_readonly("path", &FileHandle::path)
        .def_property_readonly("creator", [](const FileHandle& f) { return f.get().creator(); },
                               "The root's ``@creator``, or ``\"\"``.")
        .def("entries", [](const FileHandle& f) { return f.get().entries(); }, "The names of the root's NXentry groups.")
        .def("default_entry", [](const FileHandle& f) { return f.get().default_entry(); },
             "The entry the root's ``@default`` names, else the first.")
        .def(
            "entry",
            [](const FileHandle& h, const OptStrArg& name, const OptSchemaArg& schema) {
                const NexusFile& f = h.get();
                Violations v;
                const std::string entry = name.is_none() ? std::string() : to_str(name, "name", v);
                v.throw_if_any();
                const std::optional<Schema> s = to_schema(schema);
                py::gil_scoped_release release;
                return f.entry(entry, s ? &*s : nullptr);
            },
            py::arg_v("name", py::none(), "None"), py::kw_only(), py::arg_v("schema", py::none(), "None"), R"doc(
Read an entry (the default one when ``name`` is None). ``schema`` maps its NeXus paths back to
metadata keys. The GIL is released while the file is read.

:raises NotFound: when there is no such NXentry
)doc")
        .def(
            "array_info",
            [](const FileHandle& h, const StrArg& object_path) {
                const NexusFile& f = h.get();
                const std::string p = to_object_path(object_path, "object_path");
                py::gil_scoped_release release;
                return f.array_info(p);
            },
            py::arg("object_path"), "What the array at ``object_path`` is. :raises NotFound: when it is not a numeric dataset")
        .def(
            "read_array",
            [](const FileHandle& h, const StrArg& object_path) {
                const NexusFile& f = h.get();
                const std::string p = to_object_path(object_path, "object_path");
                NexusBuffer buffer;
                {
                    py::gil_scoped_release release;
                    buffer = f.read_array(p);
                }
                return NdArrayOut(to_numpy(std::move(buffer)));
            },
            py::arg("object_path"), R"doc(
Read the array at ``object_path`` into a numpy array, whatever filter compressed it (gzip natively;
LZ4, Blosc and others through HDF5's plugins). The GIL is released while it is read.

:raises NotFound: when it is not a numeric dataset
:raises NexusError: naming a filter whose plugin is missing
)doc")
        .def(
            "read_data",
            [](const FileHandle& h, const OptStrArg& entry) {
                const NexusFile& f = h.get();
                Violations v;
                const std::string name = entry.is_none() ? std::string() : to_str(entry, "entry", v);
                v.throw_if_any();
                return ArraysOut(read_data(f, name));
            },
            py::kw_only(), py::arg_v("entry", py::none(), "None"),
            "The signal and the axes (name -> array) of an entry's NXdata, as numpy arrays.")
        .def("close", &FileHandle::close, "Close the file; later calls raise :class:`~datatrail.Error`.")
        .def("__enter__", [](py::object self) { return self; })
        .def(
            "__exit__",
            [](FileHandle& f, const ExcTypeArg&, const ExcValueArg&, const TracebackArg&) {
                f.close();
                return BoolOut(py::bool_(false));
            },
            py::arg("exc_type"), py::arg("exc_value"), py::arg("traceback"))
        .def("__repr__", [](const FileHandle& f) { return "NexusFile(" + repr_str(f.path()) + ")"; });

    n.def(
        "read_file",
        [](const PathArg& path, const OptStrArg& entry, const OptSchemaArg& schema) {
            const std::string p = file_path(path);
            Violations v;
            const std::string name = entry.is_none() ? std::string() : to_str(entry, "entry", v);
            v.throw_if_any();
            const std::optional<Schema> s = to_schema(schema);
            py::gil_scoped_release release;
            return NexusFile(p).entry(name, s ? &*s : nullptr);
        },
        py::arg("path"), py::kw_only(), py::arg_v("entry", py::none(), "None"), py::arg_v("schema", py::none(), "None"),
        R"doc(
Read one entry of a NeXus file (the default one when ``entry`` is None): its identifier (the PID),
title, times, experiment identifier, users, instrument and sample, metadata with units (those at
``schema``'s NeXus paths under its keys), NXprocess steps with parameters and inputs, the raw link
and where its data is. The file is closed on return; the GIL is released while it is read.

:raises NotFound: no such file, or no such NXentry
:raises NexusError: not HDF5, or HDF5 cannot open it, naming the file
)doc");

    n.def(
        "read_data",
        [](const PathArg& path, const OptStrArg& entry) {
            const std::string p = file_path(path);
            Violations v;
            const std::string name = entry.is_none() ? std::string() : to_str(entry, "entry", v);
            v.throw_if_any();
            std::unique_ptr<NexusFile> f;
            {
                py::gil_scoped_release release;
                f = std::make_unique<NexusFile>(p);
            }
            py::tuple out = read_data(*f, name);
            {
                py::gil_scoped_release release;
                f.reset();
            }
            return ArraysOut(out);
        },
        py::arg("path"), py::kw_only(), py::arg_v("entry", py::none(), "None"), R"doc(
Read the data of an entry (the default one when ``entry`` is None): ``(signal, axes)``, the signal
as a numpy array and the axes as a dict of name to numpy array. Any filter HDF5 can decode.

:raises NotFound: no such file, entry or NXdata
:raises NexusError: not HDF5, or a filter whose plugin is missing
)doc");
}
