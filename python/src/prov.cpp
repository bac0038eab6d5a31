// Exports of a provenance graph: W3C PROV-JSON and PROV-N, Graphviz DOT and SVG, as module
// functions and as ProvGraph methods (added to the class init_lineage() registered).
#include "convert.hpp"
#include "display.hpp"

#include <datatrail/prov.hpp>

namespace py = pybind11;
using namespace datatrail;
using namespace datatrail::python;

namespace {

// Graphviz runs as a child process: the GIL is released meanwhile, on a copy of the graph so
// that another thread changing the Python object cannot pull it from under the C++ code.
std::string svg_of(const ProvGraph& graph) {
    ProvGraph copy = graph;
    py::gil_scoped_release release;
    return to_svg(copy);
}

constexpr const char* prov_json_doc = R"doc(
The graph as W3C PROV-JSON (the 2013 member submission), a str. Datasets and files are
entities, activities activities, agents agents; the relations are ``used``,
``wasGeneratedBy``, ``wasDerivedFrom``, ``wasInformedBy``, ``wasAssociatedWith`` and
``hadMember``. PIDs are qualified names in the namespace ``pid`` (``urn:datatrail:pid:``),
datatrail's attributes live in ``dt`` (``urn:datatrail:ns#``). The ``prov`` package reads it:
``prov.model.ProvDocument.deserialize(content=text, format="json")``.
)doc";

constexpr const char* prov_n_doc = R"doc(
The graph in W3C PROV-N, the notation for people: ``document ... endDocument`` with the same
records and namespaces as the PROV-JSON.
)doc";

constexpr const char* dot_doc = R"doc(
The graph as Graphviz DOT, in PROV's usual shapes and colours: datasets as yellow ellipses,
files as notes, activities as blue boxes, agents as orange houses; edges point from the later
to the earlier thing, as in PROV.
)doc";

constexpr const char* svg_doc = R"doc(
The graph drawn as SVG by Graphviz's ``dot`` (run with the GIL released).

:raises Error: when Graphviz is not installed or ``dot`` fails
)doc";

}  // namespace

void init_prov(py::module_& m) {
    m.def(
        "to_prov_json", [](const ProvGraph& graph) { return to_prov_json(graph); }, py::arg("graph"),
        (std::string(prov_json_doc) + "\n:param graph: a :class:`ProvGraph`\n").c_str());
    m.def(
        "to_prov_n", [](const ProvGraph& graph) { return to_prov_n(graph); }, py::arg("graph"),
        (std::string(prov_n_doc) + "\n:param graph: a :class:`ProvGraph`\n").c_str());
    m.def(
        "to_dot", [](const ProvGraph& graph) { return to_dot(graph); }, py::arg("graph"),
        (std::string(dot_doc) + "\n:param graph: a :class:`ProvGraph`\n").c_str());
    m.def("to_svg", &svg_of, py::arg("graph"), (std::string(svg_doc) + ":param graph: a :class:`ProvGraph`\n").c_str());

    auto graph = py::reinterpret_borrow<py::class_<ProvGraph>>(m.attr("ProvGraph"));
    graph.def("to_prov_json", [](const ProvGraph& g) { return to_prov_json(g); }, prov_json_doc)
        .def("to_prov_n", [](const ProvGraph& g) { return to_prov_n(g); }, prov_n_doc)
        .def("to_dot", [](const ProvGraph& g) { return to_dot(g); }, dot_doc)
        .def("to_svg", &svg_of, svg_doc)
        .def(
            "_repr_svg_",
            [](const ProvGraph& g) -> std::optional<std::string> {
                try {
                    return svg_of(g);
                } catch (const Error&) {
                    // No Graphviz: None lets Jupyter fall back to the text representation.
                    return std::nullopt;
                }
            },
            "The SVG drawing for Jupyter; None (so Jupyter shows the repr) when Graphviz is missing.");
    // Preferred to the SVG by notebooks: the drawing with a caption, or the nodes and edges as
    // tables when Graphviz is missing.
    def_repr_html(graph, "graph_html");
}
