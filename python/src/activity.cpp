// Activity (a PROV activity: an acquisition, a processing step, a workflow run, a notebook session),
// what it used, its agents and the environment it ran in.
#include "convert.hpp"

#include <datatrail/activity.hpp>

#include <pybind11/gil_safe_call_once.h>

namespace py = pybind11;
using namespace datatrail;
using namespace datatrail::python;

namespace {

constexpr const char* activity_keys =
    "pid, name, type, program, version, parameters, start_time, end_time, status, host, command_line, parent, log, "
    "environment, used, agents, informed_by, created_by";
constexpr const char* environment_keys = "os, user, source_tree, git_commit, git_dirty, python_version, packages";
constexpr const char* used_keys = "dataset, file, role";
constexpr const char* association_keys = "agent, role";

bool is_mapping(py::handle obj) {
    return PyDict_Check(obj.ptr()) || (py::hasattr(obj, "items") && py::hasattr(obj, "keys"));
}

// Calls set(key, value) for each item of a mapping; unknown and non-str keys become violations
// listing `known`.
template <class Set>
void read_mapping(py::handle obj, std::string_view field, const char* what, const char* known, Violations& v, Set set) {
    for (py::handle pair : obj.attr("items")()) {
        py::tuple kv = py::reinterpret_borrow<py::tuple>(pair);
        if (!PyUnicode_Check(kv[0].ptr())) {
            v.add(join_field(field, repr_of(kv[0])), repr_of(kv[0]), std::string(what) + " keys must be str: " + known);
            continue;
        }
        const std::string key = kv[0].cast<std::string>();
        if (!set(key, kv[1]))
            v.add(join_field(field, key), repr_of(kv[1]), std::string("is not ") + what + " field; known: " + known);
    }
}

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

bool set_environment_field(Environment& e, std::string_view key, py::handle value, std::string_view prefix,
                           Violations& v) {
    const std::string field = join_field(prefix, key);
    auto text = [&](std::string& target) { target = value.is_none() ? std::string() : to_str(value, field, v); };
    if (key == "os")
        text(e.os);
    else if (key == "user")
        text(e.user);
    else if (key == "source_tree")
        e.source_tree = value.is_none() ? std::string() : to_path(value, field, v);
    else if (key == "git_commit")
        text(e.git_commit);
    else if (key == "git_dirty") {
        if (value.is_none())
            e.git_dirty.reset();
        else if (PyBool_Check(value.ptr()))
            e.git_dirty = value.ptr() == Py_True;
        else
            v.add(field, repr_of(value), "must be a bool or None (unknown)");
    } else if (key == "python_version")
        text(e.python_version);
    else if (key == "packages")
        e.packages = to_str_map(value, field, v);
    else
        return false;
    return true;
}

bool set_used_field(Used& u, std::string_view key, py::handle value, std::string_view prefix, Violations& v) {
    const std::string field = join_field(prefix, key);
    if (key == "dataset")
        u.dataset = to_ref(value, RefKind::dataset, field, v);
    else if (key == "file")
        u.file = value.is_none() ? std::string() : to_path(value, field, v);
    else if (key == "role")
        u.role = value.is_none() ? std::string() : to_str(value, field, v);
    else
        return false;
    return true;
}

bool set_association_field(Association& a, std::string_view key, py::handle value, std::string_view prefix,
                           Violations& v) {
    const std::string field = join_field(prefix, key);
    if (key == "agent")
        a.agent = value.is_none() ? std::string() : to_agent_ref(value, field, v);
    else if (key == "role")
        a.role = value.is_none() ? std::string() : to_str(value, field, v);
    else
        return false;
    return true;
}

std::string environment_repr(const Environment& e) {
    std::string out = "Environment(os=" + repr_str(e.os) + ", user=" + repr_str(e.user);
    if (!e.source_tree.empty()) out += ", source_tree=" + repr_str(e.source_tree);
    if (!e.git_commit.empty()) out += ", git_commit=" + repr_str(e.git_commit.substr(0, 12));
    if (e.git_dirty) out += std::string(", git_dirty=") + (*e.git_dirty ? "True" : "False");
    if (!e.python_version.empty()) out += ", python_version=" + repr_str(e.python_version);
    if (!e.packages.empty()) out += ", packages=" + std::to_string(e.packages.size());
    return out + ")";
}

std::string used_repr(const Used& u) {
    std::string out = "Used(dataset=" + repr_str(u.dataset);
    if (!u.file.empty()) out += ", file=" + repr_str(u.file);
    if (!u.role.empty()) out += ", role=" + repr_str(u.role);
    return out + ")";
}

std::string association_repr(const Association& a) {
    std::string out = "Association(agent=" + repr_str(a.agent);
    if (!a.role.empty()) out += ", role=" + repr_str(a.role);
    return out + ")";
}

std::string activity_repr(const Activity& a) {
    std::string out = "Activity(pid=" + repr_str(a.pid) + ", name=" + repr_str(a.name) +
                      ", type=" + repr_str(to_string(a.type));
    if (!a.program.empty()) out += ", program=" + repr_str(a.program);
    if (!a.version.empty()) out += ", version=" + repr_str(a.version);
    out += ", status=" + repr_str(to_string(a.status));
    out += ", parameters=" + count_keys(a.parameters.size());
    out += ", used=" + std::to_string(a.used.size()) + ", generated=" + std::to_string(a.generated.size());
    return out + ")";
}

py::tuple environment_state(const Environment& e) {
    return py::make_tuple(e.os, e.user, e.source_tree, e.git_commit, e.git_dirty, e.python_version, e.packages);
}

Environment environment_from_state(py::handle state) {
    auto t = state_tuple(state, 7, "Environment");
    Environment e;
    e.os = t[0].cast<std::string>();
    e.user = t[1].cast<std::string>();
    e.source_tree = t[2].cast<std::string>();
    e.git_commit = t[3].cast<std::string>();
    e.git_dirty = t[4].cast<std::optional<bool>>();
    e.python_version = t[5].cast<std::string>();
    e.packages = t[6].cast<std::map<std::string, std::string>>();
    return e;
}

// A property of Activity whose setter converts through set_activity_field.
template <class Out, class In, class Get>
void field_property(py::class_<Activity>& cls, const char* name, Get get, const char* doc) {
    cls.def_property(
        name, [get](const Activity& a) -> Out { return get(a); },
        [name](Activity& a, const In& value) {
            Violations v;
            set_activity_field(a, name, value, "", v);
            v.throw_if_any();
        },
        doc);
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
        read_mapping(obj, field, "a Used", used_keys, v,
                     [&](const std::string& key, py::handle value) { return set_used_field(u, key, value, field, v); });
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
        read_mapping(obj, field, "an Association", association_keys, v, [&](const std::string& key, py::handle value) {
            return set_association_field(a, key, value, field, v);
        });
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
    if (py::isinstance<Environment>(obj)) return obj.cast<const Environment&>();
    Environment e;
    if (is_mapping(obj)) {
        read_mapping(obj, field, "an Environment", environment_keys, v, [&](const std::string& key, py::handle value) {
            return set_environment_field(e, key, value, field, v);
        });
        return e;
    }
    v.add(std::string(field), repr_of(obj), "must be an Environment, a mapping of its fields or None");
    return e;
}

bool set_activity_field(Activity& a, std::string_view key, py::handle value, std::string_view prefix, Violations& v) {
    const std::string field = join_field(prefix, key);
    auto text = [&](std::string& target) { target = value.is_none() ? std::string() : to_str(value, field, v); };
    if (key == "pid")
        text(a.pid);
    else if (key == "name")
        text(a.name);
    else if (key == "type")
        a.type = to_activity_type(value, field, v);
    else if (key == "program")
        text(a.program);
    else if (key == "version")
        text(a.version);
    else if (key == "parameters")
        a.parameters = to_metadata(value, field, v);
    else if (key == "start_time")
        a.start_time = to_opt_time(value, field, v);
    else if (key == "end_time")
        a.end_time = to_opt_time(value, field, v);
    else if (key == "status")
        a.status = to_activity_status(value, field, v);
    else if (key == "host")
        text(a.host);
    else if (key == "command_line")
        text(a.command_line);
    else if (key == "parent")
        a.parent = to_activity_ref(value, field, v);
    else if (key == "log")
        text(a.log);
    else if (key == "environment")
        a.environment = to_environment(value, field, v);
    else if (key == "used")
        a.used = to_useds(value, field, v);
    else if (key == "agents")
        a.agents = to_associations(value, field, v);
    else if (key == "informed_by")
        a.informed_by = to_activity_refs(value, field, v);
    else if (key == "created_by")
        text(a.created_by);
    else
        return false;
    return true;
}

Activity to_activity(py::handle obj, std::string_view field, Violations& v) {
    if (py::isinstance<Activity>(obj)) return obj.cast<const Activity&>();
    Activity a;
    if (is_mapping(obj)) {
        read_mapping(obj, field, "an Activity", activity_keys, v, [&](const std::string& key, py::handle value) {
            return set_activity_field(a, key, value, field, v);
        });
        return a;
    }
    v.add(std::string(field), repr_of(obj), "must be an Activity or a mapping of Activity() keywords");
    return a;
}

}  // namespace datatrail::python

