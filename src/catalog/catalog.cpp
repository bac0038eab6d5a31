#include "catalog/catalog_impl.hpp"
#include "catalog/metadata_keys.hpp"
#include "catalog/query_compile.hpp"
#include "catalog/references.hpp"
#include "catalog/schemas.hpp"
#include "catalog/search_text.hpp"
#include "store/sqlite/migrations.hpp"

#include <datatrail/catalog.hpp>
#include <datatrail/pid.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>
#include <pwd.h>
#include <unistd.h>

namespace datatrail {

using detail::DatasetRow;
using detail::StoreReader;
using detail::StoreWriter;
using detail::Table;

std::string detail::current_user() {
    if (const char* user = std::getenv("USER"); user && *user) return user;
    // The account database is read once per effective user: getpwuid reads /etc/passwd (or asks
    // NSS) on every call, and every registration and activity asks.
    static std::mutex mutex;
    static std::optional<std::pair<uid_t, std::string>> known;
    const uid_t uid = geteuid();
    std::lock_guard lock(mutex);
    if (!known || known->first != uid) {
        const passwd* pw = getpwuid(uid);
        known.emplace(uid, pw && pw->pw_name ? std::string(pw->pw_name) : std::string("unknown"));
    }
    return known->second;
}

namespace {

bool is_uri(std::string_view location) { return location.find("://") != std::string_view::npos; }

}  // namespace

// Reads size, checksum and times of every file from disk; a given checksum must match.
void detail::describe_files(const std::string& location, std::vector<Datafile>& files, std::string_view field) {
    if (is_uri(location))
        throw ValidationError({{fmt::format("{}.location", field), location,
                                "must be a local folder to describe files from disk (describe_files=true)"}});
    Violations out;
    for (std::size_t i = 0; i < files.size(); ++i) {
        auto described = describe_file(location, files[i].path);
        if (!files[i].sha256.empty() && files[i].sha256 != described.sha256)
            out.add(fmt::format("{}.files[{}].sha256", field, i), files[i].sha256,
                    fmt::format("must match the file's content (SHA-256 {})", described.sha256));
        if (!files[i].format.empty()) described.format = files[i].format;
        files[i] = std::move(described);
    }
    out.throw_if_any();
}

namespace {

template <class T>
T found_or_throw(std::optional<T> found, std::string_view what, const std::string& key) {
    if (!found) throw NotFound(fmt::format("no {} '{}' in the catalogue (looked up by PID and by name)", what, key));
    return std::move(*found);
}

// One record of `table` by PID or name, loaded by `load` (a StoreReader member).
template <class T>
std::optional<T> find_record(detail::Store& store, Table table, const std::string& pid_or_name,
                             std::vector<T> (StoreReader::*load)(const std::vector<std::int64_t>&)) {
    std::optional<T> out;
    store.read([&](StoreReader& r) {
        if (const auto ref = detail::lookup(r, table, pid_or_name)) out = std::move((r.*load)({ref->id}).front());
    });
    return out;
}

template <class T>
std::vector<T> all_records(detail::Store& store, Table table,
                           std::vector<T> (StoreReader::*load)(const std::vector<std::int64_t>&)) {
    std::vector<T> out;
    store.read([&](StoreReader& r) { out = (r.*load)(r.all_ids(table)); });
    return out;
}

}  // namespace

Catalog::Catalog(const std::filesystem::path& path, CatalogOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->path = path;
    impl_->store = detail::open_store(path, options);
    impl_->use_lineage_index = options.lineage_index;
}

Catalog::~Catalog() = default;
Catalog::Catalog(Catalog&&) noexcept = default;
Catalog& Catalog::operator=(Catalog&&) noexcept = default;

const std::filesystem::path& Catalog::path() const noexcept { return impl_->path; }
const std::string& Catalog::pid_prefix() const noexcept { return impl_->store->pid_prefix(); }
int Catalog::schema_version() const { return impl_->store->schema_version(); }
int Catalog::latest_schema_version() noexcept { return detail::latest_schema_version(); }
detail::Store& Catalog::store() const noexcept { return *impl_->store; }

Instrument Catalog::add_instrument(Instrument instrument) {
    Violations out;
    detail::check_instrument(instrument, out);
    out.throw_if_any();
    instrument.pid = impl_->mint(instrument.pid);
    impl_->store->write([&](StoreWriter& w) {
        detail::refuse_taken_pid(w, Table::instrument, instrument.pid, "instrument");
        w.insert_instrument(instrument);
    });
    return instrument;
}

Instrument Catalog::instrument(const std::string& pid_or_name) const {
    return found_or_throw(find_record(*impl_->store, Table::instrument, pid_or_name, &StoreReader::instruments),
                          "instrument", pid_or_name);
}

std::vector<Instrument> Catalog::instruments() const {
    return all_records(*impl_->store, Table::instrument, &StoreReader::instruments);
}

Investigation Catalog::add_investigation(Investigation investigation) {
    Violations out;
    detail::check_investigation(investigation, out);
    out.throw_if_any();
    investigation.pid = impl_->mint(investigation.pid);
    detail::InvestigationRow row{std::move(investigation), std::nullopt};
    impl_->store->write([&](StoreWriter& w) {
        Violations violations;
        auto& inv = row.investigation;
        const auto instrument = detail::resolve(w, Table::instrument, inv.instrument, "investigation.instrument", violations);
        violations.throw_if_any();
        detail::refuse_taken_pid(w, Table::investigation, inv.pid, "investigation");
        if (instrument) inv.instrument = instrument->pid, row.instrument_id = instrument->id;
        w.insert_investigation(row);
    });
    return std::move(row.investigation);
}

Investigation Catalog::investigation(const std::string& pid_or_name) const {
    return found_or_throw(find_record(*impl_->store, Table::investigation, pid_or_name, &StoreReader::investigations),
                          "investigation", pid_or_name);
}

std::vector<Investigation> Catalog::investigations() const {
    return all_records(*impl_->store, Table::investigation, &StoreReader::investigations);
}

Sample Catalog::add_sample(Sample sample) {
    Violations out;
    detail::check_sample(sample, "sample", out);
    auto rows = detail::normalize_metadata(sample.metadata, "sample.metadata", out);
    out.throw_if_any();
    sample.pid = impl_->mint(sample.pid);
    detail::SampleRow row{std::move(sample), std::move(rows), std::nullopt, std::nullopt};
    impl_->store->write([&](StoreWriter& w) {
        Violations violations;
        auto& s = row.sample;
        const auto inv = detail::resolve(w, Table::investigation, s.investigation, "sample.investigation", violations);
        const auto parent = detail::resolve(w, Table::sample, s.parent, "sample.parent", violations);
        std::unordered_map<std::string, detail::KeyInfo> keys;
        detail::check_keys(w, row.metadata, "sample.metadata", keys, violations);
        violations.throw_if_any();
        detail::refuse_taken_pid(w, Table::sample, s.pid, "sample");
        s.investigation = inv ? inv->pid : "";
        s.parent = parent ? parent->pid : "";
        row.investigation_id = inv ? std::optional(inv->id) : std::nullopt;
        row.parent_id = parent ? std::optional(parent->id) : std::nullopt;
        w.insert_sample(row);
    });
    return std::move(row.sample);
}

Sample Catalog::sample(const std::string& pid_or_name) const {
    return found_or_throw(find_record(*impl_->store, Table::sample, pid_or_name, &StoreReader::samples), "sample",
                          pid_or_name);
}

std::vector<Sample> Catalog::samples() const { return all_records(*impl_->store, Table::sample, &StoreReader::samples); }

Dataset Catalog::register_dataset(Dataset dataset, const RegisterOptions& options) {
    std::vector<Dataset> one;
    one.push_back(std::move(dataset));
    return std::move(register_datasets(std::move(one), options).front());
}

std::vector<DatasetRow> Catalog::Impl::prepare(std::vector<Dataset>& datasets, const RegisterOptions& options,
                                               std::string_view list_field) const {
    const bool single = datasets.size() == 1 && list_field.empty();
    if (list_field.empty()) list_field = "datasets";
    std::vector<DatasetRow> rows(datasets.size());
    Violations out;
    const auto created_at = now();
    const std::string user = detail::current_user();
    const bool any_schema = std::any_of(datasets.begin(), datasets.end(), [](const Dataset& d) { return !d.schema.empty(); });
    const auto check = [&](std::optional<detail::SchemaResolver> schemas) {
        for (std::size_t i = 0; i < datasets.size(); ++i) {
            auto& row = rows[i];
            row.field = single ? std::string("dataset") : fmt::format("{}[{}]", list_field, i);
            row.dataset = std::move(datasets[i]);
            detail::check_dataset(row.dataset, row.field, out);
            // The schema first: it fills in defaults and converts units before the values are stored.
            bool accepted = true;
            if (schemas) accepted = detail::apply_schema(*schemas, row.dataset, row.field, out);
            else row.dataset.valid = true, row.dataset.violations.clear();
            // A dataset its schema refused is not checked again here: one report per problem.
            if (accepted) row.metadata = detail::normalize_metadata(row.dataset.metadata, row.field + ".metadata", out);
        }
    };
    if (any_schema) store->read([&](StoreReader& r) { check(detail::SchemaResolver(r, &schema_cache)); });
    else check(std::nullopt);
    out.throw_if_any();
    std::unordered_map<std::string_view, std::size_t> pids;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        auto& d = rows[i].dataset;
        if (options.describe_files) detail::describe_files(d.location, d.files, rows[i].field);
        if (!d.pid.empty() && !pids.emplace(d.pid, i).second)
            throw Conflict(fmt::format("{}.pid '{}' must be unique: {}[{}] has it too", rows[i].field, d.pid, list_field,
                                       pids[d.pid]));
        d.pid = mint(d.pid);
        if (d.created_by.empty()) d.created_by = user;
        d.created_at = created_at;
        for (auto& file : d.files)
            if (file.format.empty()) file.format = guess_format(file.path);
        rows[i].text = detail::search_text(d);
    }
    return rows;
}

