#pragma once
// Private: what a Catalog holds, shared by the files that implement its methods.
#include "catalog/lineage_index.hpp"
#include "catalog/schemas.hpp"
#include "catalog/validate.hpp"
#include "store/store.hpp"

#include <datatrail/catalog.hpp>
#include <datatrail/pid.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace datatrail {

struct Catalog::Impl {
    std::filesystem::path path;
    std::unique_ptr<detail::Store> store;
    bool use_lineage_index = true;
    detail::LineageIndex lineage_index;
    // Metadata schemas parsed and flattened once (schemas.hpp); filled from const methods.
    mutable detail::SchemaCache schema_cache;

    std::string mint(const std::string& given) const { return given.empty() ? new_pid(store->pid_prefix()) : given; }
    detail::LineageIndex* index() noexcept { return use_lineage_index ? &lineage_index : nullptr; }

    // Checks and normalises datasets for registration: every violation of every dataset at
    // once, files described when asked, PIDs minted, creator and creation time set.
    // Violations are named "dataset.<field>" for a lone dataset, else "datasets[i].<field>", or
    // "<list_field>[i].<field>" when a list_field is given.
    std::vector<detail::DatasetRow> prepare(std::vector<Dataset>& datasets, const RegisterOptions& options,
                                            std::string_view list_field = {}) const;
    // Resolves the rows' references and checks their metadata keys (every violation at once),
    // then inserts them; returns their ids. Inside a write.
    std::vector<std::int64_t> insert(detail::StoreWriter& store, std::vector<detail::DatasetRow>& rows) const;
    // The datasets as stored, moved out of rows that insert() wrote.
    static std::vector<Dataset> stored(std::vector<detail::DatasetRow>& rows);

    std::vector<Dataset> datasets_by_pid(const std::vector<std::string>& pids);

    // Schema reports for the datasets `select` picks (schemas.cpp); with `record`, in one write
    // that also stores each result.
    std::vector<SchemaReport> validate(const std::function<std::vector<std::int64_t>(detail::StoreReader&)>& select,
                                       const std::string& schema, bool record);

    // Lineage (catalog_lineage.cpp). (id, smallest depth) of every dataset within `limit` steps
    // of the seeds, nearest first, with their PIDs in `pids` if given.
    std::vector<std::pair<std::int64_t, int>> walk(detail::StoreReader& store, const std::vector<std::int64_t>& seeds,
                                                   int level, detail::Direction direction, int limit,
                                                   std::vector<std::string>* pids = nullptr);
    ProvGraph lineage(const std::string& pid, detail::Direction direction, int depth);
    std::vector<DatasetDepth> reach(const std::string& pid, detail::Direction direction, int depth);
};

namespace detail {

// The account running this process.
std::string current_user();
// Describes `files` from disk under `location`; a checksum the caller gave must match.
void describe_files(const std::string& location, std::vector<Datafile>& files, std::string_view field);
// Opens the engine a path or URI names (store_factory.cpp).
std::unique_ptr<Store> open_store(const std::filesystem::path& path, const CatalogOptions& options);

}  // namespace detail
}  // namespace datatrail
