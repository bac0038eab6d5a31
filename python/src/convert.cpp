// Python <-> C++ conversions shared by the bindings: scalars, times, references and metadata.
#include "convert.hpp"

#include <pybind11/gil_safe_call_once.h>
#include <pybind11/numpy.h>

// The datetime C API keeps its table in a static per translation unit, so every use of it
// lives in this file.
#include <datetime.h>

#include <chrono>
#include <cstdint>

namespace datatrail::python {

DatasetsOut to_datasets(std::vector<Dataset> datasets) {
    PYBIND11_CONSTINIT static py::gil_safe_call_once_and_store<py::object> storage;
    const py::object& cls = storage
        .call_once_and_store_result([] { return py::module_::import("datatrail._datasets").attr("Datasets"); })
        .get_stored();
    return DatasetsOut(cls(py::cast(std::move(datasets))));
}

namespace {

using namespace std::chrono;

constexpr const char* quantity_value_rule =
    "the value of a (value, unit) tuple or Quantity must be a number or a sequence of numbers (a list of str is a "
    "string array)";

constexpr const char* metadata_rule =
    "must be a str, int, float, bool, datetime, sequence, dict, (value, unit) tuple or Quantity";

void ensure_datetime_api() {
    if (PyDateTimeAPI == nullptr) {
        PyDateTime_IMPORT;
        if (PyDateTimeAPI == nullptr) throw py::error_already_set();
    }
}

struct Modules {
    py::object json_dumps, json_loads;
};

const Modules& modules() {
    PYBIND11_CONSTINIT static py::gil_safe_call_once_and_store<Modules> storage;
    return storage
        .call_once_and_store_result([] {
            auto json = py::module_::import("json");
            return Modules{json.attr("dumps"), json.attr("loads")};
        })
        .get_stored();
}

// numpy's abstract scalar types; numpy is imported the first time a value needs them.
struct NumpyTypes {
    py::object bool_, integer, floating, ndarray;
};

const NumpyTypes& numpy_types() {
    PYBIND11_CONSTINIT static py::gil_safe_call_once_and_store<NumpyTypes> storage;
    return storage
        .call_once_and_store_result([] {
            auto np = py::module_::import("numpy");
            return NumpyTypes{np.attr("bool_"), np.attr("integer"), np.attr("floating"), np.attr("ndarray")};
        })
        .get_stored();
}

bool is_instance(py::handle obj, const py::object& type) {
    const int r = PyObject_IsInstance(obj.ptr(), type.ptr());
    if (r < 0) throw py::error_already_set();
    return r == 1;
}

bool is_numpy_bool(py::handle obj) { return is_instance(obj, numpy_types().bool_); }
bool is_numpy_integer(py::handle obj) { return is_instance(obj, numpy_types().integer); }
bool is_numpy_floating(py::handle obj) { return is_instance(obj, numpy_types().floating); }
bool is_ndarray(py::handle obj) { return is_instance(obj, numpy_types().ndarray); }

// Python int (not bool) or numpy integer -> int64; nullopt when out of range.
std::optional<std::int64_t> as_int64(py::handle obj) {
    py::object index = py::reinterpret_steal<py::object>(PyNumber_Index(obj.ptr()));
    if (!index) throw py::error_already_set();
    int overflow = 0;
    const long long x = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
    if (overflow != 0) return std::nullopt;
    if (x == -1 && PyErr_Occurred()) throw py::error_already_set();
    return static_cast<std::int64_t>(x);
}

enum class Scalar { none, boolean, integer, floating, string, other };

Scalar classify(py::handle obj) {
    PyObject* p = obj.ptr();
    if (PyUnicode_Check(p)) return Scalar::string;
    if (PyBool_Check(p)) return Scalar::boolean;
    if (PyLong_Check(p)) return Scalar::integer;
    if (PyFloat_Check(p)) return Scalar::floating;
    if (p == Py_None) return Scalar::none;
    if (PyList_Check(p) || PyTuple_Check(p) || PyDict_Check(p)) return Scalar::other;
    if (is_numpy_bool(obj)) return Scalar::boolean;
    if (is_numpy_integer(obj)) return Scalar::integer;
    if (is_numpy_floating(obj)) return Scalar::floating;
    return Scalar::other;
}

std::string utf8(py::handle str) {
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(str.ptr(), &size);
    if (data == nullptr) throw py::error_already_set();
    return std::string(data, static_cast<std::size_t>(size));
}

// "TypeError: message", without the traceback error_already_set::what() appends.
std::string error_text(const py::error_already_set& e) {
    try {
        return utf8(py::str(e.type().attr("__name__"))) + ": " + utf8(py::str(e.value()));
    } catch (py::error_already_set&) {
        return "an exception that cannot be printed";
    }
}

// numpy arrays and their scalars serialise through tolist(); anything else stays unserialisable.
py::object json_default(py::handle obj) {
    if (py::hasattr(obj, "tolist")) return obj.attr("tolist")();
    throw py::type_error("Object of type " + std::string(py::str(py::type::of(obj).attr("__name__"))) +
                         " is not JSON serializable");
}

std::optional<Json> to_json(py::handle obj, const std::string& field, Violations& v) {
    static constexpr const char* rule =
        "must be JSON-serialisable (str keys; str, number, bool, None, list, dict values)";
    try {
        PYBIND11_CONSTINIT static py::gil_safe_call_once_and_store<py::object> default_fn;
        const auto& fn =
            default_fn
                .call_once_and_store_result([] { return py::object(py::cpp_function(&json_default, py::arg("obj"))); })
                .get_stored();
        py::object text =
            modules().json_dumps(obj, py::arg("ensure_ascii") = false, py::arg("allow_nan") = false,
                                 py::arg("separators") = py::make_tuple(",", ":"), py::arg("default") = fn);
        return Json{utf8(text)};
    } catch (py::error_already_set& e) {
        if (!e.matches(PyExc_TypeError) && !e.matches(PyExc_ValueError) && !e.matches(PyExc_RecursionError) &&
            !e.matches(PyExc_OverflowError))
            throw;
        v.add(field, repr_of(obj), std::string(rule) + " (" + error_text(e) + ")");
        return std::nullopt;
    }
}

// A list, tuple or numpy array: a typed array when the items agree, else JSON. With
// `numeric_only` (the value of a quantity) only numbers are allowed.
std::optional<Value> sequence_value(py::handle seq, const std::string& field, Violations& v, bool numeric_only);

// A 1-D numpy array as a typed array, copying through its buffer; other shapes and dtypes go
// through tolist().
std::optional<Value> array_value(py::handle obj, const std::string& field, Violations& v, bool numeric_only) {
    py::array arr = py::reinterpret_borrow<py::array>(obj);
    const char kind = arr.dtype().kind();
    if (arr.ndim() == 0) {
        py::object item = arr.attr("item")();
        if (numeric_only && classify(item) != Scalar::integer && classify(item) != Scalar::floating) {
            v.add(field, repr_of(obj), quantity_value_rule);
            return std::nullopt;
        }
        Violations inner;
        auto mv = to_metadata_value(item, field, inner);
        if (!inner.empty() || !mv) {
            for (const auto& x : inner.items()) v.add(x.field, x.value, x.rule);
            return std::nullopt;
        }
        return mv->value;
    }
    if (arr.ndim() == 1 && kind == 'f') {
        auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(obj);
        if (!a) throw py::error_already_set();
        return Value(std::vector<double>(a.data(), a.data() + a.size()));
    }
    if (arr.ndim() == 1 && (kind == 'i' || (kind == 'u' && arr.dtype().itemsize() < 8))) {
        auto a = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(obj);
        if (!a) throw py::error_already_set();
        return Value(std::vector<std::int64_t>(a.data(), a.data() + a.size()));
    }
    if (kind == 'c' || kind == 'M' || kind == 'm' || kind == 'S' || kind == 'V') {
        v.add(field, repr_of(obj),
              std::string("numpy arrays must hold ints, floats, bools or str, not dtype ") +
                  std::string(py::str(arr.dtype())));
        return std::nullopt;
    }
    // uint64 (may exceed int64: checked per item), bool, str and object arrays, and n-D arrays.
    py::object list = arr.attr("tolist")();
    return sequence_value(list, field, v, numeric_only);
}

std::optional<Value> sequence_value(py::handle seq, const std::string& field, Violations& v, bool numeric_only) {
    if (is_ndarray(seq)) return array_value(seq, field, v, numeric_only);
    // Lists and tuples are read in place through PySequence_Fast.
    const auto n = static_cast<std::size_t>(PySequence_Fast_GET_SIZE(seq.ptr()));
    PyObject** items = PySequence_Fast_ITEMS(seq.ptr());
    bool ints = false, floats = false, strs = false, others = false;
    for (std::size_t i = 0; i < n; ++i) {
        switch (classify(items[i])) {
            case Scalar::integer: ints = true; break;
            case Scalar::floating: floats = true; break;
            case Scalar::string: strs = true; break;
            default: others = true; break;
        }
    }
    const bool numeric = !strs && !others;
    if (numeric_only && !numeric) {
        v.add(field, repr_of(seq), quantity_value_rule);
        return std::nullopt;
    }
    if (n == 0) return Value(std::vector<double>{});
    if (numeric && !floats) {
        std::vector<std::int64_t> out;
        out.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            auto x = as_int64(items[i]);
            if (!x) {
                v.add(field, repr_of(seq), "integers must fit in 64 bits");
                return std::nullopt;
            }
            out.push_back(*x);
        }
        return Value(std::move(out));
    }
    if (numeric) {
        std::vector<double> out;
        out.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            const double x = PyFloat_AsDouble(items[i]);
            if (x == -1.0 && PyErr_Occurred()) {
                if (!PyErr_ExceptionMatches(PyExc_OverflowError)) throw py::error_already_set();
                PyErr_Clear();
                v.add(field, repr_of(seq), "numbers must fit in a 64-bit float");
                return std::nullopt;
            }
            out.push_back(x);
        }
        return Value(std::move(out));
    }
    if (strs && !ints && !floats && !others) {
        std::vector<std::string> out;
        out.reserve(n);
        for (std::size_t i = 0; i < n; ++i) out.push_back(utf8(items[i]));
        return Value(std::move(out));
    }
    // Mixed or nested: kept whole as JSON.
    auto j = to_json(seq, field, v);
    if (!j) return std::nullopt;
    return Value(std::move(*j));
}

