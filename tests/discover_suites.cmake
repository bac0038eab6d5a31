# Registers one ctest test per doctest test case of EXECUTABLE, leaving out the doctest suites
# in EXCLUDE (comma-separated), each named PREFIX + its name and given the ctest PROPERTIES.
# Run after every build of the test binary (tests/CMakeLists.txt), so the list follows the code.
# doctest's own discovery filters by test-case name only; the engine passes need to filter by
# suite.
execute_process(
  COMMAND "${EXECUTABLE}" --list-test-cases "--test-suite-exclude=${EXCLUDE}" --no-version
  OUTPUT_VARIABLE listing
  RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "listing the test cases of ${EXECUTABLE} failed (${status}):\n${listing}")
endif()
string(REPLACE "\n" ";" lines "${listing}")
set(script "")
foreach(line IN LISTS lines)
  if(line STREQUAL "" OR line MATCHES "^\\[doctest\\]" OR line MATCHES "^=+$")
    continue()
  endif()
  # A comma in a test-case filter separates filters: escape it. The name goes into the script
  # in a bracket argument, which takes any text as it is.
  string(REPLACE "," "\\," filter "${line}")
  string(APPEND script "add_test([==[${PREFIX}${line}]==] \"${EXECUTABLE}\" [==[--test-case=${filter}]==])\n")
  string(APPEND script "set_tests_properties([==[${PREFIX}${line}]==] PROPERTIES ${PROPERTIES})\n")
endforeach()
file(WRITE "${OUTPUT}" "${script}")
