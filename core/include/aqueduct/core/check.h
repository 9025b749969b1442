// Assertion policy (three levels):
//  - AQ_CHECK: always on, for states that are impossible unless our code is wrong.
//  - AQ_DCHECK: debug builds only, for expensive invariants.
//  - anything caused by input, the cluster or the network is handled gracefully
//    and reported through Status; it never reaches these macros.
#pragma once

#include <cstdio>
#include <cstdlib>

#define AQ_CHECK(cond)                                                              \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)

#ifdef NDEBUG
#define AQ_DCHECK(cond) \
  do {                  \
  } while (0)
#else
#define AQ_DCHECK(cond) AQ_CHECK(cond)
#endif
