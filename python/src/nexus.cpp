// datatrail.nexus: NeXus files from the catalogue (datatrail/nexus.hpp). Arrays arrive through the
// buffer protocol (numpy arrays and anything else that exports one) and are written from the
// caller's memory; only an array that is not C-contiguous is copied first.
#include "convert.hpp"
#include "nexus/filters.hpp"

#include <datatrail/nexus.hpp>

#include <cstring>
#include <filesystem>
#include <list>

namespace py = pybind11;
using namespace datatrail;
using namespace datatrail::python;

DATATRAIL_PY_HINT(ArrayArg, "numpy.typing.ArrayLike")
DATATRAIL_PY_HINT(AxesArg,
                  "collections.abc.Mapping[str, numpy.typing.ArrayLike | tuple[numpy.typing.ArrayLike, str] | "
                  "tuple[numpy.typing.ArrayLike, str, str] | None] | None")

std::optional<ElementType> datatrail::python::element_type(const py::buffer_info& info, std::string& why) {
    std::string format = info.format;
    if (!format.empty() && (format.front() == '>' || format.front() == '!')) {
        why = "big-endian arrays are not supported: convert with .astype(x.dtype.newbyteorder('<'))";
        return std::nullopt;
    }
    if (!format.empty() && (format.front() == '@' || format.front() == '=' || format.front() == '<')) format.erase(0, 1);
    const auto size = info.itemsize;
    if (format.size() == 1) {
        switch (format[0]) {
            case 'b': case 'h': case 'i': case 'l': case 'q':
                if (size == 1) return ElementType::int8;
                if (size == 2) return ElementType::int16;
                if (size == 4) return ElementType::int32;
                if (size == 8) return ElementType::int64;
                break;
            case 'B': case 'H': case 'I': case 'L': case 'Q':
                if (size == 1) return ElementType::uint8;
                if (size == 2) return ElementType::uint16;
                if (size == 4) return ElementType::uint32;
                if (size == 8) return ElementType::uint64;
                break;
            case 'f':
            case 'd':
                if (size == 4) return ElementType::float32;
                if (size == 8) return ElementType::float64;
                break;
            default: break;
        }
    }
    why = "must hold integers (int8 ... uint64) or floats (float32, float64)";
    return std::nullopt;
}

bool datatrail::python::c_contiguous(const py::buffer_info& info) {
    py::ssize_t expected = info.itemsize;
    for (auto i = info.ndim; i-- > 0;) {
        if (info.shape[static_cast<std::size_t>(i)] > 1 && info.strides[static_cast<std::size_t>(i)] != expected) return false;
        expected *= info.shape[static_cast<std::size_t>(i)];
    }
    return true;
}

