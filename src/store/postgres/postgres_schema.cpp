// The PostgreSQL schema. The catalogue's schema version is one number for both engines: version
// N has the same tables, columns and meaning on SQLite and on PostgreSQL. A PostgreSQL database
// starts at version 3 (the first the PostgreSQL engine shipped with); later versions append a
// migration here and in store/sqlite/migrations.cpp together. Never edit a shipped migration.
//
// Differences from the SQLite schema, each for a reason:
// - text columns compare byte by byte (COLLATE "C"), as SQLite's do, so ordering, ranges and
//   equality give the same answers whatever the server's locale;
// - times are the same fixed-width ISO 8601 UTC text as on SQLite, so both engines sort,
//   compare and return them alike;
// - a metadata value is text (strings as entered, numbers in shortest round-trip form, booleans
//   as 0/1, times in ISO 8601, arrays and JSON as JSON): SQLite's dynamically typed column has no
//   PostgreSQL equivalent, and every comparison a query makes is on `si` (numbers, instants) or
//   on the text itself (strings, booleans);
// - techniques and keywords are text arrays rather than JSON text;
// - full-text search is a tsvector per dataset with a GIN index (the 'simple' configuration:
//   lower-cased words, no stemming, like SQLite's FTS5 unicode61 tokenizer).
#include "store/postgres/postgres_schema.hpp"

#include <datatrail/catalog.hpp>

#include <fmt/format.h>

#include <string_view>

