# Installs datatrail from a build tree into a fresh prefix, then uses it the two ways an
# outside project would and runs the result each time:
#   1. a CMake project (this directory) that calls find_package(datatrail);
#   2. a plain compiler command driven by pkg-config.
#
#   cmake -DBUILD_DIR=<datatrail build tree> -DPREFIX=<scratch install prefix>
#         -DSOURCE_DIR=<this directory> -P run_consumer.cmake
#
# Every step stops the script with FATAL_ERROR, so the test fails loudly.
cmake_minimum_required(VERSION 3.20)

foreach(arg BUILD_DIR PREFIX SOURCE_DIR)
  if(NOT DEFINED ${arg} OR "${${arg}}" STREQUAL "")
    message(FATAL_ERROR "run_consumer.cmake needs -D${arg}=...")
  endif()
endforeach()
foreach(arg BUILD_DIR PREFIX SOURCE_DIR)
  get_filename_component(${arg} "${${arg}}" ABSOLUTE)
endforeach()
if(NOT EXISTS "${BUILD_DIR}/CMakeCache.txt")
  message(FATAL_ERROR "${BUILD_DIR} is not a configured CMake build tree (no CMakeCache.txt)")
endif()
set(CONSUMER_BUILD "${BUILD_DIR}/consumer-build")

