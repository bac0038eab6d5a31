# The setup and cleanup steps of ctest's `postgres` fixture (see CMakeLists.txt here):
#   cmake -DACTION=start|stop -DSERVER_SCRIPT=<scripts/pg-test-server.sh> -DDIR=<state dir> -P postgres_fixture.cmake
# A server named by DATATRAIL_TEST_POSTGRES belongs to whoever set it: left alone.
cmake_minimum_required(VERSION 3.20)

foreach(arg ACTION SERVER_SCRIPT DIR)
  if(NOT DEFINED ${arg} OR "${${arg}}" STREQUAL "")
    message(FATAL_ERROR "postgres_fixture.cmake needs -D${arg}=...")
  endif()
endforeach()

if(NOT "$ENV{DATATRAIL_TEST_POSTGRES}" STREQUAL "")
  message(STATUS "postgres fixture: DATATRAIL_TEST_POSTGRES names the server; nothing to ${ACTION}")
  return()
endif()

find_program(BASH bash REQUIRED)
execute_process(COMMAND "${BASH}" "${SERVER_SCRIPT}" "${ACTION}" "${DIR}"
  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "postgres fixture: `pg-test-server.sh ${ACTION} ${DIR}` failed (${result})\n${out}${err}")
endif()
message(STATUS "postgres fixture: ${ACTION} ${DIR} ${out}")
