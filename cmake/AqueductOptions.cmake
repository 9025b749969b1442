# Project-wide compiler settings: warnings on, a helper to apply them per target.
option(AQUEDUCT_WERROR "Treat warnings as errors" OFF)

function(aqueduct_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic
    # GCC 12 reports false -Wrestrict positives inside libstdc++'s std::string
    # (GCC bug 105329); the flag is off until the compiler is fixed.
    $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>)
  if(AQUEDUCT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
