// Catalog::merge_from: copies what this catalogue lacks of another one, matched by PID, in one
// transaction; refuses the whole merge when any record differs. Engine-neutral: it reads the
// source and writes the target through the store primitives, so every engine pair merges alike.
#include "catalog/catalog_impl.hpp"
#include "catalog/metadata_keys.hpp"
#include "catalog/references.hpp"
#include "catalog/search_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace datatrail {

using detail::StoreReader;
using detail::StoreWriter;
using detail::Table;

namespace {

// Datasets are read, compared and written this many at a time, so a large merge holds one
// chunk of records in memory, not the whole catalogue.
constexpr std::size_t chunk_size = 2000;

std::string show(const std::string& s) { return s; }
std::string show(const std::optional<Timestamp>& t) { return t ? format_time(*t) : std::string(); }
std::string show(const std::vector<std::string>& items) { return fmt::format("[{}]", fmt::join(items, ", ")); }
std::string show(const MetadataValue& mv) {
    std::string text = mv.value.to_string();
    if (!mv.unit.empty()) text += " " + mv.unit;
    if (mv.uncertainty) text += fmt::format(" ± {}", *mv.uncertainty);
    return text;
}
std::string show(const Datafile& f) {
    return fmt::format("size {}, sha256 '{}', format '{}', modified '{}'", f.size ? fmt::format("{}", *f.size) : "",
                       f.sha256, f.format, show(f.modified));
}
std::string show(const Participant& p) { return fmt::format("{} ({}, {}, {})", p.name, p.role, p.orcid, p.email); }
std::string show(const Used& u) { return fmt::format("{}{}{} as '{}'", u.dataset, u.file.empty() ? "" : "#", u.file, u.role); }
std::string show(const Association& a) { return fmt::format("{} as '{}'", a.agent, a.role); }
template <class E>
    requires std::is_enum_v<E>
std::string show(E e) {
    return std::string(to_string(e));
}

// Collects the fields in which a record of the source differs from the same PID here.
class Differ {
public:
    Differ(std::vector<Violation>& out, std::string record) : out_(out), record_(std::move(record)) {}

