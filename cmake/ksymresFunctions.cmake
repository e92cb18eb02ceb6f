# ksymres_resolve(<target> OBJECTS obj... PROFILES profile... OUTPUT_DIRECTORY dir
#                 [CHECK_ONLY] [KCONFIG BAKE])
#
# For every object x profile pair, a custom command that runs `ksymres check`
# (the gate: the build fails with the check's table when the object cannot
# run on that kernel) and then `ksymres resolve`, writing
# <dir>/<profile name>/<object file name>; with CHECK_ONLY it writes the
# check's table to <dir>/<profile name>/<object file name>.check instead.
# Each command depends on its object, its profile and the ksymres binary
# only, so touching one profile re-runs that profile's commands alone.
# <target> (built by default) depends on every output; its property
# KSYMRES_OUTPUTS lists them. Relative paths are taken from
# CMAKE_CURRENT_SOURCE_DIR: name generated objects by absolute path.
# KCONFIG BAKE passes --kconfig=bake to resolve.

set(_KSYMRES_RUN_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/ksymresRun.cmake")

function(ksymres_resolve target)
  cmake_parse_arguments(PARSE_ARGV 1 KSR "CHECK_ONLY" "OUTPUT_DIRECTORY;KCONFIG" "OBJECTS;PROFILES")
  if(KSR_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "ksymres_resolve: unknown arguments: ${KSR_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT KSR_OBJECTS OR NOT KSR_PROFILES OR NOT KSR_OUTPUT_DIRECTORY)
    message(FATAL_ERROR "ksymres_resolve: OBJECTS, PROFILES and OUTPUT_DIRECTORY are required")
  endif()
  if(KSR_KCONFIG AND NOT KSR_KCONFIG STREQUAL "BAKE")
    message(FATAL_ERROR "ksymres_resolve: KCONFIG takes BAKE, not '${KSR_KCONFIG}'")
  endif()
  if(NOT TARGET ksymres::cli)
    message(FATAL_ERROR "ksymres_resolve: the ksymres::cli target is missing (find_package(ksymres CONFIG))")
  endif()
  get_filename_component(dir "${KSR_OUTPUT_DIRECTORY}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  set(mode resolve)
  if(KSR_CHECK_ONLY)
    set(mode check)
  endif()
  set(outputs "")
  set(seen_profiles "")
  foreach(p IN LISTS KSR_PROFILES)
    get_filename_component(pabs "${p}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    get_filename_component(pname "${p}" NAME_WLE)
    if(pname IN_LIST seen_profiles)
      message(FATAL_ERROR "ksymres_resolve: two profiles named '${pname}': their outputs would collide")
    endif()
    list(APPEND seen_profiles "${pname}")
    foreach(o IN LISTS KSR_OBJECTS)
      get_filename_component(oabs "${o}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
      get_filename_component(oname "${o}" NAME)
      set(out "${dir}/${pname}/${oname}")
      if(KSR_CHECK_ONLY)
        string(APPEND out ".check")
      endif()
      add_custom_command(OUTPUT "${out}"
        COMMAND "${CMAKE_COMMAND}" "-DKSYMRES=$<TARGET_FILE:ksymres::cli>" "-DMODE=${mode}"
                "-DOBJECT=${oabs}" "-DPROFILE=${pabs}" "-DOUTPUT=${out}" "-DKCONFIG=${KSR_KCONFIG}"
                -P "${_KSYMRES_RUN_SCRIPT}"
        DEPENDS "${oabs}" "${pabs}" ksymres::cli "${_KSYMRES_RUN_SCRIPT}"
        COMMENT "ksymres ${mode} ${oname} for ${pname}"
        VERBATIM)
      list(APPEND outputs "${out}")
    endforeach()
  endforeach()
  add_custom_target(${target} ALL DEPENDS ${outputs})
  set_target_properties(${target} PROPERTIES KSYMRES_OUTPUTS "${outputs}")
endfunction()
