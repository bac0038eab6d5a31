#include "catalog/catalog_impl.hpp"
#include "store/sqlite/migrations.hpp"
#include "catalog/validate.hpp"

#include <datatrail/catalog.hpp>
#include <datatrail/pid.hpp>

#include <fmt/format.h>

#include <cstdlib>
#include <pwd.h>
#include <unistd.h>

namespace datatrail {

using detail::DatasetRow;

std::string detail::current_user() {
    if (const char* user = std::getenv("USER"); user && *user) return user;
    if (const passwd* pw = getpwuid(geteuid()); pw && pw->pw_name) return pw->pw_name;
    return "unknown";
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

}  // namespace

Catalog::Catalog(const std::filesystem::path& path, CatalogOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->path = path;
    impl_->store = std::make_unique<detail::SqliteStore>(path, options);
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
    return impl_->store->insert_instrument(instrument);
}

Instrument Catalog::instrument(const std::string& pid_or_name) const {
    return found_or_throw(impl_->store->find_instrument(pid_or_name), "instrument", pid_or_name);
}

std::vector<Instrument> Catalog::instruments() const { return impl_->store->list_instruments(); }

Investigation Catalog::add_investigation(Investigation investigation) {
    Violations out;
    detail::check_investigation(investigation, out);
    out.throw_if_any();
    investigation.pid = impl_->mint(investigation.pid);
    return impl_->store->insert_investigation(investigation);
}

Investigation Catalog::investigation(const std::string& pid_or_name) const {
    return found_or_throw(impl_->store->find_investigation(pid_or_name), "investigation", pid_or_name);
}

std::vector<Investigation> Catalog::investigations() const { return impl_->store->list_investigations(); }

Sample Catalog::add_sample(Sample sample) {
    Violations out;
    detail::check_sample(sample, "sample", out);
    auto rows = detail::normalize_metadata(sample.metadata, "sample.metadata", out);
    out.throw_if_any();
    sample.pid = impl_->mint(sample.pid);
    return impl_->store->insert_sample({std::move(sample), std::move(rows)});
}

Sample Catalog::sample(const std::string& pid_or_name) const {
    return found_or_throw(impl_->store->find_sample(pid_or_name), "sample", pid_or_name);
}

std::vector<Sample> Catalog::samples() const { return impl_->store->list_samples(); }

Dataset Catalog::register_dataset(Dataset dataset, const RegisterOptions& options) {
    std::vector<Dataset> one;
    one.push_back(std::move(dataset));
    return std::move(register_datasets(std::move(one), options).front());
}

std::vector<DatasetRow> Catalog::Impl::prepare(std::vector<Dataset>& datasets, const RegisterOptions& options) const {
    const bool single = datasets.size() == 1;
    std::vector<DatasetRow> rows(datasets.size());
    Violations out;
    const auto created_at = now();
    const std::string user = detail::current_user();
    for (std::size_t i = 0; i < datasets.size(); ++i) {
        auto& row = rows[i];
        row.field = single ? std::string("dataset") : fmt::format("datasets[{}]", i);
        row.dataset = std::move(datasets[i]);
        detail::check_dataset(row.dataset, row.field, out);
        row.metadata = detail::normalize_metadata(row.dataset.metadata, row.field + ".metadata", out);
    }
    out.throw_if_any();
    std::unordered_map<std::string_view, std::size_t> pids;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        auto& d = rows[i].dataset;
        if (options.describe_files) detail::describe_files(d.location, d.files, rows[i].field);
        if (!d.pid.empty() && !pids.emplace(d.pid, i).second)
            throw Conflict(fmt::format("{}.pid '{}' must be unique: datasets[{}] has it too", rows[i].field, d.pid,
                                       pids[d.pid]));
        d.pid = mint(d.pid);
        if (d.created_by.empty()) d.created_by = user;
        d.created_at = created_at;
    }
    return rows;
}

std::vector<Dataset> Catalog::register_datasets(std::vector<Dataset> datasets, const RegisterOptions& options) {
    return impl_->store->insert_datasets(impl_->prepare(datasets, options));
}

Dataset Catalog::dataset(const std::string& pid) const {
    auto found = impl_->store->find_dataset(pid);
    if (!found) throw NotFound(fmt::format("no dataset with PID '{}' in the catalogue", pid));
    return std::move(*found);
}

std::vector<Dataset> Catalog::find_datasets(const DatasetQuery& query) const {
    return impl_->store->find_datasets(impl_->compile(query));
}

std::size_t Catalog::count_datasets(const DatasetQuery& query) const {
    return impl_->store->count_datasets(impl_->compile(query));
}

void Catalog::add_files(const std::string& dataset_pid, std::vector<Datafile> files, const RegisterOptions& options) {
    Violations out;
    detail::check_files(files, "files", out);
    out.throw_if_any();
    if (options.describe_files) detail::describe_files(dataset(dataset_pid).location, files, "dataset");
    impl_->store->add_files(dataset_pid, files);
}

void Catalog::set_metadata(const std::string& dataset_pid, const Metadata& metadata) {
    Violations out;
    auto rows = detail::normalize_metadata(metadata, "metadata", out);
    out.throw_if_any();
    impl_->store->set_metadata(dataset_pid, rows);
}

void Catalog::set_state(const std::string& dataset_pid, DatasetState state, std::optional<Timestamp> end_time) {
    impl_->store->set_state(dataset_pid, state, end_time);
}

}  // namespace datatrail
