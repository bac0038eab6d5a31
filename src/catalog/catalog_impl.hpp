#pragma once
// Private: what a Catalog holds, shared by the files that implement its methods.
#include "store/sqlite/sqlite_store.hpp"
#include "catalog/validate.hpp"

#include <datatrail/catalog.hpp>
#include <datatrail/pid.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace datatrail {

struct Catalog::Impl {
    std::filesystem::path path;
    std::unique_ptr<detail::SqliteStore> store;

    std::string mint(const std::string& given) const { return given.empty() ? new_pid(store->pid_prefix()) : given; }

    detail::CompiledQuery compile(const DatasetQuery& q) const {
        detail::CompiledQuery cq{q, {}};
        for (const auto& c : q.metadata) cq.conditions.push_back(detail::compile_condition(c, "where"));
        return cq;
    }

    // Checks and normalises datasets for registration: every violation of every dataset at
    // once, files described when asked, PIDs minted, creator and creation time set.
    std::vector<detail::DatasetRow> prepare(std::vector<Dataset>& datasets, const RegisterOptions& options) const;
};

namespace detail {

// The account running this process.
std::string current_user();
// Describes `files` from disk under `location`; a checksum the caller gave must match.
void describe_files(const std::string& location, std::vector<Datafile>& files, std::string_view field);

}  // namespace detail
}  // namespace datatrail