void init_activity(py::module_& m) {
    // --- Environment -------------------------------------------------------------------------
    py::class_<Environment> env(m, "Environment", R"doc(
Where and with what an activity ran: operating system, user, the git state of the caller's
source tree and, from Python, the interpreter's version and the installed packages.

:func:`capture_environment` fills in what C++ can see; :meth:`Catalog.activity` adds the Python
side.

:param os: e.g. ``"Linux 6.1.0-18-amd64 x86_64"``
:param user: the account that ran it
:param source_tree: the git work tree of the caller's code, if any
:param git_commit: its HEAD commit
:param git_dirty: whether it had uncommitted changes; None when unknown (not in git)
:param python_version: e.g. ``"3.11.7"``
:param packages: installed distributions, name to version
)doc");
    env.def(py::init([](const StrArg& os, const StrArg& user, const PathArg& source_tree, const StrArg& git_commit,
                        const OptBoolArg& git_dirty, const StrArg& python_version, const StrMapArg& packages) {
                Environment e;
                Violations v;
                set_environment_field(e, "os", os, "", v);
                set_environment_field(e, "user", user, "", v);
                set_environment_field(e, "source_tree", source_tree, "", v);
                set_environment_field(e, "git_commit", git_commit, "", v);
                set_environment_field(e, "git_dirty", git_dirty, "", v);
                set_environment_field(e, "python_version", python_version, "", v);
                set_environment_field(e, "packages", packages, "", v);
                v.throw_if_any();
                return e;
            }),
            py::kw_only(), py::arg("os") = "", py::arg("user") = "", py::arg("source_tree") = "",
            py::arg("git_commit") = "", py::arg("git_dirty") = py::none(), py::arg("python_version") = "",
            py::arg("packages") = py::none())
        .def_readwrite("os", &Environment::os, "The operating system: name, release, machine.")
        .def_readwrite("user", &Environment::user, "The account that ran the activity.")
        .def_readwrite("source_tree", &Environment::source_tree,
                       "The top of the git work tree the caller's code lives in; empty when not in git.")
        .def_readwrite("git_commit", &Environment::git_commit, "The source tree's HEAD commit; empty when not in git.")
        .def_readwrite("git_dirty", &Environment::git_dirty,
                       "Whether the source tree had uncommitted changes to tracked files; None when not in git.")
        .def_readwrite("python_version", &Environment::python_version,
                       "The Python version, e.g. ``\"3.11.7\"``; empty for activities recorded from C++.")
        .def_property(
            "packages", [](const Environment& e) { return StrMapOut(py::cast(e.packages)); },
            [](Environment& e, const StrMapArg& value) {
                Violations v;
                set_environment_field(e, "packages", value, "", v);
                v.throw_if_any();
            },
            "The installed Python distributions, name to version, as a new dict on every access.")
        .def("__eq__", &equal_fields<Environment>, py::arg("other"))
        .def("__repr__", &environment_repr);
    add_pickle(env, &environment_state, [](const py::tuple& state) { return environment_from_state(state); });
    add_copy(env);

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
    py::class_<Used> used(m, "Used", R"doc(
An activity used a dataset, or one file of it, in a role.

Wherever inputs are accepted a dataset (:class:`Dataset` or PID) or a ``(dataset, role)`` tuple
will do as well; a Used is needed to name one file.

:param dataset: the dataset: a :class:`Dataset` or its PID
:param file: the path of one of its files; empty for the whole dataset
:param role: e.g. ``"input"``, ``"dark"``, ``"calibration"``
)doc");
    used.def(py::init([](const UsedRef& dataset, const PathArg& file, const StrArg& role) {
                 Used u;
                 Violations v;
                 set_used_field(u, "dataset", dataset, "", v);
                 set_used_field(u, "file", file, "", v);
                 set_used_field(u, "role", role, "", v);
                 v.throw_if_any();
                 return u;
             }),
             py::arg("dataset") = "", py::arg("file") = "", py::arg("role") = "")
        .def_property(
            "dataset", [](const Used& u) { return u.dataset; },
            [](Used& u, const UsedRef& value) {
                Violations v;
                set_used_field(u, "dataset", value, "", v);
                v.throw_if_any();
            },
            "The dataset's PID. Set it to a :class:`Dataset` or a PID.")
        .def_property(
            "file", [](const Used& u) { return u.file; },
            [](Used& u, const PathArg& value) {
                Violations v;
                set_used_field(u, "file", value, "", v);
                v.throw_if_any();
            },
            "The path of the file used, relative to the dataset's location; empty for the whole dataset.")
        .def_readwrite("role", &Used::role, "The role it played, e.g. ``\"dark\"``; empty when none.")
        .def("__eq__", &equal_fields<Used>, py::arg("other"))
        .def("__repr__", &used_repr);
    add_pickle(
        used, [](const Used& u) { return py::make_tuple(u.dataset, u.file, u.role); },
        [](const py::tuple& state) {
            auto t = state_tuple(state, 3, "Used");
            return Used{t[0].cast<std::string>(), t[1].cast<std::string>(), t[2].cast<std::string>()};
        });
    add_copy(used);

    py::class_<Association> association(m, "Association", R"doc(
An activity was associated with an agent, in a role (``"operator"``, ``"author"``,
``"processing software"``).

Wherever agents are accepted an agent (:class:`Agent`, PID or name) or an ``(agent, role)``
tuple will do as well.

:param agent: the agent: an :class:`Agent`, its PID or its name
:param role: the role it played
)doc");
    association
        .def(py::init([](const AgentRef& agent, const StrArg& role) {
                 Association a;
                 Violations v;
                 set_association_field(a, "agent", agent, "", v);
                 set_association_field(a, "role", role, "", v);
                 v.throw_if_any();
                 return a;
             }),
             py::arg("agent") = "", py::arg("role") = "")
        .def_property(
            "agent", [](const Association& a) { return a.agent; },
            [](Association& a, const AgentRef& value) {
                Violations v;
                set_association_field(a, "agent", value, "", v);
                v.throw_if_any();
            },
            "The agent's PID (read back from the catalogue) or the PID or name it was given by. Set it to an "
            ":class:`Agent`, a PID or a name.")
        .def_readwrite("role", &Association::role, "The role the agent played; empty when none.")
        .def("__eq__", &equal_fields<Association>, py::arg("other"))
        .def("__repr__", &association_repr);
    add_pickle(
        association, [](const Association& a) { return py::make_tuple(a.agent, a.role); },
        [](const py::tuple& state) {
            auto t = state_tuple(state, 2, "Association");
            return Association{t[0].cast<std::string>(), t[1].cast<std::string>()};
        });
    add_copy(association);

    // --- Activity -----------------------------------------------------------------------------
    py::class_<Activity> cls(m, "Activity", R"doc(
A PROV activity: an acquisition, a processing step, a workflow run or a notebook session, with
its program, typed parameters, times, status, environment, what it used, its agents and what it
generated.

Most code records activities with :meth:`Catalog.activity` (a context manager); an Activity built
here can be recorded with :meth:`Catalog.start_activity`. Activities read back from the
catalogue (:meth:`Catalog.get_activity`, :meth:`Catalog.find_activities`) carry PIDs everywhere:
in ``used``, ``agents``, ``parent``, ``informed_by`` and ``generated``.

Lists and the parameters dict returned by the properties are new objects on every access:
changing them does not change the activity; assign a whole new value instead.

:param name: e.g. ``"azimuthal_integration"``
:param type: ``"acquisition"``, ``"processing"``, ``"workflow"``, ``"notebook"`` or ``"other"``
:param pid: the PID; None until the catalogue mints one
:param program: the program that ran, e.g. ``"pyFAI"``
:param version: its version, e.g. ``"2025.1"``
:param parameters: typed parameters, written like dataset metadata (``{"distance": (250.0, "mm")}``)
:param start_time: when it started; the catalogue uses now when None
:param end_time: when it ended
:param status: ``"running"``, ``"succeeded"`` or ``"failed"``
:param host: the machine; the catalogue fills in this one when empty
:param command_line: the command that ran
:param parent: the activity that contains this one (a workflow run): an :class:`Activity`,
    :class:`ActivityRun` or PID
:param log: the log text
:param environment: an :class:`Environment` (or a mapping of its fields)
:param used: inputs: datasets (objects or PIDs), ``(dataset, role)`` tuples or :class:`Used`
:param agents: agents (names, PIDs or :class:`Agent` objects), ``(agent, role)`` tuples or
    :class:`Association` objects
:param informed_by: activities whose results this one used (objects or PIDs)
:param created_by: who recorded it; the catalogue fills in the user when empty
)doc");
    cls.def(py::init([](const StrArg& name, const StrArg& type, const OptStrArg& pid, const StrArg& program,
                        const StrArg& version, const MetadataArg& parameters, const OptTimeArg& start_time,
                        const OptTimeArg& end_time, const StrArg& status, const StrArg& host,
                        const StrArg& command_line, const OptActivityRef& parent, const StrArg& log,
                        const EnvironmentArg& environment, const InputsArg& used, const AgentsArg& agents,
                        const ActivitiesArg& informed_by, const StrArg& created_by) {
                Activity a;
                Violations v;
                set_activity_field(a, "name", name, "", v);
                set_activity_field(a, "type", type, "", v);
                set_activity_field(a, "pid", pid, "", v);
                set_activity_field(a, "program", program, "", v);
                set_activity_field(a, "version", version, "", v);
                set_activity_field(a, "parameters", parameters, "", v);
                set_activity_field(a, "start_time", start_time, "", v);
                set_activity_field(a, "end_time", end_time, "", v);
                set_activity_field(a, "status", status, "", v);
                set_activity_field(a, "host", host, "", v);
                set_activity_field(a, "command_line", command_line, "", v);
                set_activity_field(a, "parent", parent, "", v);
                set_activity_field(a, "log", log, "", v);
                set_activity_field(a, "environment", environment, "", v);
                set_activity_field(a, "used", used, "", v);
                set_activity_field(a, "agents", agents, "", v);
                set_activity_field(a, "informed_by", informed_by, "", v);
                set_activity_field(a, "created_by", created_by, "", v);
                v.throw_if_any();
                return a;
            }),
            py::arg("name") = "", py::arg("type") = "processing", py::kw_only(), py::arg("pid") = py::none(),
            py::arg("program") = "", py::arg("version") = "", py::arg("parameters") = py::none(),
            py::arg("start_time") = py::none(), py::arg("end_time") = py::none(), py::arg("status") = "running",
            py::arg("host") = "", py::arg("command_line") = "", py::arg("parent") = py::none(), py::arg("log") = "",
            py::arg("environment") = py::none(), py::arg("used") = py::tuple(), py::arg("agents") = py::tuple(),
            py::arg("informed_by") = py::tuple(), py::arg("created_by") = "");

    cls.def_readwrite("pid", &Activity::pid, "The PID; empty until the catalogue mints one.")
        .def_readwrite("name", &Activity::name, "The name, e.g. ``\"azimuthal_integration\"``.");
    field_property<std::string, StrArg>(
        cls, "type", [](const Activity& a) { return std::string(to_string(a.type)); },
        "``\"acquisition\"``, ``\"processing\"``, ``\"workflow\"``, ``\"notebook\"`` or ``\"other\"``.");
    cls.def_readwrite("program", &Activity::program, "The program that ran; empty when none.")
        .def_readwrite("version", &Activity::version, "The program's version; empty when none.");
    field_property<MetadataOut, MetadataArg>(
        cls, "parameters", [](const Activity& a) { return MetadataOut(from_metadata(a.parameters)); },
        "The parameters as a new dict on every access; values with a unit or uncertainty are "
        ":class:`Quantity` objects.");
    field_property<OptDateTimeOut, OptTimeArg>(
        cls, "start_time", [](const Activity& a) { return OptDateTimeOut(from_opt_time(a.start_time)); },
        "When it started (an aware datetime in UTC), or None before it is recorded.");
    field_property<OptDateTimeOut, OptTimeArg>(
        cls, "end_time", [](const Activity& a) { return OptDateTimeOut(from_opt_time(a.end_time)); },
        "When it ended (an aware datetime in UTC), or None while running.");
    field_property<std::string, StrArg>(
        cls, "status", [](const Activity& a) { return std::string(to_string(a.status)); },
        "``\"running\"``, ``\"succeeded\"`` or ``\"failed\"``.");
    cls.def_readwrite("host", &Activity::host, "The machine it ran on.")
        .def_readwrite("command_line", &Activity::command_line, "The command that ran; empty when not recorded.");
    field_property<std::string, OptActivityRef>(
        cls, "parent", [](const Activity& a) { return a.parent; },
        "The PID of the activity that contains this one; empty when none. Set it to an :class:`Activity`, "
        ":class:`ActivityRun` or PID.");
    cls.def_readwrite("log", &Activity::log, "The log text (a failed run's ends with the traceback).")
        .def_readwrite("environment", &Activity::environment,
                       "Where and with what it ran, as an :class:`Environment` (changes to it change the activity).");
    field_property<std::vector<Used>, InputsArg>(
        cls, "used", [](const Activity& a) { return a.used; },
        "What it used, as :class:`Used` objects; a new list on every access.");
    field_property<std::vector<Association>, AgentsArg>(
        cls, "agents", [](const Activity& a) { return a.agents; },
        "Its agents with their roles, as :class:`Association` objects; a new list on every access.");
    field_property<std::vector<std::string>, ActivitiesArg>(
        cls, "informed_by", [](const Activity& a) { return a.informed_by; },
        "The PIDs of the activities whose results it used; a new list on every access.");
    cls.def_property_readonly(
        "generated", [](const Activity& a) { return a.generated; },
        "The PIDs of the datasets it generated, read back from the catalogue (record outputs with "
        ":meth:`Catalog.add_outputs` or :meth:`ActivityRun.output`).");
    cls.def_readwrite("created_by", &Activity::created_by, "Who recorded it.");

    cls.def("__eq__", &equal_fields<Activity>, py::arg("other")).def("__repr__", &activity_repr);
    add_pickle(
        cls,
        [](const Activity& a) {
            py::list used_state, agents_state;
            for (const auto& u : a.used) used_state.append(py::make_tuple(u.dataset, u.file, u.role));
            for (const auto& x : a.agents) agents_state.append(py::make_tuple(x.agent, x.role));
            return py::make_tuple(a.pid, a.name, std::string(to_string(a.type)), a.program, a.version,
                                  metadata_state(a.parameters), time_state(a.start_time), time_state(a.end_time),
                                  std::string(to_string(a.status)), a.host, a.command_line, a.parent, a.log,
                                  environment_state(a.environment), used_state, agents_state, a.informed_by,
                                  a.generated, a.created_by);
        },
        [](const py::tuple& state) {
            auto t = state_tuple(state, 19, "Activity");
            Activity a;
            a.pid = t[0].cast<std::string>();
            a.name = t[1].cast<std::string>();
            a.type = parse_activity_type(t[2].cast<std::string>());
            a.program = t[3].cast<std::string>();
            a.version = t[4].cast<std::string>();
            a.parameters = metadata_from_state(t[5]);
            a.start_time = time_from_state(t[6]);
            a.end_time = time_from_state(t[7]);
            a.status = parse_activity_status(t[8].cast<std::string>());
            a.host = t[9].cast<std::string>();
            a.command_line = t[10].cast<std::string>();
            a.parent = t[11].cast<std::string>();
            a.log = t[12].cast<std::string>();
            a.environment = environment_from_state(t[13]);
            for (py::handle u : t[14]) {
                auto x = state_tuple(u, 3, "Used");
                a.used.push_back({x[0].cast<std::string>(), x[1].cast<std::string>(), x[2].cast<std::string>()});
            }
            for (py::handle s : t[15]) {
                auto x = state_tuple(s, 2, "Association");
                a.agents.push_back({x[0].cast<std::string>(), x[1].cast<std::string>()});
            }
            a.informed_by = t[16].cast<std::vector<std::string>>();
            a.generated = t[17].cast<std::vector<std::string>>();
            a.created_by = t[18].cast<std::string>();
            return a;
        });
    add_copy(cls);
}