std::vector<std::int64_t> Catalog::Impl::insert(StoreWriter& w, std::vector<DatasetRow>& rows) const {
    std::unordered_map<std::string, detail::Ref> investigations, instruments, samples;
    std::unordered_map<std::string, detail::KeyInfo> keys;
    Violations violations;
    const auto id_of = [](const std::optional<detail::Ref>& ref) {
        return ref ? std::optional<std::int64_t>(ref->id) : std::nullopt;
    };
    for (auto& row : rows) {
        auto& d = row.dataset;
        const auto& f = row.field;
        const auto inv = detail::resolve(w, Table::investigation, d.investigation, f + ".investigation", violations, &investigations);
        const auto ins = detail::resolve(w, Table::instrument, d.instrument, f + ".instrument", violations, &instruments);
        const auto smp = detail::resolve(w, Table::sample, d.sample, f + ".sample", violations, &samples);
        detail::check_keys(w, row.metadata, f + ".metadata", keys, violations);
        if (!violations.empty()) continue;
        row.investigation_id = id_of(inv), row.instrument_id = id_of(ins), row.sample_id = id_of(smp);
        d.investigation = inv ? inv->pid : "";
        d.instrument = ins ? ins->pid : "";
        d.sample = smp ? smp->pid : "";
    }
    violations.throw_if_any();
    return w.insert_datasets(rows);
}

