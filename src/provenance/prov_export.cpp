// PROV-JSON, PROV-N, DOT and SVG from a ProvGraph. One description of each node and relation
// (attributes, which PROV record it is) serves all the formats.
#include <datatrail/error.hpp>
#include <datatrail/prov.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <unistd.h>

namespace datatrail {
namespace {

constexpr std::string_view pid_namespace = "urn:datatrail:pid:";
constexpr std::string_view dt_namespace = "urn:datatrail:ns#";

// A PID as a PROV qualified name: characters outside a safe set are percent-encoded, so the
// name is valid in PROV-N and survives PROV-JSON readers.
std::string qname(std::string_view id) {
    std::string out = "pid:";
    for (unsigned char c : id) {
        if (std::isalnum(c) || c == '/' || c == '#' || c == '_' || c == '-' || c == '~' || c == '.')
            out += static_cast<char>(c);
        else
            out += fmt::format("%{:02X}", c);
    }
    if (out.back() == '.') out.replace(out.size() - 1, 1, "%2E");  // PROV-N names must not end in '.'
    return out;
}

std::string prov_type(const ProvNode& n) {
    switch (n.kind) {
        case NodeKind::dataset: return "dt:Dataset";
        case NodeKind::datafile: return "dt:Datafile";
        case NodeKind::activity: return "dt:Activity";
        case NodeKind::agent: {
            const auto it = n.attributes.find("type");
            const std::string t = it == n.attributes.end() ? "" : it->second;
            if (t == "person") return "prov:Person";
            if (t == "software") return "prov:SoftwareAgent";
            if (t == "organisation") return "prov:Organization";
            return "prov:Agent";
        }
    }
    return "prov:Entity";
}

// PROV record names, and the PROV-JSON keys of a relation's two ends.
struct RelationShape {
    std::string_view record;
    std::string_view from_key;
    std::string_view to_key;
};

RelationShape shape(EdgeKind k) {
    switch (k) {
        case EdgeKind::used: return {"used", "prov:activity", "prov:entity"};
        case EdgeKind::was_generated_by: return {"wasGeneratedBy", "prov:entity", "prov:activity"};
        case EdgeKind::was_derived_from: return {"wasDerivedFrom", "prov:generatedEntity", "prov:usedEntity"};
        case EdgeKind::was_informed_by: return {"wasInformedBy", "prov:informed", "prov:informant"};
        case EdgeKind::was_associated_with: return {"wasAssociatedWith", "prov:activity", "prov:agent"};
        case EdgeKind::had_member: return {"hadMember", "prov:collection", "prov:entity"};
    }
    return {"wasRelatedTo", "prov:from", "prov:to"};
}

std::string_view record_of(NodeKind k) {
    switch (k) {
        case NodeKind::dataset:
        case NodeKind::datafile: return "entity";
        case NodeKind::activity: return "activity";
        case NodeKind::agent: return "agent";
    }
    return "entity";
}

// The attributes PROV-DM names itself; everything else goes into the dt namespace.
bool is_time(const std::string& key) { return key == "start_time" || key == "end_time"; }

std::string provn_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out + "\"";
}

std::string dot_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

}  // namespace

std::string to_prov_json(const ProvGraph& graph) {
    nlohmann::ordered_json doc;
    doc["prefix"] = {{"pid", pid_namespace}, {"dt", dt_namespace}};
    for (const auto& n : graph.nodes) {
        nlohmann::ordered_json record;
        record["prov:label"] = n.name;
        record["prov:type"] = {{"$", prov_type(n)}, {"type", "prov:QUALIFIED_NAME"}};
        for (const auto& [key, value] : n.attributes) {
            if (n.kind == NodeKind::activity && is_time(key)) record[key == "start_time" ? "prov:startTime" : "prov:endTime"] = value;
            else if (!(n.kind == NodeKind::agent && key == "type")) record["dt:" + key] = value;
        }
        doc[std::string(record_of(n.kind))][qname(n.id)] = std::move(record);
    }
    std::size_t counter = 0;
    for (const auto& e : graph.edges) {
        const auto s = shape(e.kind);
        nlohmann::ordered_json record;
        record[std::string(s.from_key)] = qname(e.from);
        record[std::string(s.to_key)] = qname(e.to);
        if (!e.activity.empty()) record["prov:activity"] = qname(e.activity);
        if (!e.role.empty()) record["prov:role"] = e.role;
        doc[std::string(s.record)][fmt::format("_:r{}", ++counter)] = std::move(record);
    }
    return doc.dump(2);
}