# Runs a command; on failure stops with its output. Sets <out_var> to its stdout.
function(run_step what out_var)
  execute_process(COMMAND ${ARGN}
    RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    string(REPLACE ";" " " cmdline "${ARGN}")
    message(FATAL_ERROR "consumer: ${what} failed (${result})\n"
      "command: ${cmdline}\n--- stdout ---\n${out}\n--- stderr ---\n${err}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

function(read_cache var out_var)
  file(STRINGS "${BUILD_DIR}/CMakeCache.txt" line REGEX "^${var}:[A-Z]+=" LIMIT_COUNT 1)
  string(REGEX REPLACE "^${var}:[A-Z]+=" "" value "${line}")
  set(${out_var} "${value}" PARENT_SCOPE)
endfunction()

# Build the consumer with the compiler and generator datatrail itself was built with.
read_cache(CMAKE_CXX_COMPILER cxx)
read_cache(CMAKE_GENERATOR generator)
read_cache(CMAKE_HOME_DIRECTORY top_source)
if(cxx STREQUAL "" OR generator STREQUAL "" OR top_source STREQUAL "")
  message(FATAL_ERROR "consumer: could not read compiler, generator and source dir from ${BUILD_DIR}/CMakeCache.txt")
endif()

# The expected version comes from the one place it is written, the top-level project() call.
file(READ "${top_source}/CMakeLists.txt" top_lists)
if(NOT top_lists MATCHES "project\\([ \t\r\n]*datatrail[ \t\r\n]+VERSION[ \t\r\n]+([0-9]+\\.[0-9]+\\.[0-9]+)")
  message(FATAL_ERROR "consumer: no `project(datatrail VERSION x.y.z` in ${top_source}/CMakeLists.txt")
endif()
set(version "${CMAKE_MATCH_1}")

# A stale prefix or consumer build from an earlier run must not make this pass.
file(REMOVE_RECURSE "${PREFIX}" "${CONSUMER_BUILD}")

run_step("install" out "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}")

# --- 1. find_package -----------------------------------------------------------------------
run_step("configuring the find_package consumer" out
  "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${CONSUMER_BUILD}" -G "${generator}"
  "-DCMAKE_CXX_COMPILER=${cxx}"
  -DCMAKE_BUILD_TYPE=Release
  "-DCMAKE_PREFIX_PATH=${PREFIX}"
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
  -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF
  "-DDATATRAIL_EXPECTED_VERSION=${version}")
# It must have found the fresh install, not a build tree or a copy installed elsewhere.
file(STRINGS "${CONSUMER_BUILD}/CMakeCache.txt" found_dir REGEX "^datatrail_DIR:" LIMIT_COUNT 1)
string(REGEX REPLACE "^datatrail_DIR:[A-Z]+=" "" found_dir "${found_dir}")
string(FIND "${found_dir}" "${PREFIX}/" at)
if(NOT at EQUAL 0)
  message(FATAL_ERROR "consumer: find_package found datatrail in '${found_dir}', not under ${PREFIX}")
endif()

run_step("building the find_package consumer" out
  "${CMAKE_COMMAND}" --build "${CONSUMER_BUILD}" --config Release)
set(exe "${CONSUMER_BUILD}/consumer")
if(NOT EXISTS "${exe}" AND EXISTS "${CONSUMER_BUILD}/Release/consumer")
  set(exe "${CONSUMER_BUILD}/Release/consumer")
endif()
run_step("running the find_package consumer" out "${exe}")
string(STRIP "${out}" out)
if(NOT out MATCHES "^consumer ok [^\n]+/[^\n]+$")
  message(FATAL_ERROR "consumer: the find_package consumer printed '${out}'")
endif()
message(STATUS "find_package: ${out}")

# --- 2. pkg-config -------------------------------------------------------------------------
find_program(PKG_CONFIG NAMES pkg-config pkgconf)
if(NOT PKG_CONFIG)
  message(FATAL_ERROR "consumer: pkg-config not found (scripts/install-deps.sh installs it)")
endif()
# lib/pkgconfig or lib/<multiarch>/pkgconfig, whichever GNUInstallDirs chose.
file(GLOB_RECURSE pc_files "${PREFIX}/*/datatrail.pc")
list(LENGTH pc_files n_pc)
if(NOT n_pc EQUAL 1)
  message(FATAL_ERROR "consumer: expected one datatrail.pc under ${PREFIX}, found ${n_pc}: ${pc_files}")
endif()
get_filename_component(pc_dir "${pc_files}" DIRECTORY)
set(ENV{PKG_CONFIG_PATH} "${pc_dir}")
# datatrail.pc finds its prefix from its own location (${pcfiledir}), so a package installed
# somewhere other than the configured prefix works as it is.
set(pkg_config "${PKG_CONFIG}")

run_step("pkg-config --modversion" pc_version ${pkg_config} --modversion datatrail)
string(STRIP "${pc_version}" pc_version)
if(NOT pc_version STREQUAL version)
  message(FATAL_ERROR "consumer: pkg-config says datatrail ${pc_version}, CMakeLists.txt says ${version}")
endif()

run_step("pkg-config --variable=libdir" libdir ${pkg_config} --variable=libdir datatrail)
string(STRIP "${libdir}" libdir)
# A static libdatatrail needs its private dependencies on the link line too.
file(GLOB shared_libs "${libdir}/libdatatrail.so*")
if(shared_libs)
  set(static_flag "")
else()
  set(static_flag --static)
endif()
run_step("pkg-config --cflags" cflags ${pkg_config} --cflags datatrail)
run_step("pkg-config --libs" libs ${pkg_config} --libs ${static_flag} datatrail)
separate_arguments(cflags UNIX_COMMAND "${cflags}")
separate_arguments(libs UNIX_COMMAND "${libs}")

set(pc_exe "${CONSUMER_BUILD}/consumer-pkgconfig")
run_step("compiling main.cpp with pkg-config's flags" out
  "${cxx}" -std=c++20 ${cflags}
  "-DDATATRAIL_CONSUMER_EXPECTED_VERSION=\"${version}\""
  "${SOURCE_DIR}/main.cpp" ${libs} "-Wl,-rpath,${libdir}" -o "${pc_exe}")
run_step("running the pkg-config consumer" out "${pc_exe}")
string(STRIP "${out}" out)
if(NOT out MATCHES "^consumer ok [^\n]+/[^\n]+$")
  message(FATAL_ERROR "consumer: the pkg-config consumer printed '${out}'")
endif()
message(STATUS "pkg-config: ${out}")