std::optional<MetadataValue> quantity_value(py::handle value, py::handle unit, py::handle uncertainty,
                                            const std::string& field, Violations& v) {
    bool ok = true;
    std::string unit_text;
    if (PyUnicode_Check(unit.ptr())) {
        unit_text = utf8(unit);
    } else if (!unit.is_none()) {
        v.add(field, repr_of(unit), "the unit of a quantity must be a str");
        ok = false;
    }
    std::optional<double> u;
    if (!uncertainty.is_none()) {
        const Scalar s = classify(uncertainty);
        if (s == Scalar::integer || s == Scalar::floating) {
            u = py::cast<double>(py::float_(py::reinterpret_borrow<py::object>(uncertainty)));
        } else {
            v.add(field, repr_of(uncertainty), "the uncertainty of a quantity must be a number or None");
            ok = false;
        }
    }
    std::optional<Value> val;
    const Scalar s = classify(value);
    if (s == Scalar::integer) {
        auto x = as_int64(value);
        if (x) {
            val = Value(*x);
        } else {
            v.add(field, repr_of(value), "integers must fit in 64 bits");
        }
    } else if (s == Scalar::floating) {
        val = Value(py::cast<double>(py::float_(py::reinterpret_borrow<py::object>(value))));
    } else if (PyList_Check(value.ptr()) || PyTuple_Check(value.ptr()) || is_ndarray(value)) {
        val = sequence_value(value, field, v, true);
    } else {
        v.add(field, repr_of(value), quantity_value_rule);
    }
    if (!ok || !val) return std::nullopt;
    return MetadataValue(std::move(*val), std::move(unit_text), u);
}

}  // namespace

