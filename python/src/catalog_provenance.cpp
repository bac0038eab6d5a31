// Catalog's provenance section: agents, activities and their links, lineage walks. Added to the
// Catalog class that init_catalog() registered; as there, every argument is converted to C++
// while the GIL is held, then the GIL is released for the catalogue call itself.
#include "convert.hpp"
#include "records.hpp"

#include <datatrail/catalog.hpp>
#include <pybind11/typing.h>

#include <algorithm>
#include <climits>

namespace py = pybind11;
using namespace datatrail;
using namespace datatrail::python;

namespace {

std::string activity_pid(py::handle obj, const char* field, Violations& v) {
    if (obj.is_none()) {
        v.add(field, "None", "must be an activity's PID (str), an Activity or an ActivityRun");
        return {};
    }
    return to_activity_ref(obj, field, v);
}

std::string dataset_pid(py::handle obj, const char* field, Violations& v) {
    if (obj.is_none()) {
        v.add(field, "None", "must be a dataset PID (str) or a Dataset");
        return {};
    }
    return to_ref(obj, RefKind::dataset, field, v);
}

// None -> -1 (all the way), as the C++ walks take it.
int to_depth(py::handle obj, Violations& v) {
    const auto d = to_opt_count(obj, "depth", v);
    if (!d || *d > static_cast<std::uint64_t>(INT_MAX)) return -1;
    return static_cast<int>(*d);
}

// `field`: the argument's name; "datasets" names a lone item "dataset", another name keeps the index.
std::vector<Dataset> to_dataset_list(py::handle datasets, Violations& v, const std::string& field = "datasets") {
    std::vector<Dataset> items;
    if (PyUnicode_Check(datasets.ptr()) || PyDict_Check(datasets.ptr()) || py::isinstance<Dataset>(datasets)) {
        v.add(field, repr_of(datasets), "must be an iterable of Dataset objects or mappings");
        return items;
    }
    py::object list = py::reinterpret_steal<py::object>(PySequence_List(datasets.ptr()));
    if (!list) {
        PyErr_Clear();
        v.add(field, repr_of(datasets), "must be an iterable of Dataset objects or mappings");
        return items;
    }
    // Named as the catalogue names them, so that one call reports its fields one way: a lone
    // dataset is "dataset", several are "datasets[i]"; record_activity's are always "outputs[i]".
    const bool single = PyList_GET_SIZE(list.ptr()) == 1 && field == "datasets";
    std::size_t i = 0;
    for (py::handle item : list) {
        items.push_back(to_dataset(item, single ? std::string("dataset") : field + "[" + std::to_string(i) + "]", v));
        ++i;
    }
    return items;
}

constexpr const char* refs_doc = R"doc(
Activities may be given as an :class:`Activity`, a started :class:`ActivityRun` or a PID;
datasets as a :class:`Dataset` or a PID; agents as an :class:`Agent`, a PID or a name.)doc";

}  // namespace