std::vector<Dataset> Catalog::Impl::stored(std::vector<DatasetRow>& rows) {
    std::vector<Dataset> out;
    out.reserve(rows.size());
    for (auto& row : rows) out.push_back(std::move(row.dataset));
    return out;
}

std::vector<Dataset> Catalog::register_datasets(std::vector<Dataset> datasets, const RegisterOptions& options) {
    auto rows = impl_->prepare(datasets, options);
    impl_->store->write([&](StoreWriter& w) { impl_->insert(w, rows); });
    return Impl::stored(rows);
}

Dataset Catalog::dataset(const std::string& pid) const {
    std::optional<Dataset> found;
    impl_->store->read([&](StoreReader& r) {
        if (const auto ref = r.find_by_pid(Table::dataset, pid)) found = std::move(r.datasets({ref->id}).front());
    });
    if (!found) throw NotFound(fmt::format("no dataset with PID '{}' in the catalogue", pid));
    return std::move(*found);
}

std::vector<Dataset> Catalog::Impl::datasets_by_pid(const std::vector<std::string>& pids) {
    std::vector<Dataset> out;
    store->read([&](StoreReader& r) {
        std::vector<std::int64_t> ids;
        for (const auto& pid : pids)
            if (const auto ref = r.find_by_pid(Table::dataset, pid)) ids.push_back(ref->id);
        out = r.datasets(ids);
    });
    return out;
}

std::vector<Dataset> Catalog::find_datasets(const DatasetQuery& query) const {
    std::vector<Dataset> out;
    impl_->store->read([&](StoreReader& r) { out = r.datasets(r.find_datasets(detail::compile_query(r, query))); });
    return out;
}

std::size_t Catalog::count_datasets(const DatasetQuery& query) const {
    std::size_t n = 0;
    impl_->store->read([&](StoreReader& r) { n = r.count_datasets(detail::compile_query(r, query)); });
    return n;
}

std::string Catalog::explain(const DatasetQuery& query) const {
    std::string plan;
    impl_->store->read([&](StoreReader& r) { plan = r.explain(detail::compile_query(r, query)); });
    return plan;
}

namespace {

// Where a dataset's file lies, as a notebook that opened it names it: the location joined with
// the file's path, a relative or empty location counting from the current directory.
std::string file_place(const std::string& location, const std::string& path) {
    std::filesystem::path base = location.empty() ? std::filesystem::current_path() : std::filesystem::path(location);
    if (base.is_relative()) base = std::filesystem::current_path() / base;
    return (base / path).lexically_normal().string();
}

}  // namespace

