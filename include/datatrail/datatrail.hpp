#pragma once
// Everything public, for those who want one include.
#include <datatrail/catalog.hpp>
#include <datatrail/datafile.hpp>
#include <datatrail/dataset.hpp>
#include <datatrail/error.hpp>
#include <datatrail/instrument.hpp>
#include <datatrail/investigation.hpp>
#include <datatrail/metadata.hpp>
#include <datatrail/pid.hpp>
#include <datatrail/query.hpp>
#include <datatrail/sample.hpp>
#include <datatrail/time.hpp>
#include <datatrail/units.hpp>
#include <datatrail/version.hpp>