void init_catalog_provenance(py::module_& m) {
    auto cls = py::reinterpret_borrow<py::class_<CatalogHandle>>(m.attr("Catalog"));

    // --- agents --------------------------------------------------------------------------------

    // Violations are named as the library's own checks name them: "agent.orcid".
    fields::def_catalogue_method<records::agent_table, const CatalogHandle&>(
        cls, "add_agent", "agent",
        [](const CatalogHandle& self, Agent a) {
            return without_gil(self, [&](Catalog& c) { return c.add_agent(std::move(a)); });
        },
        std::tuple<>(),
        R"doc(
Add an agent: a person, a piece of software or an organisation.

>>> cat.add_agent("Ada Lovelace", orcid="0000-0002-1825-0097")
>>> cat.add_agent("pyFAI", type="software", version="2025.1")

)doc" + fields::params<records::agent_table, fields::use::catalogue>() +
            R"doc(:returns: the agent as stored, with its PID
:raises ValidationError: when a field breaks a rule (an empty name, an unknown type, a bad
    ORCID or e-mail, an ORCID for a non-person); nothing is written
:raises Conflict: when the PID or ``(type, name)`` is taken
)doc");

    cls.def(
           "agent",
           [](const CatalogHandle& self, const std::string& pid_or_name) {
               return without_gil(self, [&](Catalog& c) { return c.agent(pid_or_name); });
           },
           py::arg("pid_or_name"), R"doc(
The agent with this PID or name.

:raises NotFound: when there is none
)doc")
        .def(
            "agents", [](const CatalogHandle& self) { return without_gil(self, [](Catalog& c) { return c.agents(); }); },
            "All agents, in the order they were added.");

    // --- activities ----------------------------------------------------------------------------

    cls.def(
        "activity",
        [](const py::object& self, const StrArg& name, const StrArg& type, const StrArg& program,
           const StrArg& version, const MetadataArg& parameters, const InputsArg& inputs, const AgentsArg& agents,
           const OptActivityRef& parent, const ActivitiesArg& informed_by, const OptStrArg& command_line,
           const OptPathArg& source_tree, const OptStrArg& pid) {
            self.cast<const CatalogHandle&>().get();  // a closed catalogue fails here, not later
            using activity = records::activity_table;
            Activity a;
            Violations v;
            fields::set_field<activity>(a, "name", name, "activity", v);
            fields::set_field<activity>(a, "type", type, "activity", v);
            fields::set_field<activity>(a, "program", program, "activity", v);
            fields::set_field<activity>(a, "version", version, "activity", v);
            fields::set_field<activity>(a, "parameters", parameters, "activity", v);
            // Named as the catalogue's own checks name them: activity.used[i].dataset.
            fields::set_field<activity>(a, "used", inputs, "activity", v);
            fields::set_field<activity>(a, "agents", agents, "activity", v);
            fields::set_field<activity>(a, "parent", parent, "activity", v);
            fields::set_field<activity>(a, "informed_by", informed_by, "activity", v);
            fields::set_field<activity>(a, "pid", pid, "activity", v);
            const auto command = to_opt_str(command_line, "activity.command_line", v);
            if (!source_tree.is_none()) to_path(source_tree, "source_tree", v);
            v.throw_if_any();
            return ActivityRunOut(activity_run_class()(
                self, py::cast(std::move(a)), py::arg("source_tree") = source_tree,
                py::arg("command_line") = command ? py::object(py::str(*command)) : py::object(py::none())));
        },
        py::arg("name"), py::kw_only(), py::arg("type") = "processing", py::arg("program") = "",
        py::arg("version") = "", py::arg("parameters") = py::none(), py::arg("inputs") = py::tuple(),
        py::arg("agents") = py::tuple(), py::arg("parent") = py::none(), py::arg("informed_by") = py::tuple(),
        py::arg("command_line") = py::none(), py::arg("source_tree") = py::none(), py::arg("pid") = py::none(),
        (std::string(R"doc(
Record an activity as it runs: a context manager (an :class:`ActivityRun`).

>>> with cat.activity("azimuthal_integration", program="pyFAI", version="2025.1",
...                   parameters={"npt": 1000, "distance": (250.0, "mm")},
...                   inputs=[raw, (dark, "dark")], agents=[("Ada Lovelace", "operator")]) as run:
...     run.log("integrating")
...     pattern = run.output("scan_001_integrated", metadata={"npt": 1000})

The arguments' Python types are checked here. Entering the ``with`` block captures the
environment (OS, user, git state of the caller's source tree, Python version and installed
packages) and records the activity as running; the catalogue's own rules (names, units, PIDs
that must exist) are checked then, before anything is written. Leaving the block normally
marks the activity succeeded and its outputs complete; an exception marks it and its outputs
failed, appends the traceback to its log, and propagates.

:param name: e.g. ``"azimuthal_integration"``
:param type: ``"acquisition"`` (its outputs are raw), ``"processing"``, ``"workflow"``,
    ``"notebook"`` or ``"other"``
:param program: the program that runs, e.g. ``"pyFAI"``
:param version: its version
:param parameters: typed parameters, written like dataset metadata
:param inputs: what it uses: datasets (objects or PIDs), ``(dataset, role)`` tuples, or
    :class:`Used` objects (to name one file)
:param agents: who or what is responsible: agents (names, PIDs or :class:`Agent` objects) or
    ``(agent, role)`` tuples
:param parent: the activity that contains this one (a workflow run)
:param informed_by: activities whose results this one uses
:param command_line: the command that runs; None for ``" ".join(sys.argv)``
:param source_tree: the folder of the code that runs, for its git commit; None for the folder of
    the calling module's ``__file__`` or, where there is none (a notebook), the working directory
:param pid: a PID minted elsewhere; None to mint one
:returns: the run, not yet started
:raises ValidationError: when an argument has the wrong type; on entering the block, when
    it breaks one of the catalogue's rules (an empty name, an unknown unit, a PID the catalogue
    does not hold), and nothing is written
)doc") + refs_doc)
            .c_str());

    cls.def(
        "start_activity",
        [](const CatalogHandle& self, const ActivityArg& activity) {
            Violations v;
            Activity a = to_activity(activity, "activity", v);
            v.throw_if_any();
            return without_gil(self, [&](Catalog& c) { return c.start_activity(std::move(a)); });
        },
        py::arg("activity"), R"doc(
Record an activity with what it used, its agents, parent and informants: the building block
under :meth:`activity`. It is running unless it says otherwise; end it with
:meth:`finish_activity`.

:param activity: an :class:`Activity`, or a dict of its keywords
:returns: the activity as stored: PID minted, start time, host and user filled in, agents
    resolved to PIDs
:raises ValidationError: when a field breaks a rule or a PID it refers to (input, parent,
    informant, agent) is not in the catalogue; nothing is written
:raises Conflict: when the PID is taken
)doc");

    cls.def(
        "get_activity",
        [](const CatalogHandle& self, const ActivityRef& pid) {
            Violations v;
            const std::string p = activity_pid(pid, "pid", v);
            v.throw_if_any();
            return without_gil(self, [&](Catalog& c) { return c.activity(p); });
        },
        py::arg("pid"), R"doc(
The activity with this PID, read now: status, log, what it used and generated.
(:meth:`activity` is the context manager that records one.)

:param pid: a PID, an :class:`Activity` or a started :class:`ActivityRun`
:raises NotFound: when there is none
)doc");

    cls.def(
        "find_activities",
        [](const CatalogHandle& self, const OptStrArg& name, const OptStrArg& type, const OptStrArg& status,
           const OptStrArg& program, const OptStrArg& min_version, const OptStrArg& max_version,
           const OptActivityRef& parent, const OptIntArg& limit) {
            Violations v;
            ActivityQuery q;
            q.name = to_opt_str(name, "name", v).value_or("");
            if (!type.is_none()) q.type = to_activity_type(type, "type", v);
            if (!status.is_none()) q.status = to_activity_status(status, "status", v);
            q.program = to_opt_str(program, "program", v).value_or("");
            q.min_version = to_opt_str(min_version, "min_version", v).value_or("");
            q.max_version = to_opt_str(max_version, "max_version", v).value_or("");
            q.parent = to_activity_ref(parent, "parent", v);
            const auto lim = to_opt_count(limit, "limit", v);
            q.limit = static_cast<std::size_t>(lim.value_or(0));
            v.throw_if_any();
            // limit=0 asks for nothing (the C++ query reads 0 as "no limit").
            if (lim && *lim == 0) return std::vector<Activity>{};
            return without_gil(self, [&](Catalog& c) { return c.find_activities(q); });
        },
        py::kw_only(), py::arg("name") = py::none(), py::arg("type") = py::none(), py::arg("status") = py::none(),
        py::arg("program") = py::none(), py::arg("min_version") = py::none(), py::arg("max_version") = py::none(),
        py::arg("parent") = py::none(), py::arg("limit") = py::none(), R"doc(
Find activities, oldest first. Every filter given must hold; None means any.

>>> cat.find_activities(program="pyFAI", min_version="2025.1", max_version="2025.2")

:param name: a glob pattern on the name: ``"azimuthal_*"``
:param type: ``"acquisition"``, ``"processing"``, ``"workflow"``, ``"notebook"`` or ``"other"``
:param status: ``"running"``, ``"succeeded"`` or ``"failed"``
:param program: the program, exactly
:param min_version: the oldest version wanted (inclusive); versions compare part by part,
    numbers as numbers: ``1.2 < 1.10 < 2.0rc1 < 2.0`` (see :func:`compare_versions`)
:param max_version: the first version not wanted (exclusive)
:param parent: only the activities this one contains
:param limit: at most this many; None for all
:raises ValidationError: when a filter breaks a rule
:raises NotFound: when ``parent`` is not in the catalogue
)doc");

    cls.def(
        "add_inputs",
        [](const CatalogHandle& self, const ActivityRef& activity, const InputsArg& inputs) {
            Violations v;
            const std::string p = activity_pid(activity, "activity", v);
            // Named as the catalogue's own checks name them: used[i].dataset.
            auto used = to_useds(inputs, "used", v);
            v.throw_if_any();
            without_gil(self, [&](Catalog& c) { c.add_inputs(p, used); });
        },
        py::arg("activity"), py::arg("inputs"), (std::string(R"doc(
Record more inputs of an activity. Datasets it already generated become derived from them too.

:param activity: the activity
:param inputs: datasets (objects or PIDs), ``(dataset, role)`` tuples or :class:`Used` objects
:raises NotFound: when the activity is not in the catalogue
:raises ValidationError: when an input is not in the catalogue (or names a file the dataset does
    not have), or would make a cycle (the activity generated it or something it was made from);
    nothing is written
)doc") + refs_doc)
                                                          .c_str());

    cls.def(
        "add_outputs",
        [](const CatalogHandle& self, const ActivityRef& activity, const DatasetsArg& datasets, const StrArg& role,
           bool describe_files) {
            Violations v;
            const std::string p = activity_pid(activity, "activity", v);
            auto items = to_dataset_list(datasets, v);
            const std::string r = to_str(role, "role", v);
            v.throw_if_any();
            RegisterOptions options;
            options.describe_files = describe_files;
            return without_gil(self, [&](Catalog& c) { return c.add_outputs(p, std::move(items), r, options); });
        },
        py::arg("activity"), py::arg("datasets"), py::kw_only(), py::arg("role") = "",
        py::arg("describe_files") = false, R"doc(
Register datasets generated by an activity, derived from every dataset it used. They are
registered as given (kind and state included): give ``state="acquiring"`` for outputs that
:meth:`finish_activity` should complete, or mark failed.

:param activity: the activity: an :class:`Activity`, a started :class:`ActivityRun` or a PID
:param datasets: :class:`Dataset` objects, or dicts of :meth:`register_dataset`'s keywords
:param role: the role of the generation, e.g. ``"result"``
:param describe_files: as for :meth:`register_dataset`
:returns: the datasets as stored, in order
:raises NotFound: when the activity is not in the catalogue
:raises ValidationError: naming every broken rule as ``datasets[i].<field>`` (``dataset.<field>``
    when there is one); nothing is written
)doc");

    cls.def(
        "record_activity",
        [](const CatalogHandle& self, const ActivityArg& activity, const DatasetsArg& outputs, const StrArg& role,
           bool describe_files) {
            Violations v;
            Activity a = to_activity(activity, "activity", v);
            auto items = to_dataset_list(outputs, v, "outputs");
            const std::string r = to_str(role, "role", v);
            v.throw_if_any();
            RegisterOptions options;
            options.describe_files = describe_files;
            auto recorded = without_gil(self, [&](Catalog& c) {
                return c.record_activity(std::move(a), std::move(items), r, options);
            });
            return std::make_pair(std::move(recorded.activity), std::move(recorded.outputs));
        },
        py::arg("activity"), py::arg("outputs") = py::tuple(), py::kw_only(), py::arg("role") = "",
        py::arg("describe_files") = false, R"doc(
Record an activity whose work is done, with its outputs, in one transaction: what
:meth:`start_activity`, :meth:`add_outputs` and :meth:`finish_activity` record, with the same
checks and rules, in one write instead of three. A workflow task records itself this way once
its function has returned.

Its status is the activity's: ``"succeeded"`` or ``"failed"`` (the end time defaulting to now)
does to the outputs what :meth:`finish_activity` does (failed: all failed; succeeded: those
``"acquiring"`` complete); ``"running"`` records it as :meth:`start_activity` and
:meth:`add_outputs` would. The outputs are registered as given, derived from every dataset the
activity used.

:param activity: an :class:`Activity`, or a dict of its keywords
:param outputs: :class:`Dataset` objects, or dicts of :meth:`register_dataset`'s keywords
:param role: the role of the generation, e.g. ``"result"``
:param describe_files: as for :meth:`register_dataset`
:returns: ``(activity, outputs)`` as stored, the outputs in order
:raises ValidationError: naming every broken rule, the activity's as ``activity.<field>`` and the
    outputs' as ``outputs[i].<field>``; nothing is written
:raises Conflict: when a PID is taken
)doc");

    cls.def(
        "append_log",
        [](const CatalogHandle& self, const ActivityRef& activity, const StrArg& text) {
            Violations v;
            const std::string p = activity_pid(activity, "activity", v);
            const std::string t = to_str(text, "text", v);
            v.throw_if_any();
            without_gil(self, [&](Catalog& c) { c.append_log(p, t); });
        },
        py::arg("activity"), py::arg("text"), R"doc(
Append text to an activity's log, as is (add the newline yourself; :meth:`ActivityRun.log` does).

:param activity: an :class:`Activity`, a started :class:`ActivityRun` or a PID
:param text: the text
:raises NotFound: when the activity is not in the catalogue
)doc");

    cls.def(
        "finish_activity",
        [](const CatalogHandle& self, const ActivityRef& activity, const StrArg& status,
           const OptTimeArg& end_time) {
            Violations v;
            const std::string p = activity_pid(activity, "activity", v);
            const ActivityStatus s = to_activity_status(status, "status", v);
            const auto t = to_opt_time(end_time, "end_time", v);
            v.throw_if_any();
            without_gil(self, [&](Catalog& c) { c.finish_activity(p, s, t); });
        },
        py::arg("activity"), py::arg("status"), py::arg("end_time") = py::none(), R"doc(
End an activity. ``"failed"`` marks every dataset it generated failed, so none looks valid;
``"succeeded"`` marks those still acquiring complete.

:param activity: an :class:`Activity`, a started :class:`ActivityRun` or a PID
:param status: ``"succeeded"`` or ``"failed"`` (``"running"`` changes only the end time)
:param end_time: when it ended; None for now
:raises NotFound: when the activity is not in the catalogue
:raises ValidationError: for an unknown status or an end before the start
)doc");

    cls.def(
        "add_derivation",
        [](const CatalogHandle& self, const DatasetRef& derived, const DatasetRef& source, const StrArg& role) {
            Violations v;
            const std::string d = dataset_pid(derived, "derived", v);
            const std::string s = dataset_pid(source, "source", v);
            const std::string r = to_str(role, "role", v);
            v.throw_if_any();
            without_gil(self, [&](Catalog& c) { c.add_derivation(d, s, r); });
        },
        py::arg("derived"), py::arg("source"), py::arg("role") = "", R"doc(
Record that a dataset was derived from another, where no recorded activity says so.

:param derived: the dataset made
:param source: the dataset it was made from
:param role: the role the source played
:raises ValidationError: when either is not in the catalogue, or the link would make a cycle
    (``source`` is ``derived`` or was made from it); nothing is written
)doc");

    cls.def(
        "add_informed_by",
        [](const CatalogHandle& self, const ActivityRef& activity, const ActivityRef& informant) {
            Violations v;
            const std::string a = activity_pid(activity, "activity", v);
            const std::string i = activity_pid(informant, "informant", v);
            v.throw_if_any();
            without_gil(self, [&](Catalog& c) { c.add_informed_by(a, i); });
        },
        py::arg("activity"), py::arg("informant"), R"doc(
Record that an activity used results of another (PROV wasInformedBy).

:param activity: the activity informed
:param informant: the activity whose results it used
:raises NotFound: when ``activity`` is not in the catalogue
:raises ValidationError: when ``informant`` is not, or the link would make a cycle; nothing is
    written
)doc");

    cls.def(
        "associate",
        [](const CatalogHandle& self, const ActivityRef& activity, const AgentRef& agent, const StrArg& role) {
            Violations v;
            const std::string a = activity_pid(activity, "activity", v);
            const std::string g = to_agent_ref(agent, "agent", v);
            const std::string r = to_str(role, "role", v);
            v.throw_if_any();
            without_gil(self, [&](Catalog& c) { c.associate(a, g, r); });
        },
        py::arg("activity"), py::arg("agent"), py::arg("role") = "", R"doc(
Record that an agent was responsible for an activity, in a role (PROV wasAssociatedWith).

:param activity: the activity
:param agent: an :class:`Agent`, its PID or its name
:param role: e.g. ``"operator"``
:raises NotFound: when the activity is not in the catalogue
:raises ValidationError: when the agent is not; nothing is written
)doc");

    // --- lineage -------------------------------------------------------------------------------

    // A lineage walk (Catalog::ancestors, descendants, ancestor_pids or descendant_pids) bound
    // as f(x, depth=None).
    const auto walk = [](auto method) {
        return [method](const CatalogHandle& self, const NodeRef& x, const OptIntArg& depth) {
            Violations v;
            const std::string p = to_node_ref(x, "pid", v);
            const int d = to_depth(depth, v);
            v.throw_if_any();
            return without_gil(self, [&](Catalog& c) { return (c.*method)(p, d); });
        };
    };
    // The same for the walks without the graph, returning a dict PID -> depth built here, so no
    // per-entry object crosses.
    const auto pids_by_depth = [walk](auto method) {
        return [bound = walk(method)](const CatalogHandle& self, const NodeRef& x, const OptIntArg& depth) {
            py::typing::Dict<py::str, py::int_> out;
            for (const auto& f : bound(self, x, depth)) out[py::str(f.pid)] = py::int_(f.depth);
            return out;
        };
    };

    cls.def(
        "ancestors", walk(&Catalog::ancestors),
        py::arg("x"), py::arg("depth") = py::none(), R"doc(
What a dataset or activity was made from: the datasets it was derived from, ``depth`` derivation
steps back, with the activities, agents and individually used files on the way.

>>> [n.name for n in cat.ancestors(merged).datasets]

:param x: a :class:`Dataset`, :class:`Activity`, started :class:`ActivityRun` or PID
:param depth: the number of derivation steps; None for all the way
:returns: a :class:`ProvGraph` whose first node is ``x``
:raises NotFound: when ``x`` is not in the catalogue
)doc");

    cls.def(
        "descendants", walk(&Catalog::descendants),
        py::arg("x"), py::arg("depth") = py::none(), R"doc(
What was made from a dataset or activity, ``depth`` derivation steps on, with the activities and
agents on the way.

:param x: a :class:`Dataset`, :class:`Activity`, started :class:`ActivityRun` or PID
:param depth: the number of derivation steps; None for all the way
:returns: a :class:`ProvGraph` whose first node is ``x``
:raises NotFound: when ``x`` is not in the catalogue
)doc");

    cls.def(
        "lineage_path",
        [](const CatalogHandle& self, const DatasetRef& ancestor, const DatasetRef& descendant) {
            Violations v;
            const std::string a = dataset_pid(ancestor, "ancestor", v);
            const std::string d = dataset_pid(descendant, "descendant", v);
            v.throw_if_any();
            return without_gil(self, [&](Catalog& c) {
                ProvGraph g = c.lineage_path(a, d);
                // A path reads from its start: the C++ graph lists nodes by depth from the
                // descendant (0) up; the stable sort puts the ancestor first and keeps each
                // step's activity and agents after the dataset that step made.
                std::stable_sort(g.nodes.begin(), g.nodes.end(),
                                 [](const ProvNode& x, const ProvNode& y) { return x.depth > y.depth; });
                return g;
            });
        },
        py::arg("ancestor"), py::arg("descendant"), R"doc(
The shortest derivation path from one dataset down to another, with the activities that made
each step.

>>> " -> ".join(n.name for n in cat.lineage_path(raw, merged).datasets)
'scan_001 -> scan_001_integrated -> merged'

:param ancestor: the dataset the path starts from
:param descendant: the dataset it leads to
:returns: a :class:`ProvGraph` whose nodes run from ``ancestor`` to ``descendant`` (each
    dataset's ``depth`` counts the steps left to ``descendant``), each step's activity after
    the dataset it made
:raises ValidationError: when either is not in the catalogue
:raises NotFound: when ``descendant`` was not made from ``ancestor``
)doc");

    cls.def(
        "ancestor_pids", pids_by_depth(&Catalog::ancestor_pids),
        py::arg("x"), py::arg("depth") = py::none(), R"doc(
The datasets :meth:`ancestors` reaches, without the graph: each PID with the number of derivation
steps back it lies, nearest first. ``x`` itself is not included. Much cheaper than
:meth:`ancestors` for large lineages, where reading every node and link is most of the cost.

>>> cat.ancestor_pids(merged, depth=1)
{'local/01J...': 1, 'local/01J...': 1}

:param x: a :class:`Dataset`, :class:`Activity`, started :class:`ActivityRun` or PID
:param depth: the number of derivation steps; None for all the way
:returns: a dict from PID to depth
:raises NotFound: when ``x`` is not in the catalogue
)doc");

    cls.def(
        "descendant_pids", pids_by_depth(&Catalog::descendant_pids),
        py::arg("x"), py::arg("depth") = py::none(), R"doc(
The datasets :meth:`descendants` reaches, without the graph: each PID with the number of
derivation steps on it lies, nearest first. ``x`` itself is not included.

:param x: a :class:`Dataset`, :class:`Activity`, started :class:`ActivityRun` or PID
:param depth: the number of derivation steps; None for all the way
:returns: a dict from PID to depth
:raises NotFound: when ``x`` is not in the catalogue
)doc");

    cls.def(
        "raw_sources",
        [](const CatalogHandle& self, const NodeRef& x) {
            Violations v;
            const std::string p = to_node_ref(x, "pid", v);
            v.throw_if_any();
            return to_datasets(without_gil(self, [&](Catalog& c) { return c.raw_sources(p); }));
        },
        py::arg("x"), R"doc(
The raw datasets a dataset (or an activity's inputs) was ultimately made from.

:param x: a :class:`Dataset`, :class:`Activity`, started :class:`ActivityRun` or PID
:returns: the raw datasets, with their files and metadata, as a :class:`Datasets` list (a notebook
    shows it as a table)
:raises NotFound: when ``x`` is not in the catalogue
)doc");

    cls.def(
        "downstream",
        [](const CatalogHandle& self, const NodeRef& x) {
            Violations v;
            const std::string p = to_node_ref(x, "pid", v);
            v.throw_if_any();
            return to_datasets(without_gil(self, [&](Catalog& c) { return c.downstream(p); }));
        },
        py::arg("x"), R"doc(
Every dataset made from a dataset (or from an activity's outputs), however indirectly: what
must be redone when it turns out to be wrong.

:param x: a :class:`Dataset`, :class:`Activity`, started :class:`ActivityRun` or PID
:returns: the datasets, with their files and metadata, as a :class:`Datasets` list
:raises NotFound: when ``x`` is not in the catalogue
)doc");

    cls.def(
        "generated_by_program",
        [](const CatalogHandle& self, const StrArg& program, const OptStrArg& min_version,
           const OptStrArg& max_version, bool include_downstream) {
            Violations v;
            const std::string p = to_str(program, "program", v);
            const std::string lo = to_opt_str(min_version, "min_version", v).value_or("");
            const std::string hi = to_opt_str(max_version, "max_version", v).value_or("");
            v.throw_if_any();
            return to_datasets(without_gil(
                self, [&](Catalog& c) { return c.generated_by_program(p, lo, hi, include_downstream); }));
        },
        py::arg("program"), py::arg("min_version") = py::none(), py::arg("max_version") = py::none(),
        py::arg("include_downstream") = false, R"doc(
The datasets that versions of a program generated and, with ``include_downstream``,
everything made from them: what a bug in those versions touched.

>>> cat.generated_by_program("pyFAI", min_version="2025.1", max_version="2025.2",
...                          include_downstream=True)

:param program: the program, exactly
:param min_version: the first affected version (inclusive); None for no lower bound. Versions
    compare part by part, numbers as numbers: ``1.2 < 1.10``
:param max_version: the first version not affected (exclusive); None for no upper bound
:param include_downstream: add every dataset made from them
:returns: the datasets, with their files and metadata, as a :class:`Datasets` list
:raises ValidationError: when ``program`` is empty
)doc");

    cls.def(
        "provenance",
        [](const CatalogHandle& self) { return without_gil(self, [](Catalog& c) { return c.provenance(); }); },
        R"doc(
The whole catalogue's provenance as one :class:`ProvGraph`: every dataset, activity and agent
and every link, for export (``cat.provenance().to_prov_json()``).
)doc");
}
