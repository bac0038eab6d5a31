// Which engine a catalogue location names: a path, ":memory:" or sqlite:///abs/path for SQLite;
// a libpq URI (postgresql://..., postgres://...) for PostgreSQL.
#include "catalog/catalog_impl.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/sqlite/sqlite_store.hpp"

#include <datatrail/pid.hpp>

#include <fmt/format.h>

namespace datatrail::detail {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

}  // namespace

std::unique_ptr<Store> open_store(const std::filesystem::path& location, const CatalogOptions& options) {
    const std::string text = location.string();
    if (options.pid_prefix && !is_valid_pid_prefix(*options.pid_prefix))
        throw ValidationError({{"pid_prefix", *options.pid_prefix,
                                "must be a letter or digit followed by letters, digits, '.', '_' or '-'"}});
    if (starts_with(text, "postgresql://") || starts_with(text, "postgres://")) {
        Violations v;
        if (options.postgres_pool_size && *options.postgres_pool_size == 0)
            v.add("postgres_pool_size", "0", "must be at least 1");
        if (options.sqlite_network_file_system)
            v.add("sqlite_network_file_system", "true", "applies to SQLite catalogue files only, not to a PostgreSQL database");
        v.throw_if_any();
        return std::make_unique<PostgresStore>(text, options);
    }
    // Options of the other engine are refused rather than silently ignored.
    if (options.postgres_pool_size)
        throw ValidationError({{"postgres_pool_size", std::to_string(*options.postgres_pool_size),
                                fmt::format("applies to PostgreSQL catalogues only, not to the SQLite catalogue '{}'", text)}});
    if (starts_with(text, "sqlite://")) {
        // sqlite:///abs/path.db: three slashes, the third starting the absolute path.
        const std::string path = text.substr(std::string_view("sqlite://").size());
        if (path.empty() || path.front() != '/')
            throw ValidationError({{"path", text, "an sqlite:// URI must name an absolute path: sqlite:///abs/path.db"}});
        return std::make_unique<SqliteStore>(path, options);
    }
    if (const auto scheme = text.find("://"); scheme != std::string::npos && text.find('/') > scheme)
        throw ValidationError({{"path", text,
                                fmt::format("unknown scheme '{}': use a file path, sqlite:///abs/path.db or "
                                            "postgresql://user@host/database",
                                            text.substr(0, scheme))}});
    return std::make_unique<SqliteStore>(location, options);
}

}  // namespace datatrail::detail
