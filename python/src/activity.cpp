// Activity (a PROV activity: an acquisition, a processing step, a workflow run, a notebook session),
// what it used, its agents and the environment it ran in.
#include "convert.hpp"
#include "records.hpp"

#include <datatrail/activity.hpp>

#include <pybind11/gil_safe_call_once.h>

namespace py = pybind11;
using namespace datatrail;
using namespace datatrail::python;

namespace {

// An iterable of items converted one by one, naming them field[i]; `lone(obj)` says when obj
// is one item rather than an iterable of them.
template <class T, class Lone, class Convert>
std::vector<T> to_items(py::handle obj, std::string_view field, const char* rule, Violations& v, Lone lone,
                        Convert convert) {
    std::vector<T> out;
    if (obj.is_none()) return out;
    if (lone(obj)) {
        out.push_back(convert(obj, join_field(field, "[0]")));
        return out;
    }
    for_each_item(obj, field, rule, v, [&](py::handle item, const std::string& f) { out.push_back(convert(item, f)); });
    return out;
}

}  // namespace

namespace datatrail::python {

py::object activity_run_class() {
    PYBIND11_CONSTINIT static py::gil_safe_call_once_and_store<py::object> storage;
    return storage
        .call_once_and_store_result([] { return py::module_::import("datatrail._activity").attr("ActivityRun"); })
        .get_stored();
}

ActivityType to_activity_type(py::handle obj, std::string_view field, Violations& v) {
    ActivityType type = ActivityType::processing;
    if (!PyUnicode_Check(obj.ptr())) {
        v.add(std::string(field), repr_of(obj), "must be a str: acquisition, processing, workflow, notebook or other");
        return type;
    }
    const std::string text = to_str(obj, field, v);
    collect(v, [&] { type = parse_activity_type(text, field); });
    return type;
}

ActivityStatus to_activity_status(py::handle obj, std::string_view field, Violations& v) {
    ActivityStatus status = ActivityStatus::running;
    if (!PyUnicode_Check(obj.ptr())) {
        v.add(std::string(field), repr_of(obj), "must be a str: running, succeeded or failed");
        return status;
    }
    const std::string text = to_str(obj, field, v);
    collect(v, [&] { status = parse_activity_status(text, field); });
    return status;
}

std::string to_activity_ref(py::handle obj, std::string_view field, Violations& v) {
    if (obj.is_none()) return {};
    if (PyUnicode_Check(obj.ptr())) return to_str(obj, field, v);
    if (py::isinstance<Activity>(obj)) {
        const auto& a = obj.cast<const Activity&>();
        if (a.pid.empty()) v.add(std::string(field), repr_of(obj), "must be a recorded Activity (one with a PID)");
        return a.pid;
    }
    if (py::isinstance(obj, activity_run_class())) {
        py::object pid = obj.attr("pid");
        std::string p = to_str(pid, field, v);
        if (p.empty()) v.add(std::string(field), repr_of(obj), "must be a started ActivityRun (entered with `with`)");
        return p;
    }
    v.add(std::string(field), repr_of(obj), "must be an activity's PID (str), an Activity or an ActivityRun");
    return {};
}

std::string to_node_ref(py::handle obj, std::string_view field, Violations& v) {
    if (py::isinstance<Dataset>(obj)) return to_ref(obj, RefKind::dataset, field, v);
    if (PyUnicode_Check(obj.ptr()) || py::isinstance<Activity>(obj) || py::isinstance(obj, activity_run_class()))
        return to_activity_ref(obj, field, v);
    v.add(std::string(field), repr_of(obj), "must be a PID (str), a Dataset, an Activity or an ActivityRun");
    return {};
}

std::vector<std::string> to_activity_refs(py::handle obj, std::string_view field, Violations& v) {
    return to_items<std::string>(
        obj, field, "must be an iterable of activities (PIDs, Activity or ActivityRun objects)", v,
        [](py::handle x) {
            return PyUnicode_Check(x.ptr()) || py::isinstance<Activity>(x) || py::isinstance(x, activity_run_class());
        },
        [&](py::handle x, const std::string& f) {
            if (x.is_none()) {
                v.add(f, "None", "must be an activity's PID (str), an Activity or an ActivityRun");
                return std::string();
            }
            return to_activity_ref(x, f, v);
        });
}

Used to_used(py::handle obj, std::string_view field, Violations& v) {
    if (py::isinstance<Used>(obj)) return obj.cast<const Used&>();
    Used u;
    if (PyUnicode_Check(obj.ptr()) || py::isinstance<Dataset>(obj)) {
        u.dataset = to_ref(obj, RefKind::dataset, join_field(field, "dataset"), v);
        return u;
    }
    if (PyTuple_Check(obj.ptr()) && PyTuple_GET_SIZE(obj.ptr()) == 2) {
        py::tuple t = py::reinterpret_borrow<py::tuple>(obj);
        if (t[0].is_none())
            v.add(join_field(field, "dataset"), "None", "must be a dataset PID (str) or a Dataset");
        else
            u.dataset = to_ref(t[0], RefKind::dataset, join_field(field, "dataset"), v);
        u.role = to_str(t[1], join_field(field, "role"), v);
        return u;
    }
    if (is_mapping(obj)) {
        fields::read_mapping<records::used_table>(u, obj, field, v);
        return u;
    }
    v.add(std::string(field), repr_of(obj),
          "must be a dataset (PID or Dataset), a (dataset, role) tuple, a Used or a mapping of its fields");
    return u;
}

std::vector<Used> to_useds(py::handle obj, std::string_view field, Violations& v) {
    return to_items<Used>(
        obj, field, "must be an iterable of inputs: datasets, PIDs, (dataset, role) tuples or Used objects", v,
        [](py::handle x) {
            return PyUnicode_Check(x.ptr()) || py::isinstance<Dataset>(x) || py::isinstance<Used>(x) ||
                   PyDict_Check(x.ptr());
        },
        [&](py::handle x, const std::string& f) { return to_used(x, f, v); });
}

Association to_association(py::handle obj, std::string_view field, Violations& v) {
    if (py::isinstance<Association>(obj)) return obj.cast<const Association&>();
    Association a;
    if (PyUnicode_Check(obj.ptr()) || py::isinstance<Agent>(obj)) {
        a.agent = to_agent_ref(obj, join_field(field, "agent"), v);
        return a;
    }
    if (PyTuple_Check(obj.ptr()) && PyTuple_GET_SIZE(obj.ptr()) == 2) {
        py::tuple t = py::reinterpret_borrow<py::tuple>(obj);
        a.agent = to_agent_ref(t[0], join_field(field, "agent"), v);
        a.role = to_str(t[1], join_field(field, "role"), v);
        return a;
    }
    if (is_mapping(obj)) {
        fields::read_mapping<records::association_table>(a, obj, field, v);
        return a;
    }
    v.add(std::string(field), repr_of(obj),
          "must be an agent (PID, name or Agent), an (agent, role) tuple, an Association or a mapping of its fields");
    return a;
}

std::vector<Association> to_associations(py::handle obj, std::string_view field, Violations& v) {
    return to_items<Association>(
        obj, field, "must be an iterable of agents: names, PIDs, Agent objects, (agent, role) tuples or Associations",
        v,
        [](py::handle x) {
            return PyUnicode_Check(x.ptr()) || py::isinstance<Agent>(x) || py::isinstance<Association>(x) ||
                   PyDict_Check(x.ptr());
        },
        [&](py::handle x, const std::string& f) { return to_association(x, f, v); });
}

Environment to_environment(py::handle obj, std::string_view field, Violations& v) {
    if (obj.is_none()) return {};
    return fields::record_or_mapping<records::environment_table>(
        obj, field, v, "must be an Environment, a mapping of its fields or None");
}

std::map<std::string, std::string> to_str_map(py::handle obj, std::string_view field, Violations& v) {
    std::map<std::string, std::string> out;
    if (obj.is_none()) return out;
    if (!is_mapping(obj)) {
        v.add(std::string(field), repr_of(obj), "must be a mapping of str to str (a dict) or None");
        return out;
    }
    for (py::handle pair : obj.attr("items")()) {
        py::tuple kv = py::reinterpret_borrow<py::tuple>(pair);
        if (!PyUnicode_Check(kv[0].ptr())) {
            v.add(join_field(field, repr_of(kv[0])), repr_of(kv[0]), "keys must be str");
            continue;
        }
        std::string key = kv[0].cast<std::string>();
        out[key] = to_str(kv[1], join_field(field, key), v);
    }
    return out;
}

Activity to_activity(py::handle obj, std::string_view field, Violations& v) {
    return fields::record_or_mapping<records::activity_table>(
        obj, field, v, "must be an Activity or a mapping of Activity() keywords");
}

}  // namespace datatrail::python