std::string join_field(std::string_view prefix, std::string_view name) {
    if (prefix.empty()) return std::string(name);
    std::string out(prefix);
    if (!name.empty() && name.front() != '[') out += '.';
    out += name;
    return out;
}

std::string repr_of(py::handle obj) {
    try {
        std::string text = utf8(py::repr(obj));
        if (text.size() > 200) text = text.substr(0, 197) + "...";
        return text;
    } catch (py::error_already_set&) {
        return "<unprintable " + std::string(Py_TYPE(obj.ptr())->tp_name) + ">";
    }
}

bool is_mapping(py::handle obj) {
    return PyDict_Check(obj.ptr()) || (py::hasattr(obj, "items") && py::hasattr(obj, "keys"));
}

std::string repr_str(std::string_view s) {
    // surrogateescape: text that is not valid UTF-8 still prints (as \udcxx escapes).
    py::object str = py::reinterpret_steal<py::object>(
        PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "surrogateescape"));
    if (!str) throw py::error_already_set();
    return utf8(py::repr(str));
}

py::object quantity_class() {
    PYBIND11_CONSTINIT static py::gil_safe_call_once_and_store<py::object> storage;
    return storage
        .call_once_and_store_result([] { return py::module_::import("datatrail._quantity").attr("Quantity"); })
        .get_stored();
}

