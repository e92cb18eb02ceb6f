# Warnings as errors and hardened code generation, each flag probed so the
# build works with Debian 12's gcc 12 and clang 14.
include(CheckCCompilerFlag)

set(KSR_WARN -Wall -Wextra -Werror -Wshadow -Wvla -Wformat=2 -Wformat-security
    -Wstrict-prototypes -Wmissing-prototypes -Wimplicit-fallthrough -Wno-unused-parameter)
set(KSR_HARDEN "")
set(KSR_HARDEN_LINK "")

foreach(f -fstack-protector-strong -fstack-clash-protection -fcf-protection=full -fno-strict-overflow)
  string(MAKE_C_IDENTIFIER "HAVE${f}" v)
  check_c_compiler_flag(${f} ${v})
  if(${v})
    list(APPEND KSR_HARDEN ${f})
  endif()
endforeach()

if(KSYMRES_SANITIZE OR NOT KSYMRES_FUZZ STREQUAL "OFF")
  # Sanitizer builds: no _FORTIFY_SOURCE; abort on the first UB; alignment on.
  set(KSR_SAN -fsanitize=address,undefined -fsanitize=alignment -fno-sanitize-recover=all
      -fno-omit-frame-pointer)
  add_compile_options(${KSR_SAN} -U_FORTIFY_SOURCE)
  add_link_options(-fsanitize=address,undefined)
  if(KSYMRES_FUZZ STREQUAL "libfuzzer")
    # coverage instrumentation for libFuzzer everywhere; only the fuzz
    # targets link the engine (fuzz/CMakeLists.txt)
    add_compile_options(-fsanitize=fuzzer-no-link)
  endif()
else()
  check_c_compiler_flag("-D_FORTIFY_SOURCE=3 -O2" HAVE_FORTIFY3)
  if(HAVE_FORTIFY3 AND NOT CMAKE_BUILD_TYPE STREQUAL "Debug")
    list(APPEND KSR_HARDEN -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3)
  endif()
endif()

set(CMAKE_POSITION_INDEPENDENT_CODE ON)
include(CheckPIESupported)
check_pie_supported()
list(APPEND KSR_HARDEN_LINK -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack)

function(ksr_harden target)
  target_compile_options(${target} PRIVATE ${KSR_WARN} ${KSR_HARDEN})
endfunction()

function(ksr_harden_link target)
  target_link_options(${target} PRIVATE ${KSR_HARDEN_LINK})
endfunction()
