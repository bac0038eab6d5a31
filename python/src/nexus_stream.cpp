// datatrail.nexus.FrameStack: detector frames streamed into a NeXus file (datatrail/nexus_stream.hpp).
// Frames arrive through the buffer protocol and are written from the caller's memory with the GIL
// released, so acquisition threads in Python append at once.
#include "convert.hpp"
#include "nexus/filters.hpp"

#include <datatrail/nexus_stream.hpp>

#include <array>

namespace py = pybind11;
using namespace datatrail;
using namespace datatrail::python;

DATATRAIL_PY_HINT(DTypeArg, "numpy.typing.DTypeLike")
DATATRAIL_PY_HINT(ShapeArg, "collections.abc.Sequence[int]")
DATATRAIL_PY_HINT(FramesArg, "numpy.typing.ArrayLike")
DATATRAIL_PY_HINT(ChunkArg, "bytes | bytearray | memoryview")
DATATRAIL_PY_HINT(OptPathOut, "str | None")

namespace {

constexpr std::array element_types = {ElementType::int8,   ElementType::uint8,  ElementType::int16,   ElementType::uint16,
                                      ElementType::int32,  ElementType::uint32, ElementType::int64,   ElementType::uint64,
                                      ElementType::float32, ElementType::float64};

// numpy's name for a dtype ("uint16"); big-endian and other dtypes are refused in `v`.
std::optional<ElementType> to_element_type(py::handle dtype, std::string_view field, Violations& v) {
    py::object d;
    try {
        d = py::module_::import("numpy").attr("dtype")(dtype);
    } catch (const py::error_already_set&) {
        v.add(std::string(field), repr_of(dtype), "must be a numpy dtype such as numpy.uint16 or 'uint16'");
        return std::nullopt;
    }
    const auto name = d.attr("name").cast<std::string>();
    if (d.attr("byteorder").cast<std::string>() == ">") {
        v.add(std::string(field), d.attr("str").cast<std::string>(), "big-endian frames are not supported: use the native byte order");
        return std::nullopt;
    }
    for (auto t : element_types)
        if (name == to_string(t)) return t;
    v.add(std::string(field), name, "must be int8 ... uint64, float32 or float64");
    return std::nullopt;
}

std::string shape_text(const std::vector<std::uint64_t>& shape) {
    std::string out = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
    return out + (shape.size() == 1 ? ",)" : ")");
}

// hdf5plugin's folder is searched too: init_nexus adds it.
bool ensure_filter_from_python(int id) {
    py::gil_scoped_release release;
    return nexus::ensure_filter(id);
}

class PyFrameStack {
public:
    PyFrameStack(const PathArg& path, const CatalogHandle& catalog, const DatasetRef& dataset, const DTypeArg& dtype,
                 const ShapeArg& frame_shape, const std::string& compression, int level, int threads,
                 const std::string& units, const std::string& long_name, const std::string& signal_name,
                 bool separate_data_file, bool sync_on_close, bool update_catalog, bool checksum) {
        Violations v;
        const std::string p = to_path(path, "path", v);
        const std::string pid = to_ref(dataset, RefKind::dataset, "dataset", v);
        FrameStackOptions o;
        if (const auto t = to_element_type(dtype, "dtype", v)) o.type = *t;
        for_each_item(frame_shape, "frame_shape", "must be a sequence of ints, e.g. (1024, 1024)", v,
                      [&](py::handle item, const std::string& field) {
                          if (const auto n = to_opt_count(item, field, v)) o.frame_shape.push_back(*n);
                      });
        if (py::isinstance<py::str>(frame_shape)) v.add("frame_shape", repr_of(frame_shape), "must be a sequence of ints, e.g. (1024, 1024)");
        collect(v, [&] { o.compression = parse_compression(compression); });
        o.level = level;
        o.threads = threads;
        o.units = units;
        o.long_name = long_name;
        o.signal_name = signal_name;
        o.separate_data_file = separate_data_file;
        o.sync_on_close = sync_on_close;
        o.checksum = checksum;
        v.throw_if_any();
        if (o.compression == Compression::bitshuffle_lz4) ensure_filter_from_python(filter_id(o.compression));
        catalog_ = catalog.get();
        py::gil_scoped_release release;
        if (update_catalog) stack_ = std::make_unique<FrameStack>(p, *catalog_, pid, std::move(o), true);
        else stack_ = std::make_unique<FrameStack>(p, static_cast<const Catalog&>(*catalog_), pid, std::move(o));
    }