namespace datatrail::detail::postgres {
namespace {

constexpr std::string_view v3 = R"sql(
CREATE TABLE catalog_info (
    key   text COLLATE "C" PRIMARY KEY,
    value text COLLATE "C" NOT NULL
);

CREATE TABLE instrument (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pid      text COLLATE "C" NOT NULL UNIQUE,
    name     text COLLATE "C" NOT NULL CHECK (name <> ''),
    facility text COLLATE "C" NOT NULL DEFAULT '',
    type     text COLLATE "C" NOT NULL DEFAULT '',
    UNIQUE (facility, name)
);
CREATE INDEX instrument_name ON instrument (name);

CREATE TABLE investigation (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pid           text COLLATE "C" NOT NULL UNIQUE,
    name          text COLLATE "C" NOT NULL UNIQUE CHECK (name <> ''),
    title         text COLLATE "C" NOT NULL DEFAULT '',
    summary       text COLLATE "C" NOT NULL DEFAULT '',
    start_time    text COLLATE "C",
    end_time      text COLLATE "C",
    instrument_id bigint REFERENCES instrument (id),
    release_date  text COLLATE "C",
    doi           text COLLATE "C" NOT NULL DEFAULT ''
);

CREATE TABLE participant (
    investigation_id bigint NOT NULL REFERENCES investigation (id) ON DELETE CASCADE,
    position         integer NOT NULL,
    name             text COLLATE "C" NOT NULL,
    role             text COLLATE "C" NOT NULL DEFAULT '',
    orcid            text COLLATE "C" NOT NULL DEFAULT '',
    email            text COLLATE "C" NOT NULL DEFAULT '',
    PRIMARY KEY (investigation_id, position)
);

CREATE TABLE sample (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pid              text COLLATE "C" NOT NULL UNIQUE,
    name             text COLLATE "C" NOT NULL CHECK (name <> ''),
    description      text COLLATE "C" NOT NULL DEFAULT '',
    formula          text COLLATE "C" NOT NULL DEFAULT '',
    investigation_id bigint REFERENCES investigation (id),
    parent_id        bigint REFERENCES sample (id)
);
CREATE INDEX sample_name ON sample (name);

CREATE TABLE dataset (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pid              text COLLATE "C" NOT NULL UNIQUE,
    kind             text COLLATE "C" NOT NULL CHECK (kind IN ('raw', 'processed')),
    name             text COLLATE "C" NOT NULL CHECK (name <> ''),
    description      text COLLATE "C" NOT NULL DEFAULT '',
    investigation_id bigint REFERENCES investigation (id),
    instrument_id    bigint REFERENCES instrument (id),
    sample_id        bigint REFERENCES sample (id),
    techniques       text[] COLLATE "C" NOT NULL DEFAULT '{}',
    keywords         text[] COLLATE "C" NOT NULL DEFAULT '{}',
    start_time       text COLLATE "C",
    end_time         text COLLATE "C",
    location         text COLLATE "C" NOT NULL DEFAULT '',
    schema_name      text COLLATE "C" NOT NULL DEFAULT '',
    state            text COLLATE "C" NOT NULL CHECK (state IN ('acquiring', 'complete', 'failed')),
    created_by       text COLLATE "C" NOT NULL DEFAULT '',
    created_at       text COLLATE "C" NOT NULL
);
CREATE INDEX dataset_investigation ON dataset (investigation_id);
CREATE INDEX dataset_instrument ON dataset (instrument_id);
CREATE INDEX dataset_sample ON dataset (sample_id);
CREATE INDEX dataset_start ON dataset (start_time);
CREATE INDEX dataset_name ON dataset (name);

CREATE TABLE datafile (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dataset_id bigint NOT NULL REFERENCES dataset (id) ON DELETE CASCADE,
    path       text COLLATE "C" NOT NULL CHECK (path <> ''),
    size       bigint,
    sha256     text COLLATE "C" NOT NULL DEFAULT '',
    format     text COLLATE "C" NOT NULL DEFAULT '',
    modified   text COLLATE "C",
    UNIQUE (dataset_id, path)
);

CREATE TABLE metadata_key (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key         text COLLATE "C" NOT NULL UNIQUE,
    value_class text COLLATE "C" NOT NULL,
    si_unit     text COLLATE "C" NOT NULL DEFAULT '',
    unit        text COLLATE "C" NOT NULL DEFAULT ''
);

CREATE TABLE dataset_metadata (
    dataset_id  bigint NOT NULL REFERENCES dataset (id) ON DELETE CASCADE,
    key_id      bigint NOT NULL REFERENCES metadata_key (id),
    type        integer NOT NULL,
    value       text COLLATE "C" NOT NULL,
    unit        text COLLATE "C" NOT NULL DEFAULT '',
    si          double precision,
    si_unit     text COLLATE "C",
    uncertainty double precision,
    PRIMARY KEY (dataset_id, key_id)
);
CREATE INDEX dataset_metadata_si ON dataset_metadata (key_id, si) WHERE si IS NOT NULL;
CREATE INDEX dataset_metadata_text ON dataset_metadata (key_id, value) WHERE type = 0;

CREATE TABLE sample_metadata (
    sample_id   bigint NOT NULL REFERENCES sample (id) ON DELETE CASCADE,
    key_id      bigint NOT NULL REFERENCES metadata_key (id),
    type        integer NOT NULL,
    value       text COLLATE "C" NOT NULL,
    unit        text COLLATE "C" NOT NULL DEFAULT '',
    si          double precision,
    si_unit     text COLLATE "C",
    uncertainty double precision,
    PRIMARY KEY (sample_id, key_id)
);

CREATE TABLE dataset_text (
    dataset_id bigint PRIMARY KEY REFERENCES dataset (id) ON DELETE CASCADE,
    document   tsvector NOT NULL
);
CREATE INDEX dataset_text_document ON dataset_text USING gin (document);

CREATE TABLE agent (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pid     text COLLATE "C" NOT NULL UNIQUE,
    type    text COLLATE "C" NOT NULL CHECK (type IN ('person', 'software', 'organisation')),
    name    text COLLATE "C" NOT NULL CHECK (name <> ''),
    orcid   text COLLATE "C" NOT NULL DEFAULT '',
    email   text COLLATE "C" NOT NULL DEFAULT '',
    version text COLLATE "C" NOT NULL DEFAULT '',
    url     text COLLATE "C" NOT NULL DEFAULT '',
    UNIQUE (type, name)
);
CREATE INDEX agent_name ON agent (name);

CREATE TABLE activity (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pid          text COLLATE "C" NOT NULL UNIQUE,
    name         text COLLATE "C" NOT NULL CHECK (name <> ''),
    type         text COLLATE "C" NOT NULL CHECK (type IN ('acquisition', 'processing', 'workflow', 'notebook', 'other')),
    program      text COLLATE "C" NOT NULL DEFAULT '',
    version      text COLLATE "C" NOT NULL DEFAULT '',
    start_time   text COLLATE "C" NOT NULL,
    end_time     text COLLATE "C",
    status       text COLLATE "C" NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    host         text COLLATE "C" NOT NULL DEFAULT '',
    command_line text COLLATE "C" NOT NULL DEFAULT '',
    parent_id    bigint REFERENCES activity (id),
    log          text COLLATE "C" NOT NULL DEFAULT '',
    environment  text COLLATE "C" NOT NULL DEFAULT '{}',
    created_by   text COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX activity_program ON activity (program, version);
CREATE INDEX activity_parent ON activity (parent_id);

CREATE TABLE activity_parameter (
    activity_id bigint NOT NULL REFERENCES activity (id) ON DELETE CASCADE,
    key_id      bigint NOT NULL REFERENCES metadata_key (id),
    type        integer NOT NULL,
    value       text COLLATE "C" NOT NULL,
    unit        text COLLATE "C" NOT NULL DEFAULT '',
    si          double precision,
    si_unit     text COLLATE "C",
    uncertainty double precision,
    PRIMARY KEY (activity_id, key_id)
);

CREATE TABLE used (
    activity_id bigint NOT NULL REFERENCES activity (id),
    dataset_id  bigint NOT NULL REFERENCES dataset (id),
    path        text COLLATE "C" NOT NULL DEFAULT '',
    role        text COLLATE "C" NOT NULL DEFAULT '',
    PRIMARY KEY (activity_id, dataset_id, path)
);
CREATE INDEX used_dataset ON used (dataset_id);

CREATE TABLE generation (
    dataset_id  bigint PRIMARY KEY REFERENCES dataset (id),
    activity_id bigint NOT NULL REFERENCES activity (id),
    role        text COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX generation_activity ON generation (activity_id);

-- seq: the order links were committed in (1, 2, 3 ...), taken under an advisory lock so that a
-- reader that has seen link n has seen every link before it; the lineage index relies on it.
CREATE TABLE derivation (
    derived_id  bigint NOT NULL REFERENCES dataset (id),
    source_id   bigint NOT NULL REFERENCES dataset (id),
    activity_id bigint REFERENCES activity (id),
    role        text COLLATE "C" NOT NULL DEFAULT '',
    seq         bigint NOT NULL UNIQUE,
    PRIMARY KEY (derived_id, source_id),
    CHECK (derived_id <> source_id)
);
CREATE INDEX derivation_source ON derivation (source_id, derived_id);

CREATE TABLE communication (
    informed_id  bigint NOT NULL REFERENCES activity (id),
    informant_id bigint NOT NULL REFERENCES activity (id),
    PRIMARY KEY (informed_id, informant_id),
    CHECK (informed_id <> informant_id)
);
CREATE INDEX communication_informant ON communication (informant_id);

CREATE TABLE association (
    activity_id bigint NOT NULL REFERENCES activity (id),
    agent_id    bigint NOT NULL REFERENCES agent (id),
    role        text COLLATE "C" NOT NULL DEFAULT '',
    PRIMARY KEY (activity_id, agent_id, role)
);
CREATE INDEX association_agent ON association (agent_id);
)sql";

// Version 4: metadata schemas (as store/sqlite/migrations.cpp says).
constexpr std::string_view v4 = R"sql(
CREATE TABLE metadata_schema (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text COLLATE "C" NOT NULL,
    version     text COLLATE "C" NOT NULL,
    description text COLLATE "C" NOT NULL DEFAULT '',
    canonical   text COLLATE "C" NOT NULL,
    source      text COLLATE "C" NOT NULL,
    source_name text COLLATE "C" NOT NULL DEFAULT '',
    parent      text COLLATE "C" NOT NULL DEFAULT '',
    created_by  text COLLATE "C" NOT NULL DEFAULT '',
    created_at  text COLLATE "C" NOT NULL,
    UNIQUE (name, version)
);
ALTER TABLE dataset ADD COLUMN valid integer NOT NULL DEFAULT 1 CHECK (valid IN (0, 1));
ALTER TABLE dataset ADD COLUMN violations text COLLATE "C" NOT NULL DEFAULT '[]';
CREATE INDEX dataset_invalid ON dataset (id) WHERE valid = 0;
CREATE INDEX dataset_schema ON dataset (schema_name);
)sql";

// Version 5: the datafile indexes on path and sha256 (as store/sqlite/migrations.cpp says).
constexpr std::string_view v5 = R"sql(
CREATE INDEX datafile_path ON datafile (path);
CREATE INDEX datafile_sha256 ON datafile (sha256);
)sql";

struct Migration {
    int version;  // the version the database is at after it
    std::string_view sql;
};
constexpr Migration migrations[] = {{3, v3}, {4, v4}, {5, v5}};
constexpr int latest = 5;

int version_in(pq::Connection& conn) {
    const auto exists = conn.exec("SELECT to_regclass('catalog_info') IS NOT NULL");
    if (!exists.boolean(0, 0)) return 0;
    const auto r = conn.exec("SELECT value FROM catalog_info WHERE key = 'schema_version'");
    if (r.rows() == 0) return 0;
    return static_cast<int>(std::stoi(std::string(r.text(0, 0))));
}

}  // namespace

int schema_version(pq::Connection& conn) { return version_in(conn); }

int migrate(pq::Connection& conn) {
    static_assert(latest == migrations[std::size(migrations) - 1].version);
    const int found = version_in(conn);
    if (found > Catalog::latest_schema_version())
        throw StorageError(fmt::format(
            "this catalogue has schema version {}, but this datatrail knows versions up to {}: it was written by a "
            "newer datatrail; upgrade datatrail to open it",
            found, Catalog::latest_schema_version()));
    for (const auto& m : migrations) {
        if (found >= m.version) continue;
        pq::Transaction tx(conn);
        conn.exec_cached("SELECT pg_advisory_xact_lock($1)", pq::Params().add(migration_lock));
        // Another process may have migrated while we waited for the lock.
        if (version_in(conn) >= m.version) continue;
        conn.exec(m.sql);
        conn.exec_cached(
            "INSERT INTO catalog_info (key, value) VALUES ('schema_version', $1) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            pq::Params().add(std::to_string(m.version)));
        tx.commit();
    }
    return found;
}

}  // namespace datatrail::detail::postgres
