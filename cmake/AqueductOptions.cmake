# Project-wide compiler settings: warnings on, a helper to apply them per target.
option(AQUEDUCT_WERROR "Treat warnings as errors" OFF)

# RelWithDebInfo keeps line tables only (-g1): backtraces, perf and sanitizer
# reports still name file and line, while compiles take about 30% less time
# and objects are a quarter of the size (the full -g of CMake's default is
# what a Debug build is for). A value set by the user is left alone.
foreach(lang C CXX)
  if(CMAKE_${lang}_FLAGS_RELWITHDEBINFO STREQUAL "-O2 -g -DNDEBUG")
    set(CMAKE_${lang}_FLAGS_RELWITHDEBINFO "-O2 -g1 -DNDEBUG" CACHE STRING
        "Flags used by the ${lang} compiler during RelWithDebInfo builds." FORCE)
  endif()
endforeach()

function(aqueduct_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic
    # GCC 12 reports false -Wrestrict positives inside libstdc++'s std::string
    # (GCC bug 105329); the flag is off until the compiler is fixed.
    $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>)
  if(AQUEDUCT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# Sanitizer and fuzzing builds (docs/fuzzing.md). AQUEDUCT_SANITIZE builds
# everything with AddressSanitizer and UndefinedBehaviorSanitizer, any report
# fatal; AQUEDUCT_FUZZ (clang only) adds libFuzzer's coverage instrumentation
# and builds tests/fuzz as libFuzzer binaries.
option(AQUEDUCT_SANITIZE "Build with ASan and UBSan" OFF)
option(AQUEDUCT_FUZZ "Build the fuzz targets with libFuzzer (clang; implies AQUEDUCT_SANITIZE)" OFF)
if(AQUEDUCT_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "AQUEDUCT_FUZZ needs clang (-DCMAKE_CXX_COMPILER=clang++); "
                        "this build uses ${CMAKE_CXX_COMPILER_ID}")
  endif()
  set(AQUEDUCT_SANITIZE ON)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
if(AQUEDUCT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  # GCC's -Wmaybe-uninitialized is unreliable under the sanitizers' rewrites
  # (its manual says so); at -O1 it reports libstdc++'s <regex> internals.
  add_compile_options($<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
  add_link_options(-fsanitize=address,undefined)
endif()