namespace {

// An array borrowed from Python for the length of a write: the exported buffer stays held (so its
// memory cannot move), and a copy is made only when the buffer is not in C order.
struct HeldArray {
    py::buffer_info info;
    std::vector<std::byte> copy;
    NexusArray array;
};

// Copies a strided buffer into C order, one element at a time.
void copy_strided(const py::buffer_info& info, std::vector<std::byte>& out) {
    const auto itemsize = static_cast<std::size_t>(info.itemsize);
    out.resize(static_cast<std::size_t>(info.size) * itemsize);
    std::vector<py::ssize_t> index(static_cast<std::size_t>(info.ndim), 0);
    const auto* base = static_cast<const std::byte*>(info.ptr);
    for (std::size_t n = 0; n < static_cast<std::size_t>(info.size); ++n) {
        py::ssize_t offset = 0;
        for (std::size_t d = 0; d < index.size(); ++d) offset += index[d] * info.strides[d];
        std::memcpy(out.data() + n * itemsize, base + offset, itemsize);
        for (auto d = index.size(); d-- > 0;) {
            if (++index[d] < info.shape[d]) break;
            index[d] = 0;
        }
    }
}

// Reads one array argument; its problems go into `v` under `field`.
void hold(py::handle obj, const std::string& field, const std::string& units, const std::string& long_name,
          HeldArray& out, Violations& v) {
    if (!PyObject_CheckBuffer(obj.ptr())) {
        v.add(field, repr_of(obj), "must be an array that supports the buffer protocol, such as numpy.asarray(...)");
        return;
    }
    out.info = py::reinterpret_borrow<py::buffer>(obj).request();
    std::string why;
    const auto type = element_type(out.info, why);
    if (!type) {
        v.add(field + ".dtype", out.info.format, why);
        return;
    }
    NexusArray& a = out.array;
    a.type = *type;
    for (auto n : out.info.shape) a.shape.push_back(static_cast<std::uint64_t>(n));
    a.size = static_cast<std::size_t>(out.info.size);
    a.units = units;
    a.long_name = long_name;
    if (c_contiguous(out.info)) {
        a.data = out.info.ptr;
    } else {
        copy_strided(out.info, out.copy);
        a.data = out.copy.data();
    }
}

// An axis value: an array, (array, units) or (array, units, long_name); None for no axis.
void hold_axis(py::handle obj, const std::string& field, HeldArray& out, Violations& v) {
    if (py::isinstance<py::tuple>(obj)) {
        const auto t = py::reinterpret_borrow<py::tuple>(obj);
        if (t.size() < 1 || t.size() > 3) {
            v.add(field, repr_of(obj), "must be an array, (array, units) or (array, units, long_name)");
            return;
        }
        const std::string units = t.size() > 1 ? to_str(t[1], field + ".units", v) : std::string();
        const std::string long_name = t.size() > 2 ? to_str(t[2], field + ".long_name", v) : std::string();
        hold(t[0], field, units, long_name, out, v);
        return;
    }
    hold(obj, field, {}, {}, out, v);
}

// What every write takes from Python, converted and checked with the GIL held.
struct WriteArgs {
    std::string path, pid, raw_file;
    std::list<HeldArray> arrays;  // stable addresses: NexusData points into them
    NexusData data;
};

WriteArgs to_write_args(const PathArg& path, const DatasetRef& dataset, const ArrayArg& signal, const AxesArg& axes,
                        const std::string& units, const std::string& long_name, const std::string& signal_name,
                        const OptPathArg* raw_file) {
    Violations v;
    WriteArgs args;
    args.path = to_path(path, "path", v);
    args.pid = to_ref(dataset, RefKind::dataset, "dataset", v);
    if (raw_file && !raw_file->is_none()) args.raw_file = to_path(*raw_file, "raw_file", v);
    args.data.signal_name = signal_name;
    hold(signal, "signal", units, long_name, args.arrays.emplace_back(), v);
    args.data.signal = args.arrays.back().array;
    if (!axes.is_none()) {
        if (!is_mapping(axes)) {
            v.add("axes", repr_of(axes), "must be a mapping of axis name to array, in the signal's dimension order");
        } else {
            for (auto item : axes.attr("items")()) {
                const auto pair = py::reinterpret_borrow<py::tuple>(item);
                const std::string name = to_str(pair[0], "axes", v);
                const std::string field = "axes[" + repr_str(name) + "]";
                if (pair[1].is_none()) {
                    args.data.axes.push_back({"", {}});
                    continue;
                }
                hold_axis(pair[1], field, args.arrays.emplace_back(), v);
                args.data.axes.push_back({name, args.arrays.back().array});
            }
        }
    }
    v.throw_if_any();
    return args;
}

// The C++ checks name fields after NexusData ("data.signal.shape", "data.axes[1].values"); a
// Python caller gave `signal`, `axes` and `signal_name`, so the names are put in those terms.
std::string python_field(const std::string& field, const WriteArgs& args) {
    const auto starts = [&](std::string_view prefix) { return field.rfind(prefix, 0) == 0; };
    if (starts("data.signal_name")) return "signal_name" + field.substr(16);
    if (starts("data.signal.")) return "signal" + field.substr(11);
    if (starts("data.axes[")) {
        const auto close = field.find(']');
        const auto index = std::stoul(field.substr(10, close - 10));
        std::string rest = field.substr(close + 1);
        if (rest.rfind(".values", 0) == 0) rest.erase(0, 7);
        const std::string name = index < args.data.axes.size() ? args.data.axes[index].name : std::to_string(index);
        return "axes[" + repr_str(name) + "]" + rest;
    }
    if (starts("data.axes")) return "axes" + field.substr(9);
    return field;
}

// Runs a write with the GIL released; a ValidationError comes back with Python's field names.
template <class F>
void write_without_gil(const CatalogHandle& catalog, const WriteArgs& args, F&& write) {
    try {
        without_gil(catalog, std::forward<F>(write));
    } catch (const ValidationError& e) {
        auto violations = e.violations();
        for (auto& v : violations) v.field = python_field(v.field, args);
        throw ValidationError(std::move(violations));
    }
}

constexpr const char* params_doc = R"doc(
:param path: the file to write; replaced only when the new one is complete
:param catalog: the catalogue that holds the dataset
:param dataset: its PID or the :class:`Dataset`
:param signal: the data, any array with the buffer protocol (a numpy array of int8 ... uint64,
    float32 or float64, in any memory order: only an array that is not C-contiguous is copied)
:param axes: axis name -> values, in the signal's dimension order: an array, ``(array, units)`` or
    ``(array, units, long_name)``; each 1-D with its dimension's length and finite; ``None`` for a
    dimension without an axis
:param units: the signal's ``@units`` (UDUNITS form: ``"counts"``)
:param long_name: the signal's ``@long_name``, a label for plots
:param signal_name: the signal's name in NXdata
)doc";

