# One pair of ksymres_resolve() (ksymresFunctions.cmake), run with cmake -P:
# the check gate, then the resolve (MODE resolve) or the check's table as
# the output (MODE check). Outputs appear whole or not at all: resolve
# writes through a temporary file itself; the table is written here the same way.
execute_process(COMMAND "${KSYMRES}" check "${OBJECT}" -p "${PROFILE}"
                OUTPUT_VARIABLE table ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "ksymres: ${OBJECT} cannot run on ${PROFILE} (exit ${rc}):\n${table}${err}")
endif()
get_filename_component(dir "${OUTPUT}" DIRECTORY)
file(MAKE_DIRECTORY "${dir}")
if(MODE STREQUAL "check")
  file(WRITE "${OUTPUT}.tmp" "${table}")
  file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
  return()
endif()
set(extra "")
if(KCONFIG STREQUAL "BAKE")
  set(extra --kconfig=bake)
endif()
execute_process(COMMAND "${KSYMRES}" resolve "${OBJECT}" -p "${PROFILE}" -o "${OUTPUT}" ${extra}
                OUTPUT_VARIABLE report ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "ksymres: resolving ${OBJECT} for ${PROFILE} failed (exit ${rc}):\n${report}${err}")
endif()