// --- scalars -------------------------------------------------------------------------------

std::string to_str(py::handle obj, std::string_view field, Violations& v) {
    if (PyUnicode_Check(obj.ptr())) {
        Py_ssize_t size = 0;
        const char* data = PyUnicode_AsUTF8AndSize(obj.ptr(), &size);
        if (data != nullptr) return std::string(data, static_cast<std::size_t>(size));
        PyErr_Clear();
        v.add(std::string(field), repr_of(obj), "must be text that encodes as UTF-8");
        return {};
    }
    v.add(std::string(field), repr_of(obj), "must be a str");
    return {};
}

std::optional<std::string> to_opt_str(py::handle obj, std::string_view field, Violations& v) {
    if (obj.is_none()) return std::nullopt;
    return to_str(obj, field, v);
}

std::string to_path(py::handle obj, std::string_view field, Violations& v) {
    if (PyUnicode_Check(obj.ptr())) return to_str(obj, field, v);
    py::object path = py::reinterpret_steal<py::object>(PyOS_FSPath(obj.ptr()));
    if (!path) {
        PyErr_Clear();
        v.add(std::string(field), repr_of(obj), "must be a str or os.PathLike path");
        return {};
    }
    if (PyBytes_Check(path.ptr())) {
        path = py::reinterpret_steal<py::object>(
            PyUnicode_DecodeFSDefaultAndSize(PyBytes_AS_STRING(path.ptr()), PyBytes_GET_SIZE(path.ptr())));
        if (!path) throw py::error_already_set();
    }
    return to_str(path, field, v);
}

std::optional<std::uint64_t> to_opt_count(py::handle obj, std::string_view field, Violations& v) {
    if (obj.is_none()) return std::nullopt;
    if (classify(obj) == Scalar::integer) {
        auto x = as_int64(obj);
        if (x && *x >= 0) return static_cast<std::uint64_t>(*x);
    }
    v.add(std::string(field), repr_of(obj), "must be a non-negative int (at most 2**63 - 1) or None");
    return std::nullopt;
}

std::vector<std::string> to_strs(py::handle obj, std::string_view field, Violations& v) {
    std::vector<std::string> out;
    if (obj.is_none()) return out;
    if (PyUnicode_Check(obj.ptr())) {
        out.push_back(to_str(obj, field, v));
        return out;
    }
    for_each_item(obj, field, "must be a str or an iterable of str", v,
                  [&](py::handle item, const std::string& f) { out.push_back(to_str(item, f, v)); });
    return out;
}