    template <class T>
    void field(std::string_view name, const T& here, const T& there) {
        if (!(here == there)) add(name, show(there), show(here));
    }
    template <class T>
    void list(std::string_view name, const std::vector<T>& here, const std::vector<T>& there) {
        if (here == there) return;
        const auto joined = [](const std::vector<T>& items) {
            std::vector<std::string> shown;
            for (const auto& item : items) shown.push_back(show(item));
            return fmt::format("[{}]", fmt::join(shown, "; "));
        };
        add(name, joined(there), joined(here));
    }
    void metadata(std::string_view name, const Metadata& here, const Metadata& there) {
        if (here == there) return;
        std::set<std::string> keys;
        for (const auto& [k, v] : here) keys.insert(k);
        for (const auto& [k, v] : there) keys.insert(k);
        for (const auto& k : keys) {
            const auto h = here.find(k), t = there.find(k);
            if (h != here.end() && t != there.end() && h->second == t->second) continue;
            add(fmt::format("{}.{}", name, k), t == there.end() ? "(absent)" : show(t->second),
                h == here.end() ? "(absent)" : show(h->second));
        }
    }
    void files(const std::vector<Datafile>& here, const std::vector<Datafile>& there) {
        if (here == there) return;
        std::map<std::string, const Datafile*> h, t;
        for (const auto& f : here) h.emplace(f.path, &f);
        for (const auto& f : there) t.emplace(f.path, &f);
        for (const auto& [path, f] : t) {
            const auto it = h.find(path);
            if (it == h.end()) add(fmt::format("files[{}]", path), show(*f), "(absent)");
            else if (!(*it->second == *f)) add(fmt::format("files[{}]", path), show(*f), show(*it->second));
        }
        for (const auto& [path, f] : h)
            if (!t.contains(path)) add(fmt::format("files[{}]", path), "(absent)", show(*f));
    }

private:
    void add(std::string_view name, std::string there, std::string here) {
        out_.push_back({fmt::format("{}.{}", record_, name), std::move(there),
                        fmt::format("differs from this catalogue's '{}'", here)});
    }
    std::vector<Violation>& out_;
    std::string record_;
};

void diff(Differ& d, const Instrument& here, const Instrument& there) {
    d.field("name", here.name, there.name);
    d.field("facility", here.facility, there.facility);
    d.field("type", here.type, there.type);
}

void diff(Differ& d, const Investigation& here, const Investigation& there) {
    d.field("name", here.name, there.name);
    d.field("title", here.title, there.title);
    d.field("summary", here.summary, there.summary);
    d.field("start_time", here.start_time, there.start_time);
    d.field("end_time", here.end_time, there.end_time);
    d.field("instrument", here.instrument, there.instrument);
    d.list("participants", here.participants, there.participants);
    d.field("release_date", here.release_date, there.release_date);
    d.field("doi", here.doi, there.doi);
}

void diff(Differ& d, const Sample& here, const Sample& there) {
    d.field("name", here.name, there.name);
    d.field("description", here.description, there.description);
    d.field("formula", here.formula, there.formula);
    d.field("investigation", here.investigation, there.investigation);
    d.field("parent", here.parent, there.parent);
    d.metadata("metadata", here.metadata, there.metadata);
}

void diff(Differ& d, const Agent& here, const Agent& there) {
    d.field("type", here.type, there.type);
    d.field("name", here.name, there.name);
    d.field("orcid", here.orcid, there.orcid);
    d.field("email", here.email, there.email);
    d.field("version", here.version, there.version);
    d.field("url", here.url, there.url);
}

void diff(Differ& d, const Dataset& here, const Dataset& there) {
    d.field("kind", here.kind, there.kind);
    d.field("name", here.name, there.name);
    d.field("description", here.description, there.description);
    d.field("investigation", here.investigation, there.investigation);
    d.field("instrument", here.instrument, there.instrument);
    d.field("sample", here.sample, there.sample);
    d.field("techniques", here.techniques, there.techniques);
    d.field("keywords", here.keywords, there.keywords);
    d.field("start_time", here.start_time, there.start_time);
    d.field("end_time", here.end_time, there.end_time);
    d.field("location", here.location, there.location);
    d.field("schema", here.schema, there.schema);
    // valid and violations are not compared: they are a check's result, which validate(record)
    // may have renewed on either side, not the dataset's content.
    d.metadata("metadata", here.metadata, there.metadata);
    d.field("state", here.state, there.state);
    d.files(here.files, there.files);
    d.field("created_by", here.created_by, there.created_by);
    d.field("created_at", here.created_at, there.created_at);
}

void diff(Differ& d, const Activity& here, const Activity& there) {
    d.field("name", here.name, there.name);
    d.field("type", here.type, there.type);
    d.field("program", here.program, there.program);
    d.field("version", here.version, there.version);
    d.metadata("parameters", here.parameters, there.parameters);
    d.field("start_time", here.start_time, there.start_time);
    d.field("end_time", here.end_time, there.end_time);
    d.field("status", here.status, there.status);
    d.field("host", here.host, there.host);
    d.field("command_line", here.command_line, there.command_line);
    d.field("parent", here.parent, there.parent);
    d.field("log", here.log, there.log);
    if (!(here.environment == there.environment)) d.field("environment", std::string("(another)"), std::string("(this)"));
    d.list("used", here.used, there.used);
    d.list("agents", here.agents, there.agents);
    d.field("informed_by", here.informed_by, there.informed_by);
    d.field("generated", here.generated, there.generated);
    d.field("created_by", here.created_by, there.created_by);
}

// The PIDs of records by internal id, for one catalogue.
using PidOf = std::unordered_map<std::int64_t, std::string>;

class Merger {
public:
    Merger(StoreReader& source, StoreWriter& target, const MergeProgressFn& progress)
        : source_(source), target_(target), progress_(progress) {}

