// The SQLite schema, as a list of migrations keyed on PRAGMA user_version. Never edit a shipped
// migration: append a new one.
#include "store/sqlite/migrations.hpp"

#include <fmt/format.h>

#include <string_view>

namespace datatrail::detail {
namespace {

// Times are ISO 8601 UTC text of fixed width, so they sort and compare as text.
constexpr std::string_view v1_core = R"sql(
CREATE TABLE catalog_info (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE instrument (
    id       INTEGER PRIMARY KEY,
    pid      TEXT NOT NULL UNIQUE,
    name     TEXT NOT NULL CHECK (name <> ''),
    facility TEXT NOT NULL DEFAULT '',
    type     TEXT NOT NULL DEFAULT '',
    UNIQUE (facility, name)
);
CREATE INDEX instrument_name ON instrument (name);

CREATE TABLE investigation (
    id            INTEGER PRIMARY KEY,
    pid           TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL UNIQUE CHECK (name <> ''),
    title         TEXT NOT NULL DEFAULT '',
    summary       TEXT NOT NULL DEFAULT '',
    start_time    TEXT,
    end_time      TEXT,
    instrument_id INTEGER REFERENCES instrument (id),
    release_date  TEXT,
    doi           TEXT NOT NULL DEFAULT ''
);

CREATE TABLE participant (
    investigation_id INTEGER NOT NULL REFERENCES investigation (id) ON DELETE CASCADE,
    position         INTEGER NOT NULL,
    name             TEXT NOT NULL,
    role             TEXT NOT NULL DEFAULT '',
    orcid            TEXT NOT NULL DEFAULT '',
    email            TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (investigation_id, position)
) WITHOUT ROWID;

CREATE TABLE sample (
    id               INTEGER PRIMARY KEY,
    pid              TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL CHECK (name <> ''),
    description      TEXT NOT NULL DEFAULT '',
    formula          TEXT NOT NULL DEFAULT '',
    investigation_id INTEGER REFERENCES investigation (id),
    parent_id        INTEGER REFERENCES sample (id)
);
CREATE INDEX sample_name ON sample (name);

CREATE TABLE dataset (
    id               INTEGER PRIMARY KEY,
    pid              TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL CHECK (kind IN ('raw', 'processed')),
    name             TEXT NOT NULL CHECK (name <> ''),
    description      TEXT NOT NULL DEFAULT '',
    investigation_id INTEGER REFERENCES investigation (id),
    instrument_id    INTEGER REFERENCES instrument (id),
    sample_id        INTEGER REFERENCES sample (id),
    techniques       TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
    keywords         TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
    start_time       TEXT,
    end_time         TEXT,
    location         TEXT NOT NULL DEFAULT '',
    schema_name      TEXT NOT NULL DEFAULT '',
    state            TEXT NOT NULL CHECK (state IN ('acquiring', 'complete', 'failed')),
    created_by       TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL
);
CREATE INDEX dataset_investigation ON dataset (investigation_id);
CREATE INDEX dataset_instrument ON dataset (instrument_id);
CREATE INDEX dataset_sample ON dataset (sample_id);
CREATE INDEX dataset_start ON dataset (start_time);
CREATE INDEX dataset_name ON dataset (name);

CREATE TABLE datafile (
    id         INTEGER PRIMARY KEY,
    dataset_id INTEGER NOT NULL REFERENCES dataset (id) ON DELETE CASCADE,
    path       TEXT NOT NULL CHECK (path <> ''),
    size       INTEGER,
    sha256     TEXT NOT NULL DEFAULT '',
    format     TEXT NOT NULL DEFAULT '',
    modified   TEXT,
    UNIQUE (dataset_id, path)
);

-- Keys are interned: metadata rows hold a small integer, and (key, value) indexes stay narrow.
-- A key's first use fixes what it holds (value_class: number, string, bool, datetime, json,
-- array) and, for quantities, its dimension (si_unit), so every value of a key compares with
-- every other; `unit` is the unit of that first use, for messages.
CREATE TABLE metadata_key (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    value_class TEXT NOT NULL,
    si_unit     TEXT NOT NULL DEFAULT '',
    unit        TEXT NOT NULL DEFAULT ''
);

-- One row per (owner, key). `value` is as entered (INTEGER, REAL or TEXT; JSON text for arrays
-- and JSON); `si` is the number in the SI unit `si_unit` ('1' for dimensionless, 'datetime' for
-- instants as Unix seconds), so range queries compare across units through the index.
CREATE TABLE dataset_metadata (
    dataset_id  INTEGER NOT NULL REFERENCES dataset (id) ON DELETE CASCADE,
    key_id      INTEGER NOT NULL REFERENCES metadata_key (id),
    type        INTEGER NOT NULL,
    value,
    unit        TEXT NOT NULL DEFAULT '',
    si          REAL,
    si_unit     TEXT,
    uncertainty REAL,
    PRIMARY KEY (dataset_id, key_id)
) WITHOUT ROWID;
CREATE INDEX dataset_metadata_si ON dataset_metadata (key_id, si) WHERE si IS NOT NULL;
CREATE INDEX dataset_metadata_text ON dataset_metadata (key_id, value) WHERE type = 0;

CREATE TABLE sample_metadata (
    sample_id   INTEGER NOT NULL REFERENCES sample (id) ON DELETE CASCADE,
    key_id      INTEGER NOT NULL REFERENCES metadata_key (id),
    type        INTEGER NOT NULL,
    value,
    unit        TEXT NOT NULL DEFAULT '',
    si          REAL,
    si_unit     TEXT,
    uncertainty REAL,
    PRIMARY KEY (sample_id, key_id)
) WITHOUT ROWID;

-- Full-text search over names, descriptions, keywords and text metadata; rowid = dataset.id.
CREATE VIRTUAL TABLE dataset_text USING fts5 (name, description, keywords, metadata);
)sql";

// Provenance, aligned with W3C PROV: agents, activities and the relations between them.
constexpr std::string_view v2_provenance = R"sql(
CREATE TABLE agent (
    id      INTEGER PRIMARY KEY,
    pid     TEXT NOT NULL UNIQUE,
    type    TEXT NOT NULL CHECK (type IN ('person', 'software', 'organisation')),
    name    TEXT NOT NULL CHECK (name <> ''),
    orcid   TEXT NOT NULL DEFAULT '',
    email   TEXT NOT NULL DEFAULT '',
    version TEXT NOT NULL DEFAULT '',
    url     TEXT NOT NULL DEFAULT '',
    UNIQUE (type, name)
);
CREATE INDEX agent_name ON agent (name);

CREATE TABLE activity (
    id           INTEGER PRIMARY KEY,
    pid          TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL CHECK (name <> ''),
    type         TEXT NOT NULL CHECK (type IN ('acquisition', 'processing', 'workflow', 'notebook', 'other')),
    program      TEXT NOT NULL DEFAULT '',
    version      TEXT NOT NULL DEFAULT '',
    start_time   TEXT NOT NULL,
    end_time     TEXT,
    status       TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    host         TEXT NOT NULL DEFAULT '',
    command_line TEXT NOT NULL DEFAULT '',
    parent_id    INTEGER REFERENCES activity (id),
    log          TEXT NOT NULL DEFAULT '',
    environment  TEXT NOT NULL DEFAULT '{}',  -- JSON: os, user, source_tree, git_commit, git_dirty, python_version, packages
    created_by   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX activity_program ON activity (program, version);
CREATE INDEX activity_parent ON activity (parent_id);

CREATE TABLE activity_parameter (
    activity_id INTEGER NOT NULL REFERENCES activity (id) ON DELETE CASCADE,
    key_id      INTEGER NOT NULL REFERENCES metadata_key (id),
    type        INTEGER NOT NULL,
    value,
    unit        TEXT NOT NULL DEFAULT '',
    si          REAL,
    si_unit     TEXT,
    uncertainty REAL,
    PRIMARY KEY (activity_id, key_id)
) WITHOUT ROWID;

-- activity used dataset (path = '') or one file of it
CREATE TABLE used (
    activity_id INTEGER NOT NULL REFERENCES activity (id),
    dataset_id  INTEGER NOT NULL REFERENCES dataset (id),
    path        TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (activity_id, dataset_id, path)
) WITHOUT ROWID;
CREATE INDEX used_dataset ON used (dataset_id);

-- dataset wasGeneratedBy activity: at most one generation per dataset
CREATE TABLE generation (
    dataset_id  INTEGER PRIMARY KEY REFERENCES dataset (id),
    activity_id INTEGER NOT NULL REFERENCES activity (id),
    role        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX generation_activity ON generation (activity_id);

-- dataset wasDerivedFrom dataset; recorded directly, or implied by used + generation
-- (then activity_id names the activity). Both directions are indexed for lineage walks.
CREATE TABLE derivation (
    derived_id  INTEGER NOT NULL REFERENCES dataset (id),
    source_id   INTEGER NOT NULL REFERENCES dataset (id),
    activity_id INTEGER REFERENCES activity (id),
    role        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (derived_id, source_id),
    CHECK (derived_id <> source_id)
) WITHOUT ROWID;
CREATE INDEX derivation_source ON derivation (source_id, derived_id);

-- activity wasInformedBy activity
CREATE TABLE communication (
    informed_id  INTEGER NOT NULL REFERENCES activity (id),
    informant_id INTEGER NOT NULL REFERENCES activity (id),
    PRIMARY KEY (informed_id, informant_id),
    CHECK (informed_id <> informant_id)
) WITHOUT ROWID;
CREATE INDEX communication_informant ON communication (informant_id);

-- activity wasAssociatedWith agent
CREATE TABLE association (
    activity_id INTEGER NOT NULL REFERENCES activity (id),
    agent_id    INTEGER NOT NULL REFERENCES agent (id),
    role        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (activity_id, agent_id, role)
) WITHOUT ROWID;
CREATE INDEX association_agent ON association (agent_id);
)sql";

// Version 3: derivation links carry `seq`, the order they were recorded in (1, 2, 3 ...; links
// are never deleted). The in-memory lineage index (lineage_index.hpp) reads only the links
// with a seq above the last it holds, so it stays current when other connections or processes
// write. Existing links are numbered in key order.
constexpr std::string_view v3_derivation_seq = R"sql(
CREATE TABLE derivation_v3 (
    derived_id  INTEGER NOT NULL REFERENCES dataset (id),
    source_id   INTEGER NOT NULL REFERENCES dataset (id),
    activity_id INTEGER REFERENCES activity (id),
    role        TEXT NOT NULL DEFAULT '',
    seq         INTEGER NOT NULL,
    PRIMARY KEY (derived_id, source_id),
    CHECK (derived_id <> source_id)
) WITHOUT ROWID;
INSERT INTO derivation_v3 (derived_id, source_id, activity_id, role, seq)
    SELECT derived_id, source_id, activity_id, role, row_number() OVER (ORDER BY derived_id, source_id)
    FROM derivation;
DROP TABLE derivation;
ALTER TABLE derivation_v3 RENAME TO derivation;
CREATE INDEX derivation_source ON derivation (source_id, derived_id);
CREATE UNIQUE INDEX derivation_seq ON derivation (seq);
)sql";

// Version 4: metadata schemas. The schemas themselves (as written, and their canonical content),
// and for each dataset whether the schema it names accepted it: `valid` is 0 when a lenient
// schema accepted it with `violations` (a JSON array of {field, value, rule}).
constexpr std::string_view v4_schemas = R"sql(
CREATE TABLE metadata_schema (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    version     TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    canonical   TEXT NOT NULL,
    source      TEXT NOT NULL,
    source_name TEXT NOT NULL DEFAULT '',
    parent      TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    UNIQUE (name, version)
);
ALTER TABLE dataset ADD COLUMN valid INTEGER NOT NULL DEFAULT 1 CHECK (valid IN (0, 1));
ALTER TABLE dataset ADD COLUMN violations TEXT NOT NULL DEFAULT '[]';
CREATE INDEX dataset_invalid ON dataset (id) WHERE valid = 0;
CREATE INDEX dataset_schema ON dataset (schema_name);
)sql";