DatasetKind to_kind(py::handle obj, std::string_view field, Violations& v) {
    DatasetKind kind = DatasetKind::raw;
    if (!PyUnicode_Check(obj.ptr())) {
        v.add(std::string(field), repr_of(obj), "must be a str: raw or processed");
        return kind;
    }
    const std::string text = to_str(obj, field, v);
    collect(v, [&] { kind = parse_dataset_kind(text, field); });
    return kind;
}

DatasetState to_state(py::handle obj, std::string_view field, Violations& v) {
    DatasetState state = DatasetState::complete;
    if (!PyUnicode_Check(obj.ptr())) {
        v.add(std::string(field), repr_of(obj), "must be a str: acquiring, complete or failed");
        return state;
    }
    const std::string text = to_str(obj, field, v);
    collect(v, [&] { state = parse_dataset_state(text, field); });
    return state;
}

// --- times ---------------------------------------------------------------------------------

std::optional<Timestamp> to_time(py::handle obj, std::string_view field, Violations& v) {
    ensure_datetime_api();
    PyObject* p = obj.ptr();
    if (PyDateTime_Check(p)) {
        py::object aware = py::reinterpret_borrow<py::object>(obj);
        py::object offset = aware.attr("utcoffset")();
        if (offset.is_none()) {
            // Naive: local time. astimezone() resolves it with the system's time zone rules
            // (including DST folds) and gives the wall-clock fields with a fixed offset.
            try {
                aware = aware.attr("astimezone")();
            } catch (py::error_already_set& e) {
                v.add(std::string(field), repr_of(obj),
                      std::string("must be a time the system can convert from local time (") + error_text(e) + ")");
                return std::nullopt;
            }
            offset = aware.attr("utcoffset")();
        }
        PyObject* a = aware.ptr();
        const year_month_day ymd{year{PyDateTime_GET_YEAR(a)}, month{unsigned(PyDateTime_GET_MONTH(a))},
                                 day{unsigned(PyDateTime_GET_DAY(a))}};
        Timestamp t = sys_days{ymd} + hours{PyDateTime_DATE_GET_HOUR(a)} + minutes{PyDateTime_DATE_GET_MINUTE(a)} +
                      seconds{PyDateTime_DATE_GET_SECOND(a)} + microseconds{PyDateTime_DATE_GET_MICROSECOND(a)};
        PyObject* d = offset.ptr();
        if (!PyDelta_Check(d)) {
            v.add(std::string(field), repr_of(obj), "must have a tzinfo whose utcoffset() is a timedelta");
            return std::nullopt;
        }
        t -= days{PyDateTime_DELTA_GET_DAYS(d)} + seconds{PyDateTime_DELTA_GET_SECONDS(d)} +
             microseconds{PyDateTime_DELTA_GET_MICROSECONDS(d)};
        return t;
    }
    if (PyDate_Check(p)) {
        const year_month_day ymd{year{PyDateTime_GET_YEAR(p)}, month{unsigned(PyDateTime_GET_MONTH(p))},
                                 day{unsigned(PyDateTime_GET_DAY(p))}};
        return Timestamp{sys_days{ymd}};
    }
    if (PyUnicode_Check(p)) {
        const std::string text = to_str(obj, field, v);
        std::optional<Timestamp> t;
        collect(v, [&] { t = parse_time(text, field); });
        return t;
    }
    v.add(std::string(field), repr_of(obj), "must be a datetime.datetime, datetime.date or ISO 8601 str");
    return std::nullopt;
}

std::optional<Timestamp> to_opt_time(py::handle obj, std::string_view field, Violations& v) {
    if (obj.is_none()) return std::nullopt;
    return to_time(obj, field, v);
}