    MergeReport run() {
        schemas();
        records(Table::instrument, "instruments", report_.instruments, &StoreReader::instruments,
                [&](Instrument& in) {
                    if (!name_clash_instrument(in)) target_.insert_instrument(in);
                });
        records(Table::investigation, "investigations", report_.investigations, &StoreReader::investigations,
                [&](Investigation& in) { add_investigation(in); });
        records(Table::sample, "samples", report_.samples, &StoreReader::samples, [&](Sample& s) { add_sample(s); });
        records(Table::agent, "agents", report_.agents, &StoreReader::agents,
                [&](Agent& a) {
                    if (!name_clash_agent(a)) target_.insert_agent(a);
                });
        datasets();
        activities();
        generations();
        links();
        if (!differences_.empty()) {
            std::string message = fmt::format(
                "merge_from: {} difference(s) between the source catalogue and this one; nothing was merged:",
                differences_.size());
            constexpr std::size_t shown = 20;
            for (std::size_t i = 0; i < std::min(shown, differences_.size()); ++i) {
                const auto& v = differences_[i];
                message += fmt::format("\n  {} = '{}': {}", v.field, v.value, v.rule);
            }
            if (differences_.size() > shown) message += fmt::format("\n  ... and {} more", differences_.size() - shown);
            throw Conflict(message, std::move(differences_));
        }
        return report_;
    }

private:
    void tell(std::string_view stage, std::size_t done, std::size_t total) {
        if (progress_) progress_({stage, done, total});
    }

    std::string record_name(Table table, const std::string& pid) { return fmt::format("{} {}", table_name(table), pid); }

    // The target's id of a record the merge has added or found here. nullopt when it could not
    // be added for a difference already recorded: the merge will be refused, so what refers to
    // it is left out rather than stopping at the first difference.
    std::optional<std::int64_t> target_id(Table table, const std::string& pid) {
        if (const auto found = target_.find_by_pid(table, pid)) return found->id;
        if (!differences_.empty()) return std::nullopt;
        throw StorageError(fmt::format("merge_from: {} {} should be in the catalogue by now", table_name(table), pid));
    }
    std::optional<std::int64_t> target_ref(Table table, const std::string& pid) {
        return pid.empty() ? std::nullopt : target_id(table, pid);
    }

    // Merges every record of `table`: compared when its PID is here, else added by `add`.
    template <class T, class Add>
    void records(Table table, std::string_view stage, MergeCount& count,
                 std::vector<T> (StoreReader::*load)(const std::vector<std::int64_t>&), Add&& add) {
        const auto ids = source_.all_ids(table);
        auto incoming = (source_.*load)(ids);
        for (std::size_t i = 0; i < incoming.size(); ++i) {
            auto& record = incoming[i];
            if (const auto here = target_.find_by_pid(table, record.pid)) {
                Differ d(differences_, record_name(table, record.pid));
                diff(d, (target_.*load)({here->id}).front(), record);
                ++count.skipped;
            } else {
                add(record);
                ++count.added;
            }
            if ((i + 1) % chunk_size == 0 || i + 1 == incoming.size()) tell(stage, i + 1, incoming.size());
        }
    }

    // A unique name taken here by another PID.
    void clash(Table table, const std::string& pid, std::string_view field, const std::string& value, const std::string& other) {
        differences_.push_back({fmt::format("{}.{}", record_name(table, pid), field), value,
                                fmt::format("must be unique, but this catalogue has it as {}", other)});
    }
    // Names are unique per facility (instruments) and per type (agents).
    bool name_clash_instrument(const Instrument& in) {
        for (const auto& ref : target_.find_by_name(Table::instrument, in.name, std::numeric_limits<std::size_t>::max()))
            if (target_.instruments({ref.id}).front().facility == in.facility) {
                clash(Table::instrument, in.pid, "name", in.name, ref.pid);
                return true;
            }
        return false;
    }
    bool name_clash_agent(const Agent& a) {
        for (const auto& ref : target_.find_by_name(Table::agent, a.name, std::numeric_limits<std::size_t>::max()))
            if (target_.agents({ref.id}).front().type == a.type) {
                clash(Table::agent, a.pid, "name", a.name, ref.pid);
                return true;
            }
        return false;
    }