// Version 5: finding the datasets that hold a file (Catalog::datasets_with_file) by its path
// relative to the dataset's location, or by its checksum, without reading every file. The
// (dataset_id, path) unique index leads with the dataset, so it cannot serve a path alone.
constexpr std::string_view v5_file_lookup = R"sql(
CREATE INDEX datafile_path ON datafile (path);
CREATE INDEX datafile_sha256 ON datafile (sha256);
)sql";

constexpr std::string_view migrations[] = {v1_core, v2_provenance, v3_derivation_seq, v4_schemas, v5_file_lookup};

int user_version(sqlite::Database& db) {
    auto st = db.prepare("PRAGMA user_version");
    st.step();
    return static_cast<int>(st.column_int(0));
}

}  // namespace

int latest_schema_version() noexcept { return static_cast<int>(std::size(migrations)); }

namespace {

void refuse_newer(int found) {
    if (found > latest_schema_version())
        throw StorageError(fmt::format(
            "this catalogue has schema version {}, but this datatrail knows versions up to {}: it was written by a "
            "newer datatrail; upgrade datatrail to open it",
            found, latest_schema_version()));
}

}  // namespace

int migrate(sqlite::Database& db) {
    const int found = user_version(db);
    refuse_newer(found);
    for (int v = found; v < latest_schema_version(); ++v) {
        sqlite::Transaction tx(db);
        // Another process may have migrated while we waited for the write lock.
        if (user_version(db) > v) continue;
        db.exec(migrations[v]);
        db.exec(fmt::format("PRAGMA user_version = {}", v + 1));
        tx.commit();
    }
    return found;
}

void require_latest_schema(sqlite::Database& db, std::string_view path) {
    const int found = user_version(db);
    refuse_newer(found);
    if (found == 0)
        throw StorageError(fmt::format("'{}' holds no datatrail catalogue (schema version 0), and read_only opens only "
                                       "an existing catalogue",
                                       path));
    if (found < latest_schema_version())
        throw StorageError(fmt::format(
            "the catalogue '{}' has schema version {} and this datatrail reads version {}: migrating it is a write, "
            "which read_only forbids; open it once without read_only (where it may be written) to migrate it",
            path, found, latest_schema_version()));
}

}  // namespace datatrail::detail