py::object from_time(Timestamp t) {
    ensure_datetime_api();
    const auto day_point = floor<days>(t);
    const year_month_day ymd{day_point};
    const hh_mm_ss hms{t - day_point};
    const int y = int(ymd.year());
    if (y < 1 || y > 9999)
        throw py::value_error("time " + format_time(t) + " is outside the range of datetime.datetime");
    PyObject* dt = PyDateTimeAPI->DateTime_FromDateAndTime(y, int(unsigned(ymd.month())), int(unsigned(ymd.day())),
                                                           int(hms.hours().count()), int(hms.minutes().count()),
                                                           int(hms.seconds().count()), int(hms.subseconds().count()),
                                                           PyDateTime_TimeZone_UTC, PyDateTimeAPI->DateTimeType);
    if (dt == nullptr) throw py::error_already_set();
    return py::reinterpret_steal<py::object>(dt);
}

py::object from_opt_time(const std::optional<Timestamp>& t) { return t ? from_time(*t) : py::none(); }

// --- references ----------------------------------------------------------------------------

std::string to_ref(py::handle obj, RefKind kind, std::string_view field, Violations& v) {
    if (obj.is_none()) return {};
    if (PyUnicode_Check(obj.ptr())) return to_str(obj, field, v);
    switch (kind) {
        case RefKind::instrument:
            if (py::isinstance<Instrument>(obj)) {
                const auto& x = obj.cast<const Instrument&>();
                return x.pid.empty() ? x.name : x.pid;
            }
            v.add(std::string(field), repr_of(obj), "must be a PID or name (str) or an Instrument");
            return {};
        case RefKind::investigation:
            if (py::isinstance<Investigation>(obj)) {
                const auto& x = obj.cast<const Investigation&>();
                return x.pid.empty() ? x.name : x.pid;
            }
            v.add(std::string(field), repr_of(obj), "must be a PID or name (str) or an Investigation");
            return {};
        case RefKind::sample:
            if (py::isinstance<Sample>(obj)) {
                const auto& x = obj.cast<const Sample&>();
                return x.pid.empty() ? x.name : x.pid;
            }
            v.add(std::string(field), repr_of(obj), "must be a PID or name (str) or a Sample");
            return {};
        case RefKind::dataset:
            if (py::isinstance<Dataset>(obj)) {
                const auto& x = obj.cast<const Dataset&>();
                if (!x.pid.empty()) return x.pid;
                v.add(std::string(field), repr_of(obj), "must be a registered Dataset (one with a PID)");
                return {};
            }
            v.add(std::string(field), repr_of(obj), "must be a PID (str) or a Dataset");
            return {};
    }
    return {};
}

// --- metadata ------------------------------------------------------------------------------

Metadata to_metadata(py::handle obj, std::string_view field, Violations& v) {
    Metadata md;
    if (obj.is_none()) return md;
    auto add = [&](py::handle key, py::handle value) {
        if (!PyUnicode_Check(key.ptr())) {
            v.add(join_field(field, repr_of(key)), repr_of(key), "metadata keys must be str");
            return;
        }
        std::string k = utf8(key);
        auto mv = to_metadata_value(value, join_field(field, k), v);
        if (mv) md.insert_or_assign(std::move(k), std::move(*mv));
    };
    if (PyDict_Check(obj.ptr())) {
        PyObject *key = nullptr, *value = nullptr;
        Py_ssize_t pos = 0;
        // PyDict_Next hands out borrowed references; they stay valid because nothing called per
        // value (json.dumps, tolist) can reach this dict to change it.
        while (PyDict_Next(obj.ptr(), &pos, &key, &value)) add(key, value);
        return md;
    }
    if (py::hasattr(obj, "items") && py::hasattr(obj, "keys")) {
        for (py::handle pair : obj.attr("items")()) {
            py::tuple kv = py::reinterpret_borrow<py::tuple>(pair);
            add(kv[0], kv[1]);
        }
        return md;
    }
    v.add(std::string(field), repr_of(obj), "must be a mapping of str keys to values (a dict) or None");
    return md;
}