    void append(const FramesArg& frames) {
        const auto& o = stack_->options();
        py::object array = frames;
        if (!PyObject_CheckBuffer(array.ptr())) {
            throw ValidationError({{"frames", repr_of(array),
                                    "must be an array with the buffer protocol, such as a numpy array"}});
        }
        py::buffer_info info = py::reinterpret_borrow<py::buffer>(array).request();
        if (info.ndim > 0) {
            // Strided views are copied once into C order, which HDF5 writes from.
            if (!c_contiguous(info)) {
                array = py::module_::import("numpy").attr("ascontiguousarray")(array);
                info = py::reinterpret_borrow<py::buffer>(array).request();
            }
        }
        Violations v;
        std::string why;  // the dtype rule below says what the stack needs
        const auto type = element_type(info, why);
        if (!type || *type != o.type)
            v.add("frames.dtype", type ? std::string(to_string(*type)) : info.format,
                  "must be " + std::string(to_string(o.type)) + " like the frame stack");
        std::vector<std::uint64_t> shape;
        for (auto n : info.shape) shape.push_back(static_cast<std::uint64_t>(n));
        const auto& frame = o.frame_shape;
        const bool one = shape == frame;
        const bool block = shape.size() == frame.size() + 1 && shape[0] >= 1 && std::equal(frame.begin(), frame.end(), shape.begin() + 1);
        if (!one && !block)
            v.add("frames.shape", shape_text(shape),
                  "must be one frame " + shape_text(frame) + " or a block of n >= 1 frames (n, " +
                      shape_text(frame).substr(1));
        v.throw_if_any();
        const std::span<const std::byte> bytes(static_cast<const std::byte*>(info.ptr),
                                               static_cast<std::size_t>(info.size * info.itemsize));
        py::gil_scoped_release release;
        stack_->append(bytes);
    }

    void append_compressed(const ChunkArg& chunk, std::uint32_t filter_mask) {
        if (!PyObject_CheckBuffer(chunk.ptr()))
            throw ValidationError({{"chunk", repr_of(chunk), "must be bytes or another object with the buffer protocol"}});
        const py::buffer_info info = py::reinterpret_borrow<py::buffer>(chunk).request();
        const std::span<const std::byte> bytes(static_cast<const std::byte*>(info.ptr),
                                               static_cast<std::size_t>(info.size * info.itemsize));
        py::gil_scoped_release release;
        stack_->append_compressed(bytes, filter_mask);
    }

    void close() {
        py::gil_scoped_release release;
        stack_->close();
    }
    void abandon() {
        py::gil_scoped_release release;
        stack_->abandon();
    }
    FrameStack& stack() { return *stack_; }

private:
    std::shared_ptr<Catalog> catalog_;  // kept alive while the stack may update it
    std::unique_ptr<FrameStack> stack_;
};

}  // namespace

