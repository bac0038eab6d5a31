// Which engine a catalogue location names: a path, ":memory:" or sqlite:///abs/path for SQLite;
// a libpq URI (postgresql://..., postgres://...) for PostgreSQL.
#include "catalog/catalog_impl.hpp"
#include "store/sqlite/sqlite_store.hpp"

#include <fmt/format.h>

namespace datatrail::detail {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

}  // namespace

std::unique_ptr<Store> open_store(const std::filesystem::path& location, const CatalogOptions& options) {
    const std::string text = location.string();
    if (starts_with(text, "postgresql://") || starts_with(text, "postgres://"))
        throw StorageError(fmt::format(
            "cannot open '{}': this build of datatrail has no PostgreSQL engine yet; use an SQLite file", text));
    if (starts_with(text, "sqlite://")) {
        // sqlite:///abs/path.db: three slashes, the third starting the absolute path.
        const std::string path = text.substr(std::string_view("sqlite://").size());
        if (path.empty() || path.front() != '/')
            throw ValidationError({{"catalog", text, "an sqlite:// URI must name an absolute path: sqlite:///abs/path.db"}});
        return std::make_unique<SqliteStore>(path, options);
    }
    if (const auto scheme = text.find("://"); scheme != std::string::npos && text.find('/') > scheme)
        throw ValidationError({{"catalog", text,
                                fmt::format("unknown scheme '{}': use a file path, sqlite:///abs/path.db or "
                                            "postgresql://user@host/database",
                                            text.substr(0, scheme))}});
    return std::make_unique<SqliteStore>(location, options);
}

}  // namespace datatrail::detail