std::optional<MetadataValue> to_metadata_value(py::handle obj, const std::string& field, Violations& v) {
    PyObject* p = obj.ptr();
    if (PyUnicode_Check(p)) return MetadataValue(utf8(obj));
    if (PyBool_Check(p)) return MetadataValue(p == Py_True);
    if (PyLong_Check(p)) {
        auto x = as_int64(obj);
        if (!x) {
            v.add(field, repr_of(obj), "integers must fit in 64 bits");
            return std::nullopt;
        }
        return MetadataValue(*x);
    }
    if (PyFloat_Check(p)) return MetadataValue(PyFloat_AS_DOUBLE(p));
    ensure_datetime_api();
    if (PyDate_Check(p)) {
        auto t = to_time(obj, field, v);
        if (!t) return std::nullopt;
        return MetadataValue(*t);
    }
    if (PyTuple_Check(p)) {
        const auto n = PyTuple_GET_SIZE(p);
        // A 2- or 3-tuple with a str second item is always a quantity, so that a mistyped one is
        // reported rather than stored as a string array; lists are the way to write arrays.
        if ((n == 2 || n == 3) && PyUnicode_Check(PyTuple_GET_ITEM(p, 1)))
            return quantity_value(PyTuple_GET_ITEM(p, 0), PyTuple_GET_ITEM(p, 1),
                                  n == 3 ? py::handle(PyTuple_GET_ITEM(p, 2)) : py::handle(Py_None), field, v);
    }
    if (PyList_Check(p) || PyTuple_Check(p)) {
        auto val = sequence_value(obj, field, v, false);
        if (!val) return std::nullopt;
        return MetadataValue(std::move(*val));
    }
    if (PyDict_Check(p)) {
        auto j = to_json(obj, field, v);
        if (!j) return std::nullopt;
        return MetadataValue(std::move(*j));
    }
    if (is_instance(obj, quantity_class()))
        return quantity_value(obj.attr("value"), obj.attr("unit"), obj.attr("uncertainty"), field, v);
    if (is_numpy_bool(obj)) return MetadataValue(PyObject_IsTrue(p) == 1);
    if (is_numpy_integer(obj)) {
        auto x = as_int64(obj);
        if (!x) {
            v.add(field, repr_of(obj), "integers must fit in 64 bits");
            return std::nullopt;
        }
        return MetadataValue(*x);
    }
    if (is_numpy_floating(obj)) {
        const double d = PyFloat_AsDouble(p);
        if (d == -1.0 && PyErr_Occurred()) throw py::error_already_set();
        return MetadataValue(d);
    }
    if (is_ndarray(obj)) {
        auto val = array_value(obj, field, v, false);
        if (!val) return std::nullopt;
        return MetadataValue(std::move(*val));
    }
    v.add(field, repr_of(obj), metadata_rule);
    return std::nullopt;
}

std::optional<Value> to_scalar_value(py::handle obj, std::string_view field, Violations& v) {
    ensure_datetime_api();
    const Scalar s = classify(obj);
    const bool ok = s == Scalar::string || s == Scalar::boolean || s == Scalar::integer || s == Scalar::floating ||
                    PyDate_Check(obj.ptr());
    if (!ok) {
        v.add(std::string(field), repr_of(obj), "must be a str, int, float, bool, datetime or date");
        return std::nullopt;
    }
    auto mv = to_metadata_value(obj, std::string(field), v);
    if (!mv) return std::nullopt;
    return std::move(mv->value);
}

py::object from_value(const Value& value) {
    struct Visitor {
        py::object operator()(const std::string& s) const {
            return py::reinterpret_steal<py::object>(
                PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "surrogateescape"));
        }
        py::object operator()(std::int64_t i) const { return py::int_(i); }
        py::object operator()(double d) const { return py::float_(d); }
        py::object operator()(bool b) const { return py::bool_(b); }
        py::object operator()(Timestamp t) const { return from_time(t); }
        py::object operator()(const Json& j) const { return modules().json_loads(py::str(j.text)); }
        py::object operator()(const std::vector<std::int64_t>& a) const {
            py::list out(a.size());
            for (std::size_t i = 0; i < a.size(); ++i) out[i] = py::int_(a[i]);
            return out;
        }
        py::object operator()(const std::vector<double>& a) const {
            py::list out(a.size());
            for (std::size_t i = 0; i < a.size(); ++i) out[i] = py::float_(a[i]);
            return out;
        }
        py::object operator()(const std::vector<std::string>& a) const {
            py::list out(a.size());
            for (std::size_t i = 0; i < a.size(); ++i) out[i] = (*this)(a[i]);
            return out;
        }
    };
    py::object out = std::visit(Visitor{}, value.variant());
    if (!out) throw py::error_already_set();
    return out;
}