void init_activity(py::module_& m) {
    // --- Environment -------------------------------------------------------------------------
    auto env = fields::record_class<records::environment_table>(m, R"doc(
Where and with what an activity ran: operating system, user, the git state of the caller's
source tree and, from Python, the interpreter's version and the installed packages.

:func:`capture_environment` fills in what C++ can see; :meth:`Catalog.activity` adds the Python
side.

)doc",
                                                                true);
    fields::bind<records::environment_table>(env);

    m.def(
        "capture_environment",
        [](const OptPathArg& source_tree) {
            Violations v;
            const std::string dir = source_tree.is_none() ? std::string() : to_path(source_tree, "source_tree", v);
            v.throw_if_any();
            py::gil_scoped_release release;
            return capture_environment(dir);
        },
        py::arg("source_tree") = py::none(), R"doc(
What C++ can see of the environment: operating system, user and, when ``source_tree`` is
inside a git work tree, its top, HEAD commit and whether tracked files have uncommitted
changes. Runs ``git`` with the GIL released; a missing git is no error (the git fields stay empty).

:param source_tree: a folder of the code that runs; None for the working directory
:returns: an :class:`Environment` without the Python fields
)doc");
    m.def("host_name", &host_name, "This machine's host name, as activities record it.");
    m.def("compare_versions", &compare_versions, py::arg("a"), py::arg("b"), R"doc(
Compare two version strings the way :meth:`Catalog.find_activities` does: dotted parts one by
one, numbers as numbers (``1.2 < 1.10``), and a pre-release suffix before its release
(``2.0rc1 < 2.0``).

:returns: a negative number, 0 or a positive number as ``a`` is older than, equal to or newer than ``b``
)doc");

    // --- Used, Association -----------------------------------------------------------------
    auto used = fields::record_class<records::used_table>(m, R"doc(
An activity used a dataset, or one file of it, in a role.

Wherever inputs are accepted a dataset (:class:`Dataset` or PID) or a ``(dataset, role)`` tuple
will do as well; a Used is needed to name one file.

)doc",
                                                         true);
    fields::bind<records::used_table>(used);

    auto association = fields::record_class<records::association_table>(m, R"doc(
An activity was associated with an agent, in a role (``"operator"``, ``"author"``,
``"processing software"``).

Wherever agents are accepted an agent (:class:`Agent`, PID or name) or an ``(agent, role)``
tuple will do as well.

)doc",
                                                                        true);
    fields::bind<records::association_table>(association);

    // --- Activity -----------------------------------------------------------------------------
    auto cls = fields::record_class<records::activity_table>(m, R"doc(
A PROV activity: an acquisition, a processing step, a workflow run or a notebook session, with
its program, typed parameters, times, status, environment, what it used, its agents and what it
generated.

Most code records activities with :meth:`Catalog.activity` (a context manager); an Activity built
here can be recorded with :meth:`Catalog.start_activity`. Activities read back from the
catalogue (:meth:`Catalog.get_activity`, :meth:`Catalog.find_activities`) carry PIDs everywhere:
in ``used``, ``agents``, ``parent``, ``informed_by`` and ``generated``.

Lists and the parameters dict returned by the properties are new objects on every access:
changing them does not change the activity; assign a whole new value instead.

)doc",
                                                             true);
    fields::bind<records::activity_table>(cls);
}
