#pragma once
// The field tables of the bound records (see fields.hpp): one line per field, in the C++
// struct's member order. `doc` is the property's docstring, `param` its line in docstrings that
// list keywords (the class's, or for Dataset, Catalog.register_dataset's), `add_param` the line
// in the catalogue method's docstring where it differs; `arg`/`add` place the keyword, `repr`
// places the field in repr.
#include "convert.hpp"
#include "fields.hpp"

namespace datatrail::python::records {

using namespace fields;

// --- codecs of the records' members ----------------------------------------------------------

// str; None reads as empty.
using text = string_codec<&to_str, StrArg, access::plain>;
// The same, given as None until the catalogue mints one.
struct pid_text : string_codec<&to_str, OptStrArg, access::plain> {
    static constexpr default_value dflt = py_none;
};
// str, None refused.
using strict_text = string_codec<&to_str, StrArg, access::plain, true>;
// str or os.PathLike; None reads as empty.
using path_text = string_codec<&to_path, PathArg>;
using strict_path = string_codec<&to_path, PathArg, access::converted, true>;
// A PID or name, given as the object, its PID or its name.
template <RefKind K, class Arg>
struct ref : string_codec<&to_ref_of<K>, Arg> {
    static constexpr default_value dflt = py_none;
};
struct activity_ref : string_codec<&to_activity_ref, OptActivityRef> {
    static constexpr default_value dflt = py_none;
};
using agent_ref = string_codec<&to_agent_ref, AgentRef>;
using strs = strings_codec<&to_strs, StrsArg>;

using dataset_kind = enum_codec<DatasetKind, &to_kind, &parse_dataset_kind>;
using dataset_state = enum_codec<DatasetState, &to_state, &parse_dataset_state>;
using activity_type = enum_codec<ActivityType, &to_activity_type, &parse_activity_type>;
using activity_status = enum_codec<ActivityStatus, &to_activity_status, &parse_activity_status>;
using agent_type = enum_codec<AgentType, &to_agent_type, &parse_agent_type>;

// --- tables ----------------------------------------------------------------------------------

inline constexpr const char* pid_doc = "The PID; empty until the catalogue mints one.";
inline constexpr const char* pid_param = "the PID; empty (or None) until the catalogue mints one";
inline constexpr const char* minted_elsewhere = "a PID minted elsewhere; None to mint one";

struct instrument_table {
    using type = Instrument;
    static constexpr record_info info{.python_name = "Instrument", .keys_noun = "instrument",
                                      .field_noun = "an instrument"};
    static constexpr auto fields = std::tuple{
        field<&Instrument::pid, pid_text>{.name = "pid", .doc = pid_doc, .param = pid_param,
                                          .add_param = minted_elsewhere, .arg = arg_at::last, .repr = {1}},
        field<&Instrument::name, strict_text>{.name = "name", .doc = "The name, e.g. ``\"ID11\"``.",
                                              .param = "e.g. ``\"ID11\"``",
                                              .add_param = "e.g. ``\"ID11\"``; ``(facility, name)`` is unique",
                                              .repr = {2}},
        field<&Instrument::facility, strict_text>{.name = "facility", .doc = "The facility, e.g. ``\"ESRF\"``.",
                                                  .param = "e.g. ``\"ESRF\"``", .repr = {3}},
        field<&Instrument::type, strict_text>{
            .name = "type", .doc = "The kind of set-up, e.g. ``\"beamline\"``.",
            .param = "e.g. ``\"beamline\"``, ``\"laser\"``, ``\"detector test bench\"``",
            .add_param = "e.g. ``\"beamline\"``", .repr = {4}},
    };
};

struct participant_table {
    using type = Participant;
    static constexpr record_info info{.python_name = "Participant", .keys_noun = "participant",
                                      .field_noun = "a participant"};
    static constexpr auto fields = std::tuple{
        field<&Participant::name, text>{.name = "name", .doc = "The person's name.", .param = "the person's name",
                                        .repr = {1}},
        field<&Participant::role, text>{
            .name = "role", .doc = "The role, e.g. ``\"PI\"``.",
            .param = "free text; ``\"PI\"``, ``\"co-investigator\"``, ``\"local contact\"`` are usual",
            .repr = {2, shown::if_set}},
        field<&Participant::orcid, text>{
            .name = "orcid", .doc = "The ORCID iD, e.g. ``\"0000-0002-1825-0097\"``; optional.",
            .param = "optional, e.g. ``\"0000-0002-1825-0097\"``; its checksum is verified when stored",
            .repr = {3, shown::if_set}},
        field<&Participant::email, text>{.name = "email", .doc = "The e-mail address; optional.", .param = "optional",
                                         .repr = {4, shown::if_set}},
    };
};

struct investigation_table {
    using type = Investigation;
    static constexpr record_info info{.python_name = "Investigation", .keys_noun = "investigation",
                                      .field_noun = "an investigation"};
    static constexpr auto fields = std::tuple{
        field<&Investigation::pid, pid_text>{.name = "pid", .doc = pid_doc, .param = pid_param,
                                             .add_param = minted_elsewhere, .arg = arg_at::last, .repr = {1}},
        field<&Investigation::name, text>{.name = "name",
                                          .doc = "The name, e.g. the proposal number; unique in a catalogue.",
                                          .param = "e.g. the proposal number ``\"ma1234\"``",
                                          .add_param = "e.g. the proposal number ``\"ma1234\"``; unique",
                                          .repr = {2}},
        field<&Investigation::title, text>{.name = "title", .doc = "The title.", .param = "the title",
                                           .repr = {3, shown::if_set}},
        field<&Investigation::summary, text>{.name = "summary", .doc = "The abstract.", .param = "the abstract"},
        field<&Investigation::start_time, time_codec>{
            .name = "start_time", .doc = "The start (an aware datetime in UTC), or None.",
            .param = "the start (see :meth:`Catalog.add_investigation` for accepted times)", .add_param = "the start"},
        field<&Investigation::end_time, time_codec>{.name = "end_time",
                                                    .doc = "The end (an aware datetime in UTC), or None.",
                                                    .param = "the end"},
        field<&Investigation::instrument, ref<RefKind::instrument, InstrumentRef>>{
            .name = "instrument",
            .doc = "The instrument's PID (or the name it was given by); empty when none. Set it to an "
                   ":class:`Instrument`, a PID or a name.",
            .param = "the instrument: an :class:`Instrument`, its PID or its name",
            .add_param = "an :class:`Instrument`, its PID or its name", .repr = {4, shown::if_set}},
        field<&Investigation::participants, records_codec<participant_table, &to_participants, ParticipantsArg>>{
            .name = "participants",
            .doc = "The participants. A new list on every access: change it by assigning a new sequence.",
            .param = ":class:`Participant` objects or dicts with their keys",
            .add_param = ":class:`Participant` objects or dicts with keys ``name``, ``role``,\n"
                         "    ``orcid``, ``email``",
            .repr = {5, shown::count}},
        field<&Investigation::release_date, time_codec>{
            .name = "release_date", .doc = "The end of the embargo (an aware datetime in UTC), or None.",
            .param = "the end of the embargo"},
        field<&Investigation::doi, text>{.name = "doi", .doc = "The DOI, ``\"10.<registrant>/<suffix>\"``; optional.",
                                         .param = "optional, ``\"10.<registrant>/<suffix>\"``",
                                         .add_param = "``\"10.<registrant>/<suffix>\"``"},
    };
};

struct sample_table {
    using type = Sample;
    static constexpr record_info info{.python_name = "Sample", .keys_noun = "sample", .field_noun = "a sample"};
    static constexpr auto fields = std::tuple{
        field<&Sample::pid, pid_text>{.name = "pid", .doc = pid_doc, .param = pid_param, .add_param = minted_elsewhere,
                                      .arg = arg_at::last, .repr = {1}},
        field<&Sample::name, text>{.name = "name", .doc = "The name.", .param = "the name", .repr = {2}},
        field<&Sample::description, text>{.name = "description", .doc = "Free text.", .param = "free text"},
        field<&Sample::formula, text>{.name = "formula", .doc = "The chemical formula or sample type.",
                                      .param = "the chemical formula or sample type", .repr = {3, shown::if_set}},
        field<&Sample::investigation, ref<RefKind::investigation, InvestigationRef>>{
            .name = "investigation",
            .doc = "The investigation's PID (or the name it was given by); empty when none. Set it to an "
                   ":class:`Investigation`, a PID or a name.",
            .param = "the investigation: an :class:`Investigation`, its PID or its name",
            .add_param = "an :class:`Investigation`, its PID or its name"},
        field<&Sample::parent, ref<RefKind::sample, SampleRef>>{
            .name = "parent",
            .doc = "The parent sample's PID (or the name it was given by); empty when none. Set it to a "
                   ":class:`Sample`, a PID or a name.",
            .param = "the sample this one was cut from: a :class:`Sample`, its PID or its name",
            .add_param = "the sample it was cut from: a :class:`Sample`, its PID or its name",
            .repr = {4, shown::if_set}},
        field<&Sample::metadata, metadata_codec>{
            .name = "metadata",
            .doc = "The metadata as a new dict on every access: changing that dict does not change the sample; "
                   "assign a whole mapping to replace it.",
            .param = "typed metadata, as for :meth:`Catalog.register_dataset`",
            .add_param = "typed metadata, as for :meth:`register_dataset`", .repr = {5, shown::keys}},
    };
};

struct datafile_table {
    using type = Datafile;
    static constexpr record_info info{.python_name = "Datafile", .keys_noun = "file", .field_noun = "a file"};
    static constexpr auto fields = std::tuple{
        field<&Datafile::path, strict_path>{.name = "path", .doc = "The path relative to the dataset's location.",
                                            .param = "the path relative to the dataset's location", .repr = {1}},
        field<&Datafile::size, count_codec>{.name = "size", .doc = "The size in bytes, or None when unknown.",
                                            .param = "the size in bytes, or None when unknown",
                                            .repr = {2, shown::if_set}},
        field<&Datafile::sha256, text>{
            .name = "sha256",
            .doc = "The SHA-256 of the content as 64 lowercase hex digits; empty when not computed.",
            .param = "the SHA-256 of the content as 64 lowercase hex digits; empty when not computed",
            .repr = {4, shown::digest}},
        field<&Datafile::format, text>{
            .name = "format", .doc = "The file format, e.g. ``\"nexus\"``; guessed from the extension when empty.",
            .param = "e.g. ``\"nexus\"``, ``\"hdf5\"``, ``\"tiff\"``; guessed from the extension when empty",
            .repr = {3, shown::if_set}},
        field<&Datafile::modified, time_codec>{.name = "modified",
                                               .doc = "The modification time (an aware datetime in UTC), or None.",
                                               .param = "the modification time, or None", .repr = {5, shown::if_set}},
    };
};

struct dataset_table {
    using type = Dataset;
    // valid and violations came with metadata schemas (catalogue version 4).
    static constexpr record_info info{.python_name = "Dataset", .keys_noun = "dataset", .field_noun = "a dataset",
                                      .positional = 2, .older_state = 18};
    // `param` is Catalog.register_dataset's (the class's docstring lists no keywords).
    static constexpr auto fields = std::tuple{
        field<&Dataset::pid, pid_text>{.name = "pid", .doc = pid_doc, .param = minted_elsewhere,
                                       .add = arg_at::last, .repr = {1}},
        field<&Dataset::kind, dataset_kind>{.name = "kind", .doc = "``\"raw\"`` or ``\"processed\"``.",
                                            .param = "``\"raw\"`` or ``\"processed\"``", .arg = arg_at::second,
                                            .dflt = "raw", .repr = {3}},
        field<&Dataset::name, text>{.name = "name", .doc = "The name, e.g. ``\"scan_001\"``.",
                                    .param = "the name, e.g. ``\"scan_001\"``", .arg = arg_at::first, .repr = {2}},
        field<&Dataset::description, text>{.name = "description", .doc = "Free text.", .param = "free text"},
        field<&Dataset::investigation, ref<RefKind::investigation, InvestigationRef>>{
            .name = "investigation",
            .doc = "The investigation's PID (or the name it was given by); empty when none. Set it to an "
                   ":class:`Investigation`, a PID or a name.",
            .param = "an :class:`Investigation`, its PID or its name"},
        field<&Dataset::instrument, ref<RefKind::instrument, InstrumentRef>>{
            .name = "instrument",
            .doc = "The instrument's PID (or the name it was given by); empty when none. Set it to an "
                   ":class:`Instrument`, a PID or a name.",
            .param = "an :class:`Instrument`, its PID or its name"},
        field<&Dataset::sample, ref<RefKind::sample, SampleRef>>{
            .name = "sample",
            .doc = "The sample's PID (or the name it was given by); empty when none. Set it to a "
                   ":class:`Sample`, a PID or a name.",
            .param = "a :class:`Sample`, its PID or its name"},
        field<&Dataset::techniques, strs>{.name = "techniques",
                                          .doc = "The techniques, e.g. ``[\"XRD\"]``; a new list on every access.",
                                          .param = "e.g. ``[\"XRD\"]``"},
        field<&Dataset::keywords, strs>{.name = "keywords", .doc = "The keywords; a new list on every access.",
                                        .param = "free keywords"},
        field<&Dataset::start_time, time_codec>{
            .name = "start_time",
            .doc = "The start of the acquisition or processing (an aware datetime in UTC), or None.",
            .param = "the start of the acquisition or processing"},
        field<&Dataset::end_time, time_codec>{.name = "end_time", .doc = "The end (an aware datetime in UTC), or None.",
                                              .param = "its end"},
        field<&Dataset::location, path_text>{.name = "location",
                                             .doc = "The root folder or URI the files' paths are relative to.",
                                             .param = "the root folder or URI the files' paths are relative to"},
        field<&Dataset::schema, text>{
            .name = "schema",
            .doc = "The metadata schema it was checked against, as ``\"name@version\"``; empty when none.",
            .param = "the metadata schema to check it against: ``\"mx\"`` (the catalogue's latest version) or "
                     "``\"mx@1.2\"`` (see :meth:`Catalog.add_schema`)"},
        field<&Dataset::metadata, metadata_codec>{
            .name = "metadata",
            .doc = "The metadata as a new dict on every access: changing that dict does not change the dataset; "
                   "assign a whole mapping to replace it. Values with a unit or uncertainty are :class:`Quantity` "
                   "objects.",
            .param = "a mapping of keys to values (see above)", .repr = {4, shown::keys}},
        field<&Dataset::state, dataset_state>{.name = "state",
                                              .doc = "``\"acquiring\"``, ``\"complete\"`` or ``\"failed\"``.",
                                              .param = "``\"acquiring\"``, ``\"complete\"`` or ``\"failed\"``",
                                              .dflt = "complete"},
        field<&Dataset::files, records_codec<datafile_table, &to_datafiles, FilesArg>>{
            .name = "files", .doc = "The files, as :class:`Datafile` objects; a new list on every access.",
            .param = "paths relative to ``location``, :class:`Datafile` objects or dicts of their fields",
            .repr = {5, shown::count}},
        field<&Dataset::created_by, text>{.name = "created_by",
                                          .doc = "Who registered it; the catalogue fills in the user.",
                                          .param = "who made it; empty for the user running the process"},
        field<&Dataset::created_at, time_codec>{
            .name = "created_at",
            .doc = "When it was registered (an aware datetime in UTC), set by the catalogue; None before.",
            .add = arg_at::none},
        field<&Dataset::valid, read_only_flag>{
            .name = "valid",
            .doc = "False when a lenient schema accepted the dataset with :attr:`violations` (a strict schema "
                   "refuses such a dataset); True otherwise. Find invalid datasets with "
                   "``find_datasets(valid=False)``.",
            .arg = arg_at::none, .repr = {6, shown::if_set}},
        field<&Dataset::violations, read_only_violations>{
            .name = "violations",
            .doc = "The rules of its schema that the dataset breaks, as :class:`Violation` objects; a new list "
                   "on every access.",
            .arg = arg_at::none, .repr = {7, shown::count_if_set}},
    };
};

struct agent_table {
    using type = Agent;
    static constexpr record_info info{.python_name = "Agent", .keys_noun = "agent", .field_noun = "an agent",
                                      .positional = 2};
    static constexpr auto fields = std::tuple{
        field<&Agent::pid, pid_text>{.name = "pid", .doc = pid_doc, .param = pid_param, .add_param = minted_elsewhere,
                                     .arg = arg_at::last, .repr = {1}},
        field<&Agent::type, agent_type>{.name = "type",
                                        .doc = "``\"person\"``, ``\"software\"`` or ``\"organisation\"``.",
                                        .param = "``\"person\"``, ``\"software\"`` or ``\"organisation\"``",
                                        .arg = arg_at::second, .dflt = "person", .repr = {3}},
        field<&Agent::name, text>{.name = "name", .doc = "The name; unique among agents of the same type.",
                                  .param = "e.g. ``\"Ada Lovelace\"``, ``\"pyFAI\"``, ``\"ESRF\"``",
                                  .add_param = "the name; ``(type, name)`` is unique", .arg = arg_at::first,
                                  .repr = {2}},
        field<&Agent::orcid, text>{
            .name = "orcid", .doc = "A person's ORCID iD; empty when none.",
            .param = "a person's ORCID iD, e.g. ``\"0000-0002-1825-0097\"`` (its checksum is verified)",
            .add_param = "a person's ORCID iD (its checksum is verified)", .repr = {4, shown::if_set}},
        field<&Agent::email, text>{.name = "email", .doc = "An e-mail address; empty when none.",
                                   .param = "an e-mail address", .repr = {5, shown::if_set}},
        field<&Agent::version, text>{.name = "version", .doc = "A piece of software's version; empty when none.",
                                     .param = "a piece of software's version", .repr = {6, shown::if_set}},
        field<&Agent::url, text>{.name = "url", .doc = "A home page, repository or ROR id; empty when none.",
                                 .param = "a home page, a repository, a ROR id", .repr = {7, shown::if_set}},
    };
};

struct environment_table {
    using type = Environment;
    static constexpr record_info info{.python_name = "Environment", .keys_noun = "an Environment",
                                      .field_noun = "an Environment", .positional = 0};
    static constexpr auto fields = std::tuple{
        field<&Environment::os, text>{.name = "os", .doc = "The operating system: name, release, machine.",
                                      .param = "e.g. ``\"Linux 6.1.0-18-amd64 x86_64\"``", .repr = {1}},
        field<&Environment::user, text>{.name = "user", .doc = "The account that ran the activity.",
                                        .param = "the account that ran it", .repr = {2}},
        field<&Environment::source_tree, path_text>{
            .name = "source_tree",
            .doc = "The top of the git work tree the caller's code lives in; empty when not in git.",
            .param = "the git work tree of the caller's code, if any", .prop = access::plain,
            .repr = {3, shown::if_set}},
        field<&Environment::git_commit, text>{.name = "git_commit",
                                              .doc = "The source tree's HEAD commit; empty when not in git.",
                                              .param = "its HEAD commit", .repr = {4, shown::head}},
        field<&Environment::git_dirty, flag_codec>{
            .name = "git_dirty",
            .doc = "Whether the source tree had uncommitted changes to tracked files; None when not in git.",
            .param = "whether it had uncommitted changes; None when unknown (not in git)",
            .repr = {5, shown::if_set}},
        field<&Environment::python_version, text>{
            .name = "python_version",
            .doc = "The Python version, e.g. ``\"3.11.7\"``; empty for activities recorded from C++.",
            .param = "e.g. ``\"3.11.7\"``", .repr = {6, shown::if_set}},
        field<&Environment::packages, str_map_codec>{
            .name = "packages",
            .doc = "The installed Python distributions, name to version, as a new dict on every access.",
            .param = "installed distributions, name to version", .repr = {7, shown::count_if_set}},
    };
};

struct used_table {
    using type = Used;
    static constexpr record_info info{.python_name = "Used", .keys_noun = "a Used", .field_noun = "a Used"};
    static constexpr auto fields = std::tuple{
        field<&Used::dataset, ref<RefKind::dataset, UsedRef>>{
            .name = "dataset", .doc = "The dataset's PID. Set it to a :class:`Dataset` or a PID.",
            .param = "the dataset: a :class:`Dataset` or its PID", .dflt = "", .repr = {1}},
        field<&Used::file, path_text>{
            .name = "file",
            .doc = "The path of the file used, relative to the dataset's location; empty for the whole dataset.",
            .param = "the path of one of its files; empty for the whole dataset", .repr = {2, shown::if_set}},
        field<&Used::role, text>{.name = "role", .doc = "The role it played, e.g. ``\"dark\"``; empty when none.",
                                 .param = "e.g. ``\"input\"``, ``\"dark\"``, ``\"calibration\"``",
                                 .repr = {3, shown::if_set}},
    };
};

struct association_table {
    using type = Association;
    static constexpr record_info info{.python_name = "Association", .keys_noun = "an Association",
                                      .field_noun = "an Association"};
    static constexpr auto fields = std::tuple{
        field<&Association::agent, agent_ref>{
            .name = "agent",
            .doc = "The agent's PID (read back from the catalogue) or the PID or name it was given by. Set it to an "
                   ":class:`Agent`, a PID or a name.",
            .param = "the agent: an :class:`Agent`, its PID or its name", .repr = {1}},
        field<&Association::role, text>{.name = "role", .doc = "The role the agent played; empty when none.",
                                        .param = "the role it played", .repr = {2, shown::if_set}},
    };
};

struct activity_table {
    using type = Activity;
    static constexpr record_info info{.python_name = "Activity", .keys_noun = "an Activity",
                                      .field_noun = "an Activity", .positional = 2};
    static constexpr auto fields = std::tuple{
        field<&Activity::pid, pid_text>{.name = "pid", .doc = pid_doc,
                                        .param = "the PID; None until the catalogue mints one", .repr = {1}},
        field<&Activity::name, text>{.name = "name", .doc = "The name, e.g. ``\"azimuthal_integration\"``.",
                                     .param = "e.g. ``\"azimuthal_integration\"``", .arg = arg_at::first,
                                     .repr = {2}},
        field<&Activity::type, activity_type>{
            .name = "type",
            .doc = "``\"acquisition\"``, ``\"processing\"``, ``\"workflow\"``, ``\"notebook\"`` or ``\"other\"``.",
            .param = "``\"acquisition\"``, ``\"processing\"``, ``\"workflow\"``, ``\"notebook\"`` or ``\"other\"``",
            .arg = arg_at::second, .dflt = "processing", .repr = {3}},
        field<&Activity::program, text>{.name = "program", .doc = "The program that ran; empty when none.",
                                        .param = "the program that ran, e.g. ``\"pyFAI\"``",
                                        .repr = {4, shown::if_set}},
        field<&Activity::version, text>{.name = "version", .doc = "The program's version; empty when none.",
                                        .param = "its version, e.g. ``\"2025.1\"``", .repr = {5, shown::if_set}},
        field<&Activity::parameters, metadata_codec>{
            .name = "parameters",
            .doc = "The parameters as a new dict on every access; values with a unit or uncertainty are "
                   ":class:`Quantity` objects.",
            .param = "typed parameters, written like dataset metadata (``{\"distance\": (250.0, \"mm\")}``)",
            .repr = {7, shown::keys}},
        field<&Activity::start_time, time_codec>{
            .name = "start_time", .doc = "When it started (an aware datetime in UTC), or None before it is recorded.",
            .param = "when it started; the catalogue uses now when None"},
        field<&Activity::end_time, time_codec>{
            .name = "end_time", .doc = "When it ended (an aware datetime in UTC), or None while running.",
            .param = "when it ended"},
        field<&Activity::status, activity_status>{.name = "status",
                                                  .doc = "``\"running\"``, ``\"succeeded\"`` or ``\"failed\"``.",
                                                  .param = "``\"running\"``, ``\"succeeded\"`` or ``\"failed\"``",
                                                  .dflt = "running", .repr = {6}},
        field<&Activity::host, text>{.name = "host", .doc = "The machine it ran on.",
                                     .param = "the machine; the catalogue fills in this one when empty"},
        field<&Activity::command_line, text>{.name = "command_line",
                                             .doc = "The command that ran; empty when not recorded.",
                                             .param = "the command that ran"},
        field<&Activity::parent, activity_ref>{
            .name = "parent",
            .doc = "The PID of the activity that contains this one; empty when none. Set it to an :class:`Activity`, "
                   ":class:`ActivityRun` or PID.",
            .param = "the activity that contains this one (a workflow run): an :class:`Activity`,\n"
                     "    :class:`ActivityRun` or PID"},
        field<&Activity::log, text>{.name = "log", .doc = "The log text (a failed run's ends with the traceback).",
                                    .param = "the log text"},
        field<&Activity::environment, record_codec<environment_table, &to_environment, EnvironmentArg>>{
            .name = "environment",
            .doc = "Where and with what it ran, as an :class:`Environment` (changes to it change the activity).",
            .param = "an :class:`Environment` (or a mapping of its fields)"},
        field<&Activity::used, records_codec<used_table, &to_useds, InputsArg>>{
            .name = "used", .doc = "What it used, as :class:`Used` objects; a new list on every access.",
            .param = "inputs: datasets (objects or PIDs), ``(dataset, role)`` tuples or :class:`Used`",
            .repr = {8, shown::count}},
        field<&Activity::agents, records_codec<association_table, &to_associations, AgentsArg>>{
            .name = "agents",
            .doc = "Its agents with their roles, as :class:`Association` objects; a new list on every access.",
            .param = "agents (names, PIDs or :class:`Agent` objects), ``(agent, role)`` tuples or\n"
                     "    :class:`Association` objects"},
        field<&Activity::informed_by, strings_codec<&to_activity_refs, ActivitiesArg>>{
            .name = "informed_by",
            .doc = "The PIDs of the activities whose results it used; a new list on every access.",
            .param = "activities whose results this one used (objects or PIDs)"},
        field<&Activity::generated, read_only_strings>{
            .name = "generated",
            .doc = "The PIDs of the datasets it generated, read back from the catalogue (record outputs with "
                   ":meth:`Catalog.add_outputs` or :meth:`ActivityRun.output`).",
            .arg = arg_at::none, .repr = {9, shown::count}},
        field<&Activity::created_by, text>{.name = "created_by", .doc = "Who recorded it.",
                                           .param = "who recorded it; the catalogue fills in the user when empty"},
    };
};

}  // namespace datatrail::python::records