std::string to_prov_n(const ProvGraph& graph) {
    std::string out = fmt::format("document\n  prefix pid <{}>\n  prefix dt <{}>\n\n", pid_namespace, dt_namespace);
    for (const auto& n : graph.nodes) {
        std::string attrs = fmt::format("prov:label={}, prov:type='{}'", provn_string(n.name), prov_type(n));
        std::string start = "-", end = "-";
        for (const auto& [key, value] : n.attributes) {
            if (n.kind == NodeKind::activity && is_time(key)) (key == "start_time" ? start : end) = value;
            else if (!(n.kind == NodeKind::agent && key == "type")) attrs += fmt::format(", dt:{}={}", key, provn_string(value));
        }
        if (n.kind == NodeKind::activity)
            out += fmt::format("  activity({}, {}, {}, [{}])\n", qname(n.id), start, end, attrs);
        else
            out += fmt::format("  {}({}, [{}])\n", record_of(n.kind), qname(n.id), attrs);
    }
    for (const auto& e : graph.edges) {
        const std::string role = e.role.empty() ? "" : fmt::format(", [prov:role={}]", provn_string(e.role));
        const auto from = qname(e.from), to = qname(e.to);
        switch (e.kind) {
            case EdgeKind::used: out += fmt::format("  used({}, {}, -{})\n", from, to, role); break;
            case EdgeKind::was_generated_by: out += fmt::format("  wasGeneratedBy({}, {}, -{})\n", from, to, role); break;
            case EdgeKind::was_derived_from:
                out += fmt::format("  wasDerivedFrom({}, {}, {}, -, -{})\n", from, to,
                                   e.activity.empty() ? "-" : qname(e.activity), role);
                break;
            case EdgeKind::was_informed_by: out += fmt::format("  wasInformedBy({}, {})\n", from, to); break;
            case EdgeKind::was_associated_with: out += fmt::format("  wasAssociatedWith({}, {}, -{})\n", from, to, role); break;
            case EdgeKind::had_member: out += fmt::format("  hadMember({}, {})\n", from, to); break;
        }
    }
    return out + "endDocument\n";
}

std::string to_dot(const ProvGraph& graph) {
    // The colours and shapes of the PROV primer's figures.
    std::string out =
        "digraph provenance {\n  rankdir=BT;\n  node [fontname=\"Helvetica\", fontsize=10, style=filled];\n"
        "  edge [fontname=\"Helvetica\", fontsize=8];\n";
    for (const auto& n : graph.nodes) {
        std::string label = n.name;
        const auto attr = [&](const char* key) {
            const auto it = n.attributes.find(key);
            return it == n.attributes.end() ? std::string() : it->second;
        };
        switch (n.kind) {
            case NodeKind::dataset:
                label += "\n" + attr("kind") + (attr("state") == "complete" ? "" : ", " + attr("state"));
                out += fmt::format("  {} [label={}, shape=ellipse, fillcolor=\"#FFFC87\"];\n", dot_string(n.id), dot_string(label));
                break;
            case NodeKind::datafile:
                out += fmt::format("  {} [label={}, shape=note, fillcolor=\"#FFFDC4\"];\n", dot_string(n.id), dot_string(label));
                break;
            case NodeKind::activity: {
                const auto program = attr("program"), version = attr("version");
                if (!program.empty()) label += "\n" + program + (version.empty() ? "" : " " + version);
                if (attr("status") != "succeeded") label += "\n" + attr("status");
                out += fmt::format("  {} [label={}, shape=box, fillcolor=\"#9FB1FC\"];\n", dot_string(n.id), dot_string(label));
                break;
            }
            case NodeKind::agent:
                out += fmt::format("  {} [label={}, shape=house, fillcolor=\"#FED37F\"];\n", dot_string(n.id), dot_string(label));
                break;
        }
    }
    for (const auto& e : graph.edges) {
        std::string label(to_string(e.kind));
        if (!e.role.empty()) label += "\n(" + e.role + ")";
        out += fmt::format("  {} -> {} [label={}];\n", dot_string(e.from), dot_string(e.to), dot_string(label));
    }
    return out + "}\n";
}

std::string to_svg(const ProvGraph& graph) {
    namespace fs = std::filesystem;
    std::string pattern = (fs::temp_directory_path() / "datatrail-dot-XXXXXX").string();
    const int fd = mkstemp(pattern.data());
    if (fd < 0) throw Error("cannot create a temporary file for Graphviz");
    close(fd);
    struct Remove {
        std::string path;
        ~Remove() { std::remove(path.c_str()); }
    } cleanup{pattern};
    std::ofstream(pattern) << to_dot(graph);
    const std::string command = "dot -Tsvg '" + pattern + "' 2>&1";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    if (!pipe) throw Error("cannot run Graphviz's dot");
    std::string svg;
    std::array<char, 4096> buffer{};
    while (const auto n = fread(buffer.data(), 1, buffer.size(), pipe.get())) svg.append(buffer.data(), n);
    const int status = pclose(pipe.release());
    if (status != 0)
        throw Error(fmt::format("Graphviz's dot failed (is graphviz installed? `apt-get install graphviz`): {}",
                                svg.substr(0, 200)));
    return svg;
}

}  // namespace datatrail
