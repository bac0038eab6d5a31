#pragma once
// The input rules, in one place for every backend. Each check adds every violation it finds
// to `out`, naming the field as the caller sees it ("metadata.energy", "datasets[3].name").
#include "store/store.hpp"

#include <datatrail/error.hpp>

#include <initializer_list>
#include <string_view>
#include <utility>

namespace datatrail::detail {

std::vector<MetadataRow> normalize_metadata(const Metadata& metadata, std::string_view field, Violations& out);

void check_instrument(const Instrument& instrument, Violations& out);
void check_investigation(const Investigation& investigation, Violations& out);
void check_sample(const Sample& sample, std::string_view field, Violations& out);
void check_dataset(const Dataset& dataset, std::string_view field, Violations& out);
void check_files(const std::vector<Datafile>& files, std::string_view field, Violations& out);
// What Catalog::datasets_with_file is given: an absolute path to a file and/or a SHA-256.
void check_file_lookup(const std::string& path, const std::string& sha256, Violations& out);
void check_agent(const Agent& agent, Violations& out);
void check_activity(const Activity& activity, Violations& out);
void check_used(const std::vector<Used>& used, std::string_view field, Violations& out);
void check_pid(const std::string& pid, std::string_view field, Violations& out);

// Text a catalogue stores or compares must not hold a NUL character (PostgreSQL text cannot,
// and SQLite and C strings end at one): a violation naming `field` otherwise.
void check_text(std::string_view value, std::string_view field, Violations& out);
// check_text for each (field, text) of one record or call.
void check_texts(std::initializer_list<std::pair<std::string, std::string_view>> texts, Violations& out);

// What a key holds, fixed by its first use: number, string, bool, datetime, json or array.
std::string_view value_class(ValueType type) noexcept;

bool is_valid_orcid(std::string_view orcid) noexcept;

CompiledCondition compile_condition(const MetadataCondition& condition, std::string_view field);

}  // namespace datatrail::detail
