// Catalog's provenance methods: checks, defaults and the PROV rules (cycles, what an
// activity's outputs derive from, the failed-run cascade) here; storage in the Store.
#include "catalog/catalog_impl.hpp"
#include "catalog/metadata_keys.hpp"
#include "catalog/references.hpp"

#include <fmt/format.h>

namespace datatrail {

using detail::StoreReader;
using detail::StoreWriter;
using detail::Table;

namespace {

// Throws the violations of texts given to one call: a NUL in any of them.
void check_texts(std::initializer_list<std::pair<std::string, std::string_view>> texts) {
    Violations out;
    detail::check_texts(texts, out);
    out.throw_if_any();
}

// Records that `activity` used datasets (checked to exist; violations collected), and derives
// whatever the activity already generated from them, refusing cycles.
void record_used(StoreWriter& w, std::int64_t activity, const std::string& activity_pid, const std::vector<Used>& used,
                 std::string_view field) {
    Violations violations;
    std::vector<std::int64_t> dataset_ids(used.size());
    for (std::size_t i = 0; i < used.size(); ++i) {
        const auto found = w.find_by_pid(Table::dataset, used[i].dataset);
        if (!found) {
            violations.add(fmt::format("{}[{}].dataset", field, i), used[i].dataset, "must be the PID of a dataset in the catalogue");
            continue;
        }
        dataset_ids[i] = found->id;
        if (!used[i].file.empty() && !w.has_file(found->id, used[i].file))
            violations.add(fmt::format("{}[{}].file", field, i), used[i].file,
                           fmt::format("must be the path of a file of dataset {}", used[i].dataset));
    }
    violations.throw_if_any();
    const auto outputs = w.generated_datasets(activity);
    for (std::size_t i = 0; i < used.size(); ++i) {
        for (const auto out : outputs)
            if (w.derives_from(dataset_ids[i], out))
                throw ValidationError({{fmt::format("{}[{}].dataset", field, i), used[i].dataset,
                                        fmt::format("would make a cycle: activity {} generated it or something it "
                                                    "was made from",
                                                    activity_pid)}});
        w.insert_used({activity, dataset_ids[i], used[i].file, used[i].role});
        for (const auto out : outputs) w.insert_derivation(out, dataset_ids[i], activity, used[i].role);
    }
}

void record_association(StoreWriter& w, std::int64_t activity, const Association& a, std::string_view field) {
    Violations violations;
    const auto agent = detail::resolve(w, Table::agent, a.agent, std::string(field), violations);
    violations.throw_if_any();
    if (agent) w.insert_association(activity, agent->id, a.role);
}

void record_informed_by(StoreWriter& w, std::int64_t informed, const std::string& informed_pid,
                        const std::string& informant_pid, std::string_view field) {
    const auto informant = w.find_by_pid(Table::activity, informant_pid);
    if (!informant)
        throw ValidationError({{std::string(field), informant_pid, "must be the PID of an activity in the catalogue"}});
    if (w.informed_by(informant->id, informed))
        throw ValidationError({{std::string(field), informant_pid,
                                fmt::format("would make a cycle: it was informed by {} already", informed_pid)}});
    w.insert_communication(informed, informant->id);
}

// What an activity's outputs derive from: each dataset it used, once, with the role of its
// whole-dataset use (a dataset used only through its files derives with no role).
std::vector<std::pair<std::int64_t, std::string>> derivation_sources(StoreReader& store, std::int64_t activity) {
    std::vector<std::pair<std::int64_t, std::string>> sources;
    for (auto& u : store.used_by({activity})) {  // by dataset, the whole-dataset use (path '') first
        if (!sources.empty() && sources.back().first == u.dataset) continue;
        sources.emplace_back(u.dataset, u.path.empty() ? std::move(u.role) : std::string());
    }
    return sources;
}

}  // namespace

Agent Catalog::add_agent(Agent agent) {
    Violations out;
    detail::check_agent(agent, out);
    out.throw_if_any();
    agent.pid = impl_->mint(agent.pid);
    impl_->store->write([&](StoreWriter& w) {
        detail::refuse_taken_pid(w, Table::agent, agent.pid, "agent");
        w.insert_agent(agent);
    });
    return agent;
}

Agent Catalog::agent(const std::string& pid_or_name) const {
    std::optional<Agent> found;
    impl_->store->read([&](StoreReader& r) {
        if (const auto ref = detail::lookup(r, Table::agent, pid_or_name)) found = std::move(r.agents({ref->id}).front());
    });
    if (!found) throw NotFound(fmt::format("no agent '{}' in the catalogue (looked up by PID and by name)", pid_or_name));
    return std::move(*found);
}

std::vector<Agent> Catalog::agents() const {
    std::vector<Agent> out;
    impl_->store->read([&](StoreReader& r) { out = r.agents(r.all_ids(Table::agent)); });
    return out;
}

namespace {

// Checks an activity and fills in its defaults (the PID given, start time, host, user): the part of
// start_activity and record_activity done before the transaction.
detail::ActivityRow prepare_activity(Activity activity, const std::string& pid, Violations& out) {
    detail::check_activity(activity, out);
    auto parameters = detail::normalize_metadata(activity.parameters, "activity.parameters", out);
    activity.pid = pid;
    if (!activity.start_time) activity.start_time = now();
    if (activity.host.empty()) activity.host = host_name();
    if (activity.created_by.empty()) activity.created_by = detail::current_user();
    return {std::move(activity), std::move(parameters), std::nullopt};
}

// Writes a checked activity with its parameters and links; returns its id. Inside a write.
std::int64_t insert_activity(StoreWriter& w, detail::ActivityRow& row) {
    const auto& a = row.activity;
    detail::refuse_taken_pid(w, Table::activity, a.pid, "activity");
    row.parent_id.reset();
    if (!a.parent.empty()) {
        const auto parent = w.find_by_pid(Table::activity, a.parent);
        if (!parent) throw ValidationError({{"activity.parent", a.parent, "must be the PID of an activity in the catalogue"}});
        row.parent_id = parent->id;
    }
    Violations violations;
    std::unordered_map<std::string, detail::KeyInfo> keys;
    detail::check_keys(w, row.parameters, "activity.parameters", keys, violations);
    violations.throw_if_any();
    const auto id = w.insert_activity(row);
    record_used(w, id, a.pid, a.used, "activity.used");
    for (std::size_t i = 0; i < a.agents.size(); ++i)
        record_association(w, id, a.agents[i], fmt::format("activity.agents[{}].agent", i));
    for (std::size_t i = 0; i < a.informed_by.size(); ++i)
        record_informed_by(w, id, a.pid, a.informed_by[i], fmt::format("activity.informed_by[{}]", i));
    return id;
}

// Links datasets just inserted to the activity that generated them, and derives them from what
// it used. Inside a write.
void link_outputs(StoreWriter& w, std::int64_t activity, const std::vector<std::int64_t>& ids, const std::string& role) {
    const auto sources = derivation_sources(w, activity);
    for (const auto id : ids) {
        w.insert_generation({id, activity, role});
        for (const auto& [source, used_role] : sources) w.insert_derivation(id, source, activity, used_role);
    }
}

// What the end of a run does to its outputs: a failed run leaves nothing looking valid; a
// successful one completes what it wrote. Inside a write.
void settle_outputs(StoreWriter& w, std::int64_t activity, ActivityStatus status, Timestamp end) {
    if (status == ActivityStatus::failed)
        w.set_output_states(activity, std::nullopt, DatasetState::failed, end);
    else if (status != ActivityStatus::running)
        w.set_output_states(activity, DatasetState::acquiring, DatasetState::complete, end);
}

}  // namespace

Activity Catalog::start_activity(Activity activity) {
    Violations out;
    const auto pid = impl_->mint(activity.pid);
    auto row = prepare_activity(std::move(activity), pid, out);
    out.throw_if_any();
    std::int64_t id = 0;
    impl_->store->write([&](StoreWriter& w) { id = insert_activity(w, row); });
    Activity stored;
    impl_->store->read([&](StoreReader& r) { stored = std::move(r.activities({id}).front()); });
    return stored;
}

RecordedActivity Catalog::record_activity(Activity activity, std::vector<Dataset> outputs, const std::string& role,
                                          const RegisterOptions& options) {
    Violations out;
    detail::check_texts({{"role", role}}, out);
    if (activity.status != ActivityStatus::running && !activity.end_time) activity.end_time = now();
    const auto pid = impl_->mint(activity.pid);
    auto row = prepare_activity(std::move(activity), pid, out);
    std::vector<detail::DatasetRow> rows;
    try {
        rows = impl_->prepare(outputs, options, "outputs");
    } catch (const ValidationError& e) {
        // Every violation of the call at once: the activity's with the outputs'.
        if (out.empty()) throw;
        for (const auto& v : e.violations()) out.add(v.field, v.value, v.rule);
    }
    out.throw_if_any();
    // What finish_activity does to the outputs (settle_outputs), done to the rows before they are
    // inserted: each is written once, in its final state.
    if (const auto& a = row.activity; a.end_time && a.status != ActivityStatus::running)
        for (auto& r : rows) {
            auto& d = r.dataset;
            if (a.status == ActivityStatus::failed) d.state = DatasetState::failed;
            else if (d.state == DatasetState::acquiring) d.state = DatasetState::complete;
            else continue;
            if (!d.end_time) d.end_time = a.end_time;
        }
    Activity stored;
    impl_->store->write([&](StoreWriter& w) {
        const auto id = insert_activity(w, row);
        link_outputs(w, id, impl_->insert(w, rows), role);
        // Read back in the same transaction: one round trip fewer than a read after it.
        stored = std::move(w.activities({id}).front());
    });
    return {std::move(stored), Impl::stored(rows)};
}

Activity Catalog::activity(const std::string& pid) const {
    std::optional<Activity> found;
    impl_->store->read([&](StoreReader& r) {
        if (const auto ref = r.find_by_pid(Table::activity, pid)) found = std::move(r.activities({ref->id}).front());
    });
    if (!found) throw NotFound(fmt::format("no activity with PID '{}' in the catalogue", pid));
    return std::move(*found);
}

std::vector<Activity> Catalog::find_activities(const ActivityQuery& q) const {
    check_texts({{"name", q.name}, {"program", q.program}, {"min_version", q.min_version}, {"max_version", q.max_version}});
    std::vector<Activity> out;
    impl_->store->read([&](StoreReader& r) {
        std::optional<std::int64_t> parent;
        if (!q.parent.empty()) {
            const auto found = r.find_by_pid(Table::activity, q.parent);
            if (!found) throw NotFound(fmt::format("no activity with PID '{}' in the catalogue", q.parent));
            parent = found->id;
        }
        std::vector<std::int64_t> ids;
        // Versions compare part by part, which SQL cannot: filter here.
        for (const auto& [id, version] : r.find_activities(q, parent)) {
            if (!q.min_version.empty() && compare_versions(version, q.min_version) < 0) continue;
            if (!q.max_version.empty() && compare_versions(version, q.max_version) >= 0) continue;
            ids.push_back(id);
            if (q.limit && ids.size() >= q.limit) break;
        }
        out = r.activities(ids);
    });
    return out;
}

void Catalog::add_inputs(const std::string& activity_pid, const std::vector<Used>& used) {
    Violations out;
    detail::check_used(used, "used", out);
    out.throw_if_any();
    impl_->store->write([&](StoreWriter& w) {
        record_used(w, detail::id_or_throw(w, Table::activity, activity_pid, "add_inputs"), activity_pid, used, "used");
    });
}

std::vector<Dataset> Catalog::add_outputs(const std::string& activity_pid, std::vector<Dataset> datasets,
                                          const std::string& role, const RegisterOptions& options) {
    check_texts({{"role", role}});
    auto rows = impl_->prepare(datasets, options);
    impl_->store->write([&](StoreWriter& w) {
        const auto activity = detail::id_or_throw(w, Table::activity, activity_pid, "add_outputs");
        link_outputs(w, activity, impl_->insert(w, rows), role);
    });
    return Impl::stored(rows);
}

void Catalog::append_log(const std::string& activity_pid, std::string_view text) {
    check_texts({{"text", text}});
    impl_->store->write([&](StoreWriter& w) {
        w.append_log(detail::id_or_throw(w, Table::activity, activity_pid, "append_log"), text);
    });
}

void Catalog::finish_activity(const std::string& activity_pid, ActivityStatus status, std::optional<Timestamp> end_time) {
    const auto end = end_time.value_or(now());
    impl_->store->write([&](StoreWriter& w) {
        const auto id = detail::id_or_throw(w, Table::activity, activity_pid, "finish_activity");
        if (const auto start = w.activity_start(id); start && end < *start)
            throw ValidationError({{"end_time", format_time(end),
                                    fmt::format("must not be before the activity's start_time ({})", format_time(*start))}});
        w.finish_activity(id, status, end);
        settle_outputs(w, id, status, end);
    });
}

void Catalog::add_derivation(const std::string& derived_pid, const std::string& source_pid, const std::string& role) {
    check_texts({{"role", role}});
    impl_->store->write([&](StoreWriter& w) {
        const auto ids = detail::require_datasets(w, {{"derived", derived_pid}, {"source", source_pid}});
        if (w.derives_from(ids[1], ids[0]))
            throw ValidationError({{"source", source_pid,
                                    fmt::format("would make a cycle: it is {} or was made from it", derived_pid)}});
        w.insert_derivation(ids[0], ids[1], std::nullopt, role);
    });
}

void Catalog::add_informed_by(const std::string& activity_pid, const std::string& informant_pid) {
    impl_->store->write([&](StoreWriter& w) {
        record_informed_by(w, detail::id_or_throw(w, Table::activity, activity_pid, "add_informed_by"), activity_pid,
                           informant_pid, "informant");
    });
}

void Catalog::associate(const std::string& activity_pid, const std::string& agent, const std::string& role) {
    check_texts({{"agent", agent}, {"role", role}});
    impl_->store->write([&](StoreWriter& w) {
        record_association(w, detail::id_or_throw(w, Table::activity, activity_pid, "associate"), {agent, role}, "agent");
    });
}

}  // namespace datatrail