    void add_investigation(const Investigation& in) {
        if (const auto named = target_.find_by_name(Table::investigation, in.name, 1); !named.empty())
            return clash(Table::investigation, in.pid, "name", in.name, named.front().pid);
        target_.insert_investigation({in, target_ref(Table::instrument, in.instrument)});
    }

    void add_sample(const Sample& s) {
        Violations violations;
        auto rows = detail::normalize_metadata(s.metadata, record_name(Table::sample, s.pid) + ".metadata", violations);
        detail::check_keys(target_, rows, record_name(Table::sample, s.pid) + ".metadata", keys_, violations);
        if (take(violations)) return;
        target_.insert_sample({s, std::move(rows), target_ref(Table::investigation, s.investigation),
                               target_ref(Table::sample, s.parent)});
    }

    // Moves violations into the differences; true if there were any.
    bool take(Violations& violations) {
        if (violations.empty()) return false;
        differences_.insert(differences_.end(), violations.items().begin(), violations.items().end());
        return true;
    }

    // Metadata schemas, by name and version: one here with other content is a difference.
    void schemas() {
        const auto incoming = source_.schemas({});
        for (const auto& s : incoming) {
            const auto here = target_.schemas(s.name);
            const auto same = std::find_if(here.begin(), here.end(), [&](const auto& h) { return h.version == s.version; });
            if (same == here.end()) {
                target_.insert_schema(s);
                ++report_.schemas.added;
            } else {
                if (same->canonical != s.canonical)
                    differences_.push_back({fmt::format("schema {}@{}", s.name, s.version), s.source_name,
                                            "differs in content from this catalogue's schema of that name and version"});
                ++report_.schemas.skipped;
            }
        }
        tell("schemas", incoming.size(), incoming.size());
    }

