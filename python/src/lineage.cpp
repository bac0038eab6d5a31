// Provenance graphs: ProvNode, ProvEdge and ProvGraph, as lineage walks return them, and their
// conversion to networkx.
#include "convert.hpp"

#include <datatrail/lineage.hpp>

#include <array>

namespace py = pybind11;
using namespace datatrail;
using namespace datatrail::python;

namespace {

constexpr std::array<NodeKind, 4> node_kinds{NodeKind::dataset, NodeKind::datafile, NodeKind::activity,
                                             NodeKind::agent};
constexpr std::array<EdgeKind, 6> edge_kinds{EdgeKind::used,           EdgeKind::was_generated_by,
                                             EdgeKind::was_derived_from, EdgeKind::was_informed_by,
                                             EdgeKind::was_associated_with, EdgeKind::had_member};

// One of `kinds` by its to_string() name; a violation listing them all otherwise.
template <class E, std::size_t N>
E to_enum(py::handle obj, std::string_view field, const std::array<E, N>& kinds, Violations& v) {
    std::string allowed;
    for (const E k : kinds) allowed += (allowed.empty() ? "" : ", ") + std::string(to_string(k));
    if (!PyUnicode_Check(obj.ptr())) {
        v.add(std::string(field), repr_of(obj), "must be a str, one of: " + allowed);
        return kinds.front();
    }
    const std::string text = to_str(obj, field, v);
    for (const E k : kinds)
        if (text == to_string(k)) return k;
    v.add(std::string(field), text, "must be one of: " + allowed);
    return kinds.front();
}

std::map<std::string, std::string> to_attributes(py::handle obj, std::string_view field, Violations& v) {
    std::map<std::string, std::string> out;
    if (obj.is_none()) return out;
    if (!PyDict_Check(obj.ptr()) && !(py::hasattr(obj, "items") && py::hasattr(obj, "keys"))) {
        v.add(std::string(field), repr_of(obj), "must be a mapping of str to str (a dict) or None");
        return out;
    }
    for (py::handle pair : obj.attr("items")()) {
        py::tuple kv = py::reinterpret_borrow<py::tuple>(pair);
        const std::string key = to_str(kv[0], field, v);
        out[key] = to_str(kv[1], join_field(field, key), v);
    }
    return out;
}

ProvNode to_node(py::handle obj, std::string_view field, Violations& v) {
    if (py::isinstance<ProvNode>(obj)) return obj.cast<const ProvNode&>();
    v.add(std::string(field), repr_of(obj), "must be a ProvNode");
    return {};
}

ProvEdge to_edge(py::handle obj, std::string_view field, Violations& v) {
    if (py::isinstance<ProvEdge>(obj)) return obj.cast<const ProvEdge&>();
    v.add(std::string(field), repr_of(obj), "must be a ProvEdge");
    return {};
}

template <class T, class Convert>
std::vector<T> to_list(py::handle obj, std::string_view field, const char* rule, Violations& v, Convert convert) {
    std::vector<T> out;
    if (obj.is_none()) return out;
    for_each_item(obj, field, rule, v, [&](py::handle item, const std::string& f) { out.push_back(convert(item, f, v)); });
    return out;
}

std::vector<ProvNode> nodes_of(const ProvGraph& g, NodeKind kind) {
    std::vector<ProvNode> out;
    for (const auto* n : g.nodes_of(kind)) out.push_back(*n);
    return out;
}

std::string node_repr(const ProvNode& n) {
    return "ProvNode(id=" + repr_str(n.id) + ", kind=" + repr_str(to_string(n.kind)) + ", name=" + repr_str(n.name) +
           ", depth=" + std::to_string(n.depth) + ")";
}

std::string edge_repr(const ProvEdge& e) {
    std::string out = "ProvEdge(source=" + repr_str(e.from) + ", target=" + repr_str(e.to) +
                      ", kind=" + repr_str(to_string(e.kind));
    if (!e.role.empty()) out += ", role=" + repr_str(e.role);
    if (!e.activity.empty()) out += ", activity=" + repr_str(e.activity);
    return out + ")";
}

std::string plural(std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string graph_repr(const ProvGraph& g) {
    std::string out = "ProvGraph(" + plural(g.nodes_of(NodeKind::dataset).size(), "dataset", "datasets") + ", " +
                      plural(g.nodes_of(NodeKind::activity).size(), "activity", "activities") + ", " +
                      plural(g.nodes_of(NodeKind::agent).size(), "agent", "agents");
    if (const auto files = g.nodes_of(NodeKind::datafile).size()) out += ", " + plural(files, "file", "files");
    out += ", " + plural(g.edges.size(), "edge", "edges");
    // The start of a lineage walk comes first: name it, so a graph says what it is the lineage of.
    if (!g.nodes.empty() && g.nodes.front().depth == 0)
        out += ", first=" + repr_str(g.nodes.front().name.empty() ? g.nodes.front().id : g.nodes.front().name);
    return out + ")";
}

py::tuple node_state(const ProvNode& n) {
    return py::make_tuple(n.id, std::string(to_string(n.kind)), n.name, n.attributes, n.depth);
}

ProvNode node_from_state(py::handle state) {
    auto t = state_tuple(state, 5, "ProvNode");
    Violations v;
    ProvNode n;
    n.id = t[0].cast<std::string>();
    n.kind = to_enum(t[1], "kind", node_kinds, v);
    n.name = t[2].cast<std::string>();
    n.attributes = t[3].cast<std::map<std::string, std::string>>();
    n.depth = t[4].cast<int>();
    v.throw_if_any();
    return n;
}

py::tuple edge_state(const ProvEdge& e) {
    return py::make_tuple(e.from, e.to, std::string(to_string(e.kind)), e.role, e.activity);
}

ProvEdge edge_from_state(py::handle state) {
    auto t = state_tuple(state, 5, "ProvEdge");
    Violations v;
    ProvEdge e;
    e.from = t[0].cast<std::string>();
    e.to = t[1].cast<std::string>();
    e.kind = to_enum(t[2], "kind", edge_kinds, v);
    e.role = t[3].cast<std::string>();
    e.activity = t[4].cast<std::string>();
    v.throw_if_any();
    return e;
}

// networkx, imported when first asked for: it is optional.
py::module_ import_networkx() {
    try {
        return py::module_::import("networkx");
    } catch (py::error_already_set& e) {
        if (!e.matches(PyExc_ImportError)) throw;
        throw py::import_error(
            "ProvGraph.to_networkx() needs networkx, which is not installed: pip install networkx "
            "(or datatrail's test extra)");
    }
}

py::object to_networkx(const ProvGraph& g) {
    py::module_ nx = import_networkx();
    py::object graph = nx.attr("MultiDiGraph")();
    py::object add_node = graph.attr("add_node");
    py::object add_edge = graph.attr("add_edge");
    for (const auto& n : g.nodes)
        add_node(n.id, py::arg("kind") = to_string(n.kind), py::arg("name") = n.name, py::arg("depth") = n.depth,
                 py::arg("attributes") = n.attributes);
    for (const auto& e : g.edges)
        add_edge(e.from, e.to, py::arg("kind") = to_string(e.kind), py::arg("role") = e.role,
                 py::arg("activity") = e.activity);
    return graph;
}

}  // namespace

void init_lineage(py::module_& m) {
    // --- ProvNode ------------------------------------------------------------------------------
    py::class_<ProvNode> node(m, "ProvNode", R"doc(
A node of a provenance graph: a dataset, one file of a dataset, an activity or an agent.

:param id: the PID; a file is ``"<dataset PID>#<path>"``
:param kind: ``"dataset"``, ``"datafile"``, ``"activity"`` or ``"agent"``
:param name: its name (a file's: its path)
:param attributes: text attributes: for a dataset ``kind`` (raw/processed), ``state``,
    ``start_time``, ``end_time``, ``created_at``, ``created_by``; for an activity ``type``,
    ``program``, ``version``, ``status``, ``start_time``, ``end_time``, ``host``; for an agent
    ``type``, ``orcid``, ``email``, ``version``, ``url``. Times are ISO 8601 text in UTC.
:param depth: derivation steps from where the walk started
)doc");
    node.def(py::init([](const StrArg& id, const StrArg& kind, const StrArg& name, const StrMapArg& attributes,
                         int depth) {
                 ProvNode n;
                 Violations v;
                 n.id = to_str(id, "id", v);
                 n.kind = to_enum(kind, "kind", node_kinds, v);
                 n.name = to_str(name, "name", v);
                 n.attributes = to_attributes(attributes, "attributes", v);
                 n.depth = depth;
                 v.throw_if_any();
                 return n;
             }),
             py::arg("id") = "", py::arg("kind") = "dataset", py::arg("name") = "", py::arg("attributes") = py::none(),
             py::arg("depth") = 0)
        .def_readwrite("id", &ProvNode::id, "The PID; a file's is ``\"<dataset PID>#<path>\"``.")
        .def_property(
            "kind", [](const ProvNode& n) { return std::string(to_string(n.kind)); },
            [](ProvNode& n, const StrArg& value) {
                Violations v;
                n.kind = to_enum(value, "kind", node_kinds, v);
                v.throw_if_any();
            },
            "``\"dataset\"``, ``\"datafile\"``, ``\"activity\"`` or ``\"agent\"``.")
        .def_readwrite("name", &ProvNode::name, "The name; a file's path.")
        .def_property(
            "attributes", [](const ProvNode& n) { return StrMapOut(py::cast(n.attributes)); },
            [](ProvNode& n, const StrMapArg& value) {
                Violations v;
                n.attributes = to_attributes(value, "attributes", v);
                v.throw_if_any();
            },
            "Text attributes (see the class), as a new dict on every access.")
        .def_readwrite("depth", &ProvNode::depth, "Derivation steps from where the walk started.")
        .def("__eq__", &equal_fields<ProvNode>, py::arg("other"))
        .def("__repr__", &node_repr);
    add_pickle(node, &node_state, [](const py::tuple& state) { return node_from_state(state); });
    add_copy(node);

    // --- ProvEdge ------------------------------------------------------------------------------
    py::class_<ProvEdge> edge(m, "ProvEdge", R"doc(
A typed edge of a provenance graph, pointing as PROV does from the later to the earlier thing:
``used`` (activity to dataset or file), ``wasGeneratedBy`` (dataset to activity),
``wasDerivedFrom`` (dataset to dataset), ``wasInformedBy`` (activity to activity),
``wasAssociatedWith`` (activity to agent), ``hadMember`` (dataset to file).

:param source: the ID of the node it starts from (C++ ``from``)
:param target: the ID of the node it points to (C++ ``to``)
:param kind: the PROV relation's name, e.g. ``"wasDerivedFrom"``
:param role: the role, for ``used``, ``wasGeneratedBy``, ``wasDerivedFrom`` and ``wasAssociatedWith``
:param activity: for ``wasDerivedFrom``, the PID of the activity that did it, if recorded
)doc");
    edge.def(py::init([](const StrArg& source, const StrArg& target, const StrArg& kind, const StrArg& role,
                         const StrArg& activity) {
                 ProvEdge e;
                 Violations v;
                 e.from = to_str(source, "source", v);
                 e.to = to_str(target, "target", v);
                 e.kind = to_enum(kind, "kind", edge_kinds, v);
                 e.role = to_str(role, "role", v);
                 e.activity = to_str(activity, "activity", v);
                 v.throw_if_any();
                 return e;
             }),
             py::arg("source") = "", py::arg("target") = "", py::arg("kind") = "wasDerivedFrom", py::arg("role") = "",
             py::arg("activity") = "")
        .def_readwrite("source", &ProvEdge::from, "The ID of the node the edge starts from.")
        .def_readwrite("target", &ProvEdge::to, "The ID of the node the edge points to.")
        .def_property(
            "kind", [](const ProvEdge& e) { return std::string(to_string(e.kind)); },
            [](ProvEdge& e, const StrArg& value) {
                Violations v;
                e.kind = to_enum(value, "kind", edge_kinds, v);
                v.throw_if_any();
            },
            "The PROV relation: ``\"used\"``, ``\"wasGeneratedBy\"``, ``\"wasDerivedFrom\"``, "
            "``\"wasInformedBy\"``, ``\"wasAssociatedWith\"`` or ``\"hadMember\"``.")
        .def_readwrite("role", &ProvEdge::role, "The role; empty when none.")
        .def_readwrite("activity", &ProvEdge::activity,
                       "For ``wasDerivedFrom``: the PID of the activity that did it; empty when not recorded.")
        .def("__eq__", &equal_fields<ProvEdge>, py::arg("other"))
        .def("__repr__", &edge_repr);
    add_pickle(edge, &edge_state, [](const py::tuple& state) { return edge_from_state(state); });
    add_copy(edge);

    // --- ProvGraph -----------------------------------------------------------------------------
    py::class_<ProvGraph> graph(m, "ProvGraph", R"doc(
A provenance graph, as :meth:`Catalog.ancestors`, :meth:`Catalog.descendants`,
:meth:`Catalog.lineage_path` and :meth:`Catalog.provenance` return it: nodes (datasets, files,
activities, agents) and typed PROV edges between them. A lineage walk's starting node comes first.

It exports as W3C PROV-JSON and PROV-N, Graphviz DOT and SVG, and converts to networkx; in
Jupyter it displays itself as SVG where Graphviz is installed.

>>> graph = cat.ancestors(merged)
>>> [n.name for n in graph.datasets]
['merged', 'scan_001_integrated', 'scan_001']
>>> merged.pid in graph
True

:param nodes: :class:`ProvNode` objects
:param edges: :class:`ProvEdge` objects
)doc");
    graph
        .def(py::init([](const ObjectArg& nodes, const ObjectArg& edges) {
                 ProvGraph g;
                 Violations v;
                 g.nodes = to_list<ProvNode>(nodes, "nodes", "must be an iterable of ProvNode objects", v, &to_node);
                 g.edges = to_list<ProvEdge>(edges, "edges", "must be an iterable of ProvEdge objects", v, &to_edge);
                 v.throw_if_any();
                 return g;
             }),
             py::arg("nodes") = py::tuple(), py::arg("edges") = py::tuple())
        .def_readwrite("nodes", &ProvGraph::nodes, "Every node, as :class:`ProvNode` objects; a new list on every access.")
        .def_readwrite("edges", &ProvGraph::edges, "Every edge, as :class:`ProvEdge` objects; a new list on every access.")
        .def_property_readonly(
            "datasets", [](const ProvGraph& g) { return nodes_of(g, NodeKind::dataset); },
            "The dataset nodes, in the graph's order.")
        .def_property_readonly(
            "activities", [](const ProvGraph& g) { return nodes_of(g, NodeKind::activity); }, "The activity nodes.")
        .def_property_readonly(
            "agents", [](const ProvGraph& g) { return nodes_of(g, NodeKind::agent); }, "The agent nodes.")
        .def_property_readonly(
            "files", [](const ProvGraph& g) { return nodes_of(g, NodeKind::datafile); },
            "The file nodes: files used individually (``Used(file=...)``).")
        .def(
            "find",
            [](const ProvGraph& g, const std::string& id) -> std::optional<ProvNode> {
                if (const auto* n = g.find(id)) return *n;
                return std::nullopt;
            },
            py::arg("id"), R"doc(
The node with this ID (a copy), or None.

:param id: a PID, or ``"<dataset PID>#<path>"`` for a file
)doc")
        .def(
            "edges_of",
            [](const ProvGraph& g, const StrArg& kind) {
                Violations v;
                const EdgeKind k = to_enum(kind, "kind", edge_kinds, v);
                v.throw_if_any();
                std::vector<ProvEdge> out;
                for (const auto* e : g.edges_of(k)) out.push_back(*e);
                return out;
            },
            py::arg("kind"), R"doc(
The edges of one PROV relation.

:param kind: ``"used"``, ``"wasGeneratedBy"``, ``"wasDerivedFrom"``, ``"wasInformedBy"``,
    ``"wasAssociatedWith"`` or ``"hadMember"``
:raises ValidationError: for another name
)doc")
        .def(
            "__contains__",
            [](const ProvGraph& g, const ObjectArg& item) {
                std::string id;
                if (PyUnicode_Check(item.ptr())) {
                    id = item.cast<std::string>();
                } else if (py::isinstance<ProvNode>(item)) {
                    id = item.cast<const ProvNode&>().id;
                } else if (py::isinstance<Dataset>(item)) {
                    id = item.cast<const Dataset&>().pid;
                } else if (py::isinstance<Activity>(item)) {
                    id = item.cast<const Activity&>().pid;
                } else if (py::isinstance<Agent>(item)) {
                    id = item.cast<const Agent&>().pid;
                } else if (py::isinstance(item, activity_run_class())) {
                    id = item.attr("pid").cast<std::string>();
                } else {
                    return false;
                }
                return !id.empty() && g.contains(id);
            },
            py::arg("item"),
            "Whether a node with this ID is in the graph; a :class:`ProvNode`, :class:`Dataset`, "
            ":class:`Activity`, :class:`ActivityRun` or :class:`Agent` stands for its PID.")
        .def("__len__", [](const ProvGraph& g) { return g.nodes.size(); }, "The number of nodes.")
        .def(
            "__iter__", [](const ProvGraph& g) { return NodeIter(py::iter(py::cast(g.nodes))); },
            "Iterate over (copies of) the nodes.")
        .def(
            "to_networkx", [](const ProvGraph& g) { return AnyOut(to_networkx(g)); }, R"doc(
The graph as a ``networkx.MultiDiGraph``: nodes keyed by ID with the data ``kind``, ``name``,
``depth`` and ``attributes`` (a dict), edges from ``source`` to ``target`` with ``kind``,
``role`` and ``activity``.

:raises ImportError: when networkx is not installed
)doc")
        .def(
            "__eq__",
            [](const ProvGraph& self, const ObjectArg& other) {
                if (!py::isinstance<ProvGraph>(other))
                    return BoolOut(py::reinterpret_borrow<py::object>(Py_NotImplemented));
                const auto& o = other.cast<const ProvGraph&>();
                return BoolOut(py::bool_(self.nodes == o.nodes && self.edges == o.edges));
            },
            py::arg("other"))
        .def("__repr__", &graph_repr);
    add_pickle(
        graph,
        [](const ProvGraph& g) {
            py::list nodes, edges;
            for (const auto& n : g.nodes) nodes.append(node_state(n));
            for (const auto& e : g.edges) edges.append(edge_state(e));
            return py::make_tuple(nodes, edges);
        },
        [](const py::tuple& state) {
            auto t = state_tuple(state, 2, "ProvGraph");
            ProvGraph g;
            for (py::handle n : t[0]) g.nodes.push_back(node_from_state(n));
            for (py::handle e : t[1]) g.edges.push_back(edge_from_state(e));
            return g;
        });
    add_copy(graph);
}
