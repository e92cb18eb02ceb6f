# The one rule for BPF objects compiled from C at build time (tests/bpf,
# tests/kernels/bpf, examples), so that every test exercises what clang
# really emits with the same flags:
#   ksr_bpf_object(OUT <var> SRC <name>.bpf.c DIR <output dir>
#                  [INCLUDES <dir>...] [DEPENDS <file>...])
# adds the command that builds <DIR>/<name>.bpf.o and sets <var> to that path.
include_guard(GLOBAL)
find_program(CLANG_BPF NAMES clang clang-14 REQUIRED)

function(ksr_bpf_object)
  cmake_parse_arguments(ARG "" "OUT;SRC;DIR" "INCLUDES;DEPENDS" ${ARGN})
  get_filename_component(name ${ARG_SRC} NAME_WE)
  set(obj ${ARG_DIR}/${name}.bpf.o)
  list(TRANSFORM ARG_INCLUDES PREPEND -I OUTPUT_VARIABLE include_flags)
  add_custom_command(OUTPUT ${obj}
    COMMAND ${CLANG_BPF} -target bpf -O2 -g -Wall -Werror
            ${include_flags} -I/usr/include/${CMAKE_LIBRARY_ARCHITECTURE}
            -c ${ARG_SRC} -o ${obj}
    DEPENDS ${ARG_SRC} ${ARG_DEPENDS} VERBATIM)
  set(${ARG_OUT} ${obj} PARENT_SCOPE)
endfunction()
