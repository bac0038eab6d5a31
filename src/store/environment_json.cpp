#include "store/environment_json.hpp"

#include <nlohmann/json.hpp>

namespace datatrail::detail {

std::string environment_json(const Environment& e) {
    nlohmann::json j = nlohmann::json::object();
    if (!e.os.empty()) j["os"] = e.os;
    if (!e.user.empty()) j["user"] = e.user;
    if (!e.source_tree.empty()) j["source_tree"] = e.source_tree;
    if (!e.git_commit.empty()) j["git_commit"] = e.git_commit;
    if (e.git_dirty) j["git_dirty"] = *e.git_dirty;
    if (!e.python_version.empty()) j["python_version"] = e.python_version;
    if (!e.packages.empty()) j["packages"] = e.packages;
    return j.dump();
}

Environment environment_from_json(std::string_view text) {
    const auto j = nlohmann::json::parse(text);
    Environment e;
    e.os = j.value("os", "");
    e.user = j.value("user", "");
    e.source_tree = j.value("source_tree", "");
    e.git_commit = j.value("git_commit", "");
    if (j.contains("git_dirty")) e.git_dirty = j["git_dirty"].get<bool>();
    e.python_version = j.value("python_version", "");
    if (j.contains("packages")) e.packages = j["packages"].get<std::map<std::string, std::string>>();
    return e;
}

}  // namespace datatrail::detail