    void datasets() {
        const auto ids = source_.all_ids(Table::dataset);
        for (std::size_t begin = 0; begin < ids.size(); begin += chunk_size) {
            const std::vector<std::int64_t> chunk(ids.begin() + static_cast<std::ptrdiff_t>(begin),
                                                  ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), begin + chunk_size)));
            auto incoming = source_.datasets(chunk);
            std::vector<detail::DatasetRow> rows;
            Violations violations;
            for (std::size_t i = 0; i < incoming.size(); ++i) {
                auto& d = incoming[i];
                source_pid_.emplace(chunk[i], d.pid);
                if (const auto here = target_.find_by_pid(Table::dataset, d.pid)) {
                    existing_.insert(d.pid);
                    Differ differ(differences_, record_name(Table::dataset, d.pid));
                    diff(differ, target_.datasets({here->id}).front(), d);
                    ++report_.datasets.skipped;
                    continue;
                }
                detail::DatasetRow row;
                row.field = record_name(Table::dataset, d.pid);
                row.metadata = detail::normalize_metadata(d.metadata, row.field + ".metadata", violations);
                detail::check_keys(target_, row.metadata, row.field + ".metadata", keys_, violations);
                row.investigation_id = target_ref(Table::investigation, d.investigation);
                row.instrument_id = target_ref(Table::instrument, d.instrument);
                row.sample_id = target_ref(Table::sample, d.sample);
                row.text = detail::search_text(d);
                row.dataset = std::move(d);
                rows.push_back(std::move(row));
            }
            if (!take(violations)) {
                target_.insert_datasets(rows);
                report_.datasets.added += rows.size();
            }
            tell("datasets", std::min(ids.size(), begin + chunk_size), ids.size());
        }
    }

    void activities() {
        const auto ids = source_.all_ids(Table::activity);
        auto incoming = source_.activities(ids);
        std::vector<std::pair<std::int64_t, const Activity*>> added;  // target id, record
        for (std::size_t i = 0; i < incoming.size(); ++i) {
            const auto& a = incoming[i];
            source_activity_pid_.emplace(ids[i], a.pid);
            if (const auto here = target_.find_by_pid(Table::activity, a.pid)) {
                Differ differ(differences_, record_name(Table::activity, a.pid));
                diff(differ, target_.activities({here->id}).front(), a);
                ++report_.activities.skipped;
            } else {
                Violations violations;
                detail::ActivityRow row{a, {}, target_ref(Table::activity, a.parent)};
                row.parameters = detail::normalize_metadata(a.parameters, record_name(Table::activity, a.pid) + ".parameters", violations);
                detail::check_keys(target_, row.parameters, record_name(Table::activity, a.pid) + ".parameters", keys_, violations);
                if (take(violations)) continue;
                const auto id = target_.insert_activity(row);
                for (const auto& u : a.used)
                    if (const auto dataset = target_id(Table::dataset, u.dataset)) target_.insert_used({id, *dataset, u.file, u.role});
                for (const auto& assoc : a.agents)
                    if (const auto agent = target_id(Table::agent, assoc.agent)) target_.insert_association(id, *agent, assoc.role);
                added.emplace_back(id, &a);
                ++report_.activities.added;
            }
            if ((i + 1) % chunk_size == 0 || i + 1 == incoming.size()) tell("activities", i + 1, incoming.size());
        }
        // Informants may have been recorded after the activities they informed: link once all are here.
        for (const auto& [id, a] : added)
            for (const auto& informant : a->informed_by) {
                const auto from = target_id(Table::activity, informant);
                if (!from) continue;
                if (target_.informed_by(*from, id))
                    differences_.push_back({record_name(Table::activity, a->pid) + ".informed_by", informant,
                                            "would make a cycle of communications with this catalogue's links"});
                else
                    target_.insert_communication(id, *from);
            }
    }

    // Which activity generated each dataset: added where this catalogue has none, compared
    // where it has one.
    void generations() {
        const auto ids = source_.all_ids(Table::dataset);
        for (std::size_t begin = 0; begin < ids.size(); begin += chunk_size) {
            const std::vector<std::int64_t> chunk(ids.begin() + static_cast<std::ptrdiff_t>(begin),
                                                  ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), begin + chunk_size)));
            for (const auto& g : source_.generations_of(chunk)) {
                const auto& dataset = source_pid_.at(g.dataset);
                const auto& activity = source_activity_pid_.at(g.activity);
                const auto here_dataset = target_id(Table::dataset, dataset);
                const auto here_by = target_id(Table::activity, activity);
                if (!here_dataset || !here_by) continue;
                const auto here = target_.generations_of({*here_dataset});
                if (here.empty()) {
                    target_.insert_generation({*here_dataset, *here_by, g.role});
                    continue;
                }
                const auto here_activity = target_.activity_pid(here.front().activity);
                if (here_activity != activity || here.front().role != g.role)
                    differences_.push_back({record_name(Table::dataset, dataset) + ".generated_by",
                                            fmt::format("{} as '{}'", activity, g.role),
                                            fmt::format("differs from this catalogue's '{} as '{}''", here_activity,
                                                        here.front().role)});
            }
        }
    }

    void links() {
        struct Link {
            std::string derived, source, activity, role;
        };
        std::vector<Link> incoming;
        source_.for_each_link(0, [&](const detail::LinkRow& l) {
            incoming.push_back({source_pid_.at(l.derived), source_pid_.at(l.source),
                                l.activity ? source_activity_pid_.at(l.activity) : std::string(), std::string(l.role)});
        });
        // New datasets in an order where each comes after everything it was derived from (the
        // source has no cycle): a new dataset then has no descendants here when its own links
        // are added, so they cannot close a cycle and need no check. Links into datasets that
        // were here before are checked one by one.
        std::unordered_map<std::string, std::vector<const Link*>> into;
        std::unordered_map<std::string, std::size_t> waiting;  // sources not yet placed, per new dataset
        std::unordered_map<std::string, std::vector<std::string>> out_of;
        for (const auto& l : incoming) {
            into[l.derived].push_back(&l);
            if (!existing_.contains(l.derived) && !existing_.contains(l.source)) {
                ++waiting[l.derived];
                out_of[l.source].push_back(l.derived);
            }
        }
        std::deque<std::string> ready;
        for (const auto& [id, pid] : source_pid_)
            if (!existing_.contains(pid) && !waiting.contains(pid)) ready.push_back(pid);
        std::sort(ready.begin(), ready.end());
        std::size_t done = 0;
        const auto add = [&](const Link& l, bool check) {
            const auto derived_id = target_id(Table::dataset, l.derived), source_id = target_id(Table::dataset, l.source);
            const auto by = l.activity.empty() ? std::nullopt : target_id(Table::activity, l.activity);
            if (!derived_id || !source_id || (!l.activity.empty() && !by)) return;
            const auto derived = *derived_id, source = *source_id;
            if (check) {
                std::optional<std::pair<std::string, std::string>> here;
                target_.for_each_source(derived, [&](const detail::LinkRow& row) {
                    if (row.source == source) here.emplace(row.activity ? target_.activity_pid(row.activity) : "", row.role);
                });
                if (here) {
                    if (here->first != l.activity || here->second != l.role)
                        differences_.push_back({fmt::format("derivation {} <- {}", l.derived, l.source),
                                                fmt::format("by '{}' as '{}'", l.activity, l.role),
                                                fmt::format("differs from this catalogue's 'by '{}' as '{}''", here->first,
                                                            here->second)});
                    ++report_.links.skipped;
                    return;
                }
                if (target_.derives_from(source, derived)) {
                    differences_.push_back({fmt::format("derivation {} <- {}", l.derived, l.source), l.source,
                                            "would make a cycle with this catalogue's links"});
                    return;
                }
            }
            target_.insert_derivation(derived, source, by, l.role);
            ++report_.links.added;
            if (++done % chunk_size == 0) tell("links", done, incoming.size());
        };
        while (!ready.empty()) {
            const auto pid = std::move(ready.front());
            ready.pop_front();
            if (const auto it = into.find(pid); it != into.end())
                for (const auto* l : it->second) add(*l, false);
            if (const auto it = out_of.find(pid); it != out_of.end())
                for (const auto& next : it->second)
                    if (--waiting[next] == 0) ready.push_back(next);
        }
        for (const auto& l : incoming)
            if (existing_.contains(l.derived)) add(l, true);
        tell("links", incoming.size(), incoming.size());
    }

    StoreReader& source_;
    StoreWriter& target_;
    const MergeProgressFn& progress_;
    MergeReport report_;
    std::vector<Violation> differences_;
    std::unordered_map<std::string, detail::KeyInfo> keys_;  // the keys of the records added so far
    PidOf source_pid_, source_activity_pid_;
    std::unordered_set<std::string> existing_;  // datasets this catalogue had before the merge
};

}  // namespace

MergeReport Catalog::merge_from(const Catalog& source, const MergeProgressFn& progress) {
    // (Its read would also wait for its own write on a ":memory:" catalogue.)
    if (&source == this)
        throw ValidationError({{"source", path().string(), "is this catalogue: merging it into itself changes nothing"}});
    MergeReport report;
    source.impl_->store->read([&](StoreReader& from) {
        impl_->store->write([&](StoreWriter& to) { report = Merger(from, to, progress).run(); });
    });
    return report;
}

}  // namespace datatrail