std::vector<DatasetFile> Catalog::datasets_with_file(const std::string& path, const std::string& sha256) const {
    Violations v;
    detail::check_file_lookup(path, sha256, v);
    v.throw_if_any();
    // A file's place is split between its dataset's location and its relative path, so no one
    // column holds it: the relative path is one of the place's suffixes after a '/', each an
    // indexed lookup, and the location is compared here.
    std::string place;
    std::vector<std::string> suffixes;
    if (!path.empty()) {
        place = std::filesystem::path(path).lexically_normal().string();
        for (auto slash = place.find('/'); slash != std::string::npos; slash = place.find('/', slash + 1))
            if (slash + 1 < place.size()) suffixes.push_back(place.substr(slash + 1));
    }
    std::vector<detail::FileRow> rows;
    impl_->store->read([&](StoreReader& r) { rows = r.files_matching(suffixes, sha256); });
    std::vector<DatasetFile> out;
    for (auto& row : rows) {
        DatasetFile f;
        f.at_path = !place.empty() && file_place(row.location, row.file.path) == place;
        f.same_content = !sha256.empty() && row.file.sha256 == sha256;
        if (!f.at_path && !f.same_content) continue;
        f.dataset = std::move(row.pid);
        f.dataset_name = std::move(row.name);
        f.location = std::move(row.location);
        f.file = std::move(row.file);
        out.push_back(std::move(f));
    }
    return out;
}

void Catalog::add_files(const std::string& dataset_pid, std::vector<Datafile> files, const RegisterOptions& options) {
    Violations out;
    detail::check_files(files, "files", out);
    out.throw_if_any();
    if (options.describe_files) detail::describe_files(dataset(dataset_pid).location, files, "dataset");
    for (auto& file : files)
        if (file.format.empty()) file.format = guess_format(file.path);
    impl_->store->write([&](StoreWriter& w) {
        const auto id = detail::id_or_throw(w, Table::dataset, dataset_pid, "add_files");
        for (std::size_t i = 0; i < files.size(); ++i)
            if (w.has_file(id, files[i].path))
                throw Conflict(fmt::format("files[{}].path '{}' must be unique within the dataset: dataset {} already has it",
                                           i, files[i].path, dataset_pid));
        w.insert_files(id, files);
    });
}

void Catalog::set_metadata(const std::string& dataset_pid, const Metadata& metadata) {
    Violations out;
    auto rows = detail::normalize_metadata(metadata, "metadata", out);
    out.throw_if_any();
    impl_->store->write([&](StoreWriter& w) {
        const auto id = detail::id_or_throw(w, Table::dataset, dataset_pid, "set_metadata");
        auto stored_rows = rows;
        // A dataset checked against a schema is checked again with its new metadata.
        std::optional<SchemaCheck> check;
        std::string schema_id;
        // The dataset as it will be: its metadata with the new values.
        auto after = w.datasets({id}).front();
        for (const auto& [key, value] : metadata) after.metadata[key] = value;
        if (!after.schema.empty()) {
            detail::SchemaResolver schemas(w, &impl_->schema_cache);
            if (const Schema* s = schemas.find(after.schema)) {
                check = check_dataset(*s, detail::as_entered(w, after), "dataset");
                if (!check->accepted()) throw ValidationError(check->violations);
                // A new value its field cannot hold is refused even by a lenient schema: it would
                // not be stored, and the old value would silently stay.
                std::vector<Violation> unstorable;
                for (const auto& [key, value] : metadata)
                    if (!check->metadata.contains(key))
                        for (const auto& v : check->violations)
                            if (v.field == "dataset.metadata." + key) unstorable.push_back(v);
                if (!unstorable.empty()) throw ValidationError(std::move(unstorable));
                Violations converted;
                stored_rows = detail::normalize_metadata(check->metadata, "metadata", converted);
                converted.throw_if_any();
                schema_id = s->id();
                after.metadata = check->metadata;
            }
        }
        Violations violations;
        std::unordered_map<std::string, detail::KeyInfo> keys;
        detail::check_keys(w, stored_rows, "metadata", keys, violations);
        violations.throw_if_any();
        w.put_metadata(detail::MetadataOwner::dataset, id, stored_rows);
        if (check) w.set_validity(id, schema_id, check->ok(), check->violations);
        // Full-text search sees the dataset's new string values.
        w.set_search_text(id, after, detail::search_text(after));
    });
}

void Catalog::set_state(const std::string& dataset_pid, DatasetState state, std::optional<Timestamp> end_time) {
    impl_->store->write([&](StoreWriter& w) {
        w.set_state(detail::id_or_throw(w, Table::dataset, dataset_pid, "set_state"), state, end_time);
    });
}

}  // namespace datatrail
