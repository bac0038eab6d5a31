// Catalog's provenance methods: checks and defaults here, storage in the Store.
#include "catalog/catalog_impl.hpp"

#include <fmt/format.h>

#include <unordered_set>

namespace datatrail {

Agent Catalog::add_agent(Agent agent) {
    Violations out;
    detail::check_agent(agent, out);
    out.throw_if_any();
    agent.pid = impl_->mint(agent.pid);
    return impl_->store->insert_agent(agent);
}

Agent Catalog::agent(const std::string& pid_or_name) const {
    auto found = impl_->store->find_agent(pid_or_name);
    if (!found) throw NotFound(fmt::format("no agent '{}' in the catalogue (looked up by PID and by name)", pid_or_name));
    return std::move(*found);
}

std::vector<Agent> Catalog::agents() const { return impl_->store->list_agents(); }

Activity Catalog::start_activity(Activity activity) {
    Violations out;
    detail::check_activity(activity, out);
    auto parameters = detail::normalize_metadata(activity.parameters, "activity.parameters", out);
    out.throw_if_any();
    activity.pid = impl_->mint(activity.pid);
    if (!activity.start_time) activity.start_time = now();
    if (activity.host.empty()) activity.host = host_name();
    if (activity.created_by.empty()) activity.created_by = detail::current_user();
    return impl_->store->insert_activity({std::move(activity), std::move(parameters)});
}

Activity Catalog::activity(const std::string& pid) const {
    auto found = impl_->store->find_activity(pid);
    if (!found) throw NotFound(fmt::format("no activity with PID '{}' in the catalogue", pid));
    return std::move(*found);
}

std::vector<Activity> Catalog::find_activities(const ActivityQuery& query) const {
    return impl_->store->find_activities(query);
}

void Catalog::add_inputs(const std::string& activity_pid, const std::vector<Used>& used) {
    Violations out;
    detail::check_used(used, "used", out);
    out.throw_if_any();
    impl_->store->add_inputs(activity_pid, used);
}

std::vector<Dataset> Catalog::add_outputs(const std::string& activity_pid, std::vector<Dataset> datasets,
                                          const std::string& role, const RegisterOptions& options) {
    return impl_->store->insert_outputs(activity_pid, impl_->prepare(datasets, options), role);
}

void Catalog::append_log(const std::string& activity_pid, std::string_view text) {
    impl_->store->append_log(activity_pid, text);
}

void Catalog::finish_activity(const std::string& activity_pid, ActivityStatus status, std::optional<Timestamp> end_time) {
    impl_->store->finish_activity(activity_pid, status, end_time.value_or(now()));
}

void Catalog::add_derivation(const std::string& derived_pid, const std::string& source_pid, const std::string& role) {
    impl_->store->add_derivation(derived_pid, source_pid, role);
}

void Catalog::add_informed_by(const std::string& activity_pid, const std::string& informant_pid) {
    impl_->store->add_informed_by(activity_pid, informant_pid);
}

void Catalog::associate(const std::string& activity_pid, const std::string& agent, const std::string& role) {
    impl_->store->associate(activity_pid, agent, role);
}

ProvGraph Catalog::ancestors(const std::string& pid, int depth) const {
    return impl_->store->lineage(pid, detail::Direction::ancestors, depth);
}

ProvGraph Catalog::descendants(const std::string& pid, int depth) const {
    return impl_->store->lineage(pid, detail::Direction::descendants, depth);
}

std::vector<DatasetDepth> Catalog::ancestor_pids(const std::string& pid, int depth) const {
    return impl_->store->reach(pid, detail::Direction::ancestors, depth);
}

std::vector<DatasetDepth> Catalog::descendant_pids(const std::string& pid, int depth) const {
    return impl_->store->reach(pid, detail::Direction::descendants, depth);
}

ProvGraph Catalog::lineage_path(const std::string& ancestor, const std::string& descendant) const {
    return impl_->store->lineage_path(ancestor, descendant);
}

namespace {

std::vector<std::string> pids_of(const std::vector<DatasetDepth>& found) {
    std::vector<std::string> out;
    out.reserve(found.size());
    for (const auto& f : found) out.push_back(f.pid);
    return out;
}

}  // namespace

std::vector<Dataset> Catalog::raw_sources(const std::string& pid) const {
    auto found = impl_->store->datasets_by_pid(pids_of(ancestor_pids(pid)));
    std::erase_if(found, [](const Dataset& d) { return d.kind != DatasetKind::raw; });
    return found;
}

std::vector<Dataset> Catalog::downstream(const std::string& pid) const {
    return impl_->store->datasets_by_pid(pids_of(descendant_pids(pid)));
}

std::vector<Dataset> Catalog::generated_by_program(const std::string& program, const std::string& min_version,
                                                   const std::string& max_version, bool include_downstream) const {
    if (program.empty()) throw ValidationError({{"program", "", "must name a program"}});
    ActivityQuery q;
    q.program = program;
    q.min_version = min_version;
    q.max_version = max_version;
    std::vector<std::string> pids;
    std::unordered_set<std::string> seen;
    for (const auto& a : find_activities(q))
        for (const auto& pid : a.generated) {
            if (!seen.insert(pid).second) continue;
            pids.push_back(pid);
            if (include_downstream)
                for (auto& d : descendant_pids(pid))
                    if (seen.insert(d.pid).second) pids.push_back(std::move(d.pid));
        }
    return impl_->store->datasets_by_pid(pids);
}

ProvGraph Catalog::provenance() const { return impl_->store->provenance(); }

}  // namespace datatrail