constexpr const char* raises_doc = R"doc(:raises ValidationError: for bad input, naming each field (``signal.dtype``, ``signal.shape``,
    ``axes['q'][3]`` ...); nothing is written
:raises NotFound: for an unknown dataset
:raises NexusError: when HDF5 fails, naming the file and object; no file is left behind
)doc";

}  // namespace

namespace {

// hdf5plugin's plugin folder, found without importing it (which would import h5py), so that its
// filters (bitshuffle-LZ4 above all) serve this extension's libhdf5 as well, writing and reading.
std::vector<std::filesystem::path> hdf5plugin_dirs() {
    try {
        const py::object spec = py::module_::import("importlib.util").attr("find_spec")("hdf5plugin");
        if (spec.is_none()) return {};
        const py::object locations = spec.attr("submodule_search_locations");
        if (locations.is_none()) return {};
        std::vector<std::filesystem::path> out;
        for (auto loc : locations) out.emplace_back(std::filesystem::path(loc.cast<std::string>()) / "plugins");
        return out;
    } catch (const py::error_already_set&) {
        return {};
    }
}

}  // namespace

void init_nexus(py::module_& m) {
    datatrail::nexus::add_plugin_dirs(hdf5plugin_dirs());
    auto n = m.def_submodule("nexus", R"doc(
NeXus/HDF5 files written from the catalogue: a raw dataset's file and a processed dataset's file
that carries its lineage (docs/nexus.md). The extension writes with the system's libhdf5, h5py with
its own copy; both work in one process, but close a file in one before opening it in the other.
)doc");
    // Public as datatrail.nexus (datatrail/__init__.py registers it in sys.modules under that
    // name), so its functions and its stub, datatrail/nexus.pyi, carry that name too.
    n.attr("__name__") = "datatrail.nexus";

    n.def(
        "write_raw_file",
        [](const PathArg& path, const CatalogHandle& catalog, const DatasetRef& dataset, const ArrayArg& signal,
           const AxesArg& axes, const std::string& units, const std::string& long_name, const std::string& signal_name) {
            const WriteArgs args = to_write_args(path, dataset, signal, axes, units, long_name, signal_name, nullptr);
            write_without_gil(catalog, args,
                              [&](const Catalog& cat) { write_raw_file(args.path, cat, args.pid, args.data); });
        },
        py::arg("path"), py::arg("catalog"), py::arg("dataset"), py::arg("signal"), py::kw_only(),
        py::arg_v("axes", py::none(), "None"), py::arg("units") = "", py::arg("long_name") = "",
        py::arg("signal_name") = "data",
        (std::string(R"doc(
Write a raw dataset's NeXus file: NXroot attributes, ``/entry`` with the dataset's PID as
``entry_identifier``, its title, times, users, sample and instrument, its metadata at the NeXus
paths its schema names (the rest under ``/entry/metadata``), and the signal and axes as
``/entry/data``, the ``@default`` chain's end. The GIL is released while the file is written.
)doc") + params_doc + raises_doc).c_str());

    n.def(
        "write_processed_file",
        [](const PathArg& path, const CatalogHandle& catalog, const DatasetRef& dataset, const ArrayArg& signal,
           const AxesArg& axes, const std::string& units, const std::string& long_name, const std::string& signal_name,
           const OptPathArg& raw_file) {
            const WriteArgs args = to_write_args(path, dataset, signal, axes, units, long_name, signal_name, &raw_file);
            write_without_gil(catalog, args, [&](const Catalog& cat) {
                write_processed_file(args.path, cat, args.pid, args.data, args.raw_file);
            });
        },
        py::arg("path"), py::arg("catalog"), py::arg("dataset"), py::arg("signal"), py::kw_only(),
        py::arg_v("axes", py::none(), "None"), py::arg("units") = "", py::arg("long_name") = "",
        py::arg("signal_name") = "data", py::arg_v("raw_file", py::none(), "None"),
        (std::string(R"doc(
Write a processed dataset's NeXus file: the skeleton of a raw file, one NXprocess per activity of
its lineage, oldest first (program, version, date, sequence_index, NXparameters, an NXnote of type
application/json with the whole activity, and its inputs' PIDs and files' SHA-256), an external
link to ``raw_file``'s ``/entry/data`` by a path relative to ``path``, and the result as
``/entry/data``. The GIL is released while the file is written.
)doc") + params_doc + ":param raw_file: the raw dataset's NeXus file, linked when given\n" + raises_doc)
            .c_str());
}
