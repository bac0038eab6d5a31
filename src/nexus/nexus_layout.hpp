#pragma once
// The raw file's layout, shared by write_raw_file and the frame stack (nexus_stream.hpp), so a
// streamed master file has the same NXroot/NXentry/NXinstrument/NXsample ... as a whole file.
#include "nexus/hdf5.hpp"

#include <datatrail/time.hpp>

#include <filesystem>
#include <functional>
#include <string>

namespace datatrail {
class Catalog;
}

namespace datatrail::nexus {

// A time as NeXus files carry it: ISO 8601 with an offset ("+00:00", which every ISO parser
// reads, where "Z" is not read by all).
std::string iso_time(Timestamp t);

// Writes the raw layout of `dataset_pid` into the open file at `root`: root attributes (with
// `final_path`'s name as file_name), /entry with the catalogue's records and metadata, the NXdata
// group /entry/data, whose contents `write_data` makes (the signal, @signal, @axes), and the
// @default chain. The dataset's record in the file (/entry/catalog_record) says `complete`: a
// streamed file appears under its name only once it is. The records are read before anything is written: an unknown PID is NotFound, a
// dataset that is not raw a ValidationError naming dataset_pid.
void write_raw_layout(const h5::Location& root, const std::filesystem::path& final_path, const Catalog& catalog,
                      const std::string& dataset_pid, const std::function<void(const h5::Location& nxdata)>& write_data);

}  // namespace datatrail::nexus