py::object from_metadata_value(const MetadataValue& value) {
    py::object v = from_value(value.value);
    if (value.unit.empty() && !value.uncertainty) return v;
    return quantity_class()(v, py::str(value.unit),
                            value.uncertainty ? py::object(py::float_(*value.uncertainty)) : py::object(py::none()));
}

py::dict from_metadata(const Metadata& metadata) {
    py::dict out;
    for (const auto& [key, value] : metadata) out[py::str(key)] = from_metadata_value(value);
    return out;
}

// --- pickle states ------------------------------------------------------------------------

py::tuple state_tuple(py::handle state, std::size_t size, const char* cls) {
    if (!PyTuple_Check(state.ptr()) || static_cast<std::size_t>(PyTuple_GET_SIZE(state.ptr())) != size)
        throw py::value_error(std::string("invalid pickle state for ") + cls);
    return py::reinterpret_borrow<py::tuple>(state);
}

py::object time_state(const std::optional<Timestamp>& t) {
    if (!t) return py::none();
    return py::int_(static_cast<long long>(t->time_since_epoch().count()));
}

std::optional<Timestamp> time_from_state(py::handle state) {
    if (state.is_none()) return std::nullopt;
    return Timestamp{microseconds{state.cast<long long>()}};
}

py::tuple value_state(const Value& value) {
    py::object payload;
    if (value.is<Timestamp>())
        payload = time_state(value.as<Timestamp>());
    else if (value.is<Json>())
        payload = py::str(value.as<Json>().text);
    else
        payload = from_value(value);
    return py::make_tuple(stored_code(value.type()), payload);
}

Value value_from_state(py::handle state) {
    py::tuple t = state_tuple(state, 2, "a metadata value");
    const auto type = value_type_from_code(t[0].cast<std::int64_t>());
    if (!type) throw py::value_error("invalid pickle state for a metadata value: unknown type code");
    switch (*type) {
        case ValueType::string: return Value(t[1].cast<std::string>());
        case ValueType::integer: return Value(t[1].cast<std::int64_t>());
        case ValueType::floating: return Value(t[1].cast<double>());
        case ValueType::boolean: return Value(t[1].cast<bool>());
        case ValueType::datetime: return Value(*time_from_state(t[1]));
        case ValueType::json: return Value(Json{t[1].cast<std::string>()});
        case ValueType::integer_array: return Value(t[1].cast<std::vector<std::int64_t>>());
        case ValueType::float_array: return Value(t[1].cast<std::vector<double>>());
        case ValueType::string_array: return Value(t[1].cast<std::vector<std::string>>());
    }
    throw py::value_error("invalid pickle state for a metadata value");
}

py::list metadata_state(const Metadata& metadata) {
    py::list out;
    for (const auto& [key, mv] : metadata)
        out.append(py::make_tuple(key, value_state(mv.value), mv.unit,
                                  mv.uncertainty ? py::object(py::float_(*mv.uncertainty)) : py::object(py::none())));
    return out;
}

Metadata metadata_from_state(py::handle state) {
    Metadata md;
    for (py::handle item : state) {
        py::tuple t = state_tuple(item, 4, "a metadata entry");
        MetadataValue mv;
        mv.value = value_from_state(t[1]);
        mv.unit = t[2].cast<std::string>();
        if (!t[3].is_none()) mv.uncertainty = t[3].cast<double>();
        md.insert_or_assign(t[0].cast<std::string>(), std::move(mv));
    }
    return md;
}

}  // namespace datatrail::python