void init_nexus_stream(py::module_& m) {
    auto n = m.attr("nexus").cast<py::module_>();

    n.def("_ensure_filter", &ensure_filter_from_python, py::arg("filter_id"), R"doc(
Make the HDF5 filter ``filter_id`` usable by this extension's libhdf5 (not h5py's): for
bitshuffle-LZ4 (32008), hdf5plugin's plugin is loaded from a private copy, bound to this libhdf5 and
registered. True when the filter is available. Called by :class:`FrameStack`; for readers of
filtered files.
)doc");

    py::class_<PyFrameStack>(n, "FrameStack", R"doc(
A raw dataset's NeXus file written frame by frame: the layout of :func:`write_raw_file`, with
``/entry/data/<signal_name>`` a stack of frames (one HDF5 chunk each) that grows with every
:meth:`append`. Use it in a ``with`` block: the file is finished when the block ends, and abandoned
(partial files removed, the dataset marked failed) when an exception leaves it.

The file is written under a temporary name (``.<name>.<random>.part``) and renamed by
:meth:`close`, so it never looks complete before it is. Appends may come from several threads at
once (the GIL is released while frames are compressed and written); each call's frames are stored
together, calls in the order they reach the stack.
)doc")
        .def(py::init<const PathArg&, const CatalogHandle&, const DatasetRef&, const DTypeArg&, const ShapeArg&,
                      const std::string&, int, int, const std::string&, const std::string&, const std::string&, bool,
                      bool, bool, bool>(),
             py::arg("path"), py::arg("catalog"), py::arg("dataset"), py::kw_only(), py::arg("dtype"),
             py::arg("frame_shape"), py::arg("compression") = "none", py::arg("level") = 0, py::arg("threads") = 0,
             py::arg("units") = "counts", py::arg("long_name") = "", py::arg("signal_name") = "data",
             py::arg("separate_data_file") = false, py::arg("sync_on_close") = false,
             py::arg("update_catalog") = true, py::arg("checksum") = true, R"doc(
Open a frame stack for the raw dataset ``dataset``.

:param path: the master file to write
:param catalog: the catalogue that holds the dataset
:param dataset: its PID or the :class:`Dataset`
:param dtype: the frames' dtype: int8 ... uint64, float32 or float64
:param frame_shape: one frame's shape, e.g. ``(1024, 1024)``
:param compression: ``"none"``, ``"gzip"`` (HDF5's deflate), ``"lz4"`` (filter 32004),
    ``"blosc"`` (bitshuffle + LZ4 in Blosc, filter 32001, compressed by the library on ``threads``
    worker threads) or ``"bitshuffle_lz4"`` (filter 32008, needs ``hdf5plugin`` installed)
:param level: gzip or blosc level, 1-9; 0 for the default
:param threads: Blosc worker threads per frame; 0 for one per core
:param units: the frames' ``@units``
:param long_name: the frames' ``@long_name``
:param signal_name: the frames' name in NXdata
:param separate_data_file: write the frames to ``<stem>_data.h5`` beside ``path``, reached by a
    relative external link
:param sync_on_close: fsync the files before :meth:`close` renames them
:param update_catalog: keep the dataset ``acquiring`` while the stack is open, make it
    ``complete`` with its files registered on :meth:`close`, ``failed`` when abandoned
:param checksum: register the files with their SHA-256 (reads them once more)
:raises ValidationError: for bad arguments, naming each; nothing is written
:raises NotFound: for an unknown dataset
:raises NexusError: when HDF5 fails or a filter plugin is missing (naming the filter and what to
    install)
)doc")
        .def("append", &PyFrameStack::append, py::arg("frames"), R"doc(
Append one frame (an array of ``frame_shape``) or a block of frames (``(n, *frame_shape)``) of the
stack's dtype, in any memory order (a view that is not C-contiguous is copied once). The GIL is
released while the frames are compressed and written.

:raises ValidationError: naming ``frames.dtype`` or ``frames.shape``; nothing is written
:raises NexusError: when writing fails (the stack can then only be abandoned) or the stack is closed
)doc")
        .def("append_compressed", &PyFrameStack::append_compressed, py::arg("chunk"), py::arg("filter_mask") = 0,
             R"doc(
Append one frame that was compressed already, as the dataset's filter expects (for ``"blosc"`` a
Blosc buffer, for ``"bitshuffle_lz4"`` a bitshuffle-LZ4 chunk ...), written as is with
``H5Dwrite_chunk``. ``filter_mask`` has bit i set for each filter i of the pipeline not applied.
Uncompressed, the chunk must be one frame's bytes.
)doc")
        .def("close", &PyFrameStack::close, R"doc(
Finish the file: flush, close, rename it into place and, with ``update_catalog``, register its
files and mark the dataset complete. A stack without frames is refused (ValidationError naming
``frames``) and abandoned.
)doc")
        .def("abandon", &PyFrameStack::abandon,
             "Stop without finishing: the partial files are removed and, with ``update_catalog``, the dataset marked failed.")
        .def_property_readonly("frames", [](PyFrameStack& s) { return s.stack().frames(); }, "Frames appended so far.")
        .def_property_readonly("is_open", [](PyFrameStack& s) { return s.stack().is_open(); },
                               "False once closed or abandoned.")
        .def_property_readonly("path", [](PyFrameStack& s) { return s.stack().path().string(); }, "The master file's final path.")
        .def_property_readonly(
            "data_path",
            [](PyFrameStack& s) -> OptPathOut {
                const auto& p = s.stack().data_path();
                return p.empty() ? OptPathOut(py::none()) : OptPathOut(py::str(p.string()));
            },
            "The data file's final path, or None when the frames are in the master file.")
        .def(
            "__enter__", [](PyFrameStack& self) -> PyFrameStack& { return self; }, py::return_value_policy::reference,
            "Use the stack in a ``with`` block.")
        .def(
            "__exit__",
            [](PyFrameStack& self, const ExcTypeArg& exc_type, const ExcValueArg&, const TracebackArg&) {
                if (!exc_type.is_none()) self.abandon();
                else if (self.stack().is_open()) self.close();
            },
            py::arg("exc_type"), py::arg("exc_value"), py::arg("traceback"),
            "Close the stack, or abandon it when the block raised.");
}
