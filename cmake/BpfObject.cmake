# The one rule for BPF objects compiled from C at build time (tests/bpf,
# tests/kernels/bpf, examples), so that every test exercises what clang
# really emits, with the same flags everywhere:
#   ksr_bpf_objects(<target> DIR <output dir> SOURCES <name>.bpf.c...
#                   [INCLUDES <dir>...] [DEPENDS <file>...])
# builds <DIR>/<name>.bpf.o from each source under the custom target
# <target>, which is part of ALL.
include_guard(GLOBAL)
find_program(CLANG_BPF NAMES clang clang-14 REQUIRED)

function(ksr_bpf_objects target)
  cmake_parse_arguments(ARG "" "DIR" "SOURCES;INCLUDES;DEPENDS" ${ARGN})
  list(TRANSFORM ARG_INCLUDES PREPEND -I OUTPUT_VARIABLE include_flags)
  file(MAKE_DIRECTORY ${ARG_DIR})
  set(objects "")
  foreach(src ${ARG_SOURCES})
    get_filename_component(name ${src} NAME_WE)
    set(obj ${ARG_DIR}/${name}.bpf.o)
    add_custom_command(OUTPUT ${obj}
      COMMAND ${CLANG_BPF} -target bpf -O2 -g -Wall -Werror
              ${include_flags} -I/usr/include/${CMAKE_LIBRARY_ARCHITECTURE}
              -c ${src} -o ${obj}
      DEPENDS ${src} ${ARG_DEPENDS} VERBATIM)
    list(APPEND objects ${obj})
  endforeach()
  add_custom_target(${target} ALL DEPENDS ${objects})
endfunction()
