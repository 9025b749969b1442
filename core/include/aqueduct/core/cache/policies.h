// Every built-in eviction policy, one class each; the algorithm and how ours
// differs are cited in each policy's own header under cache/policy/.
#pragma once

#include "aqueduct/core/cache/policy/arc_policy.h"
#include "aqueduct/core/cache/policy/belady_policy.h"
#include "aqueduct/core/cache/policy/clock_policy.h"
#include "aqueduct/core/cache/policy/fifo_policy.h"
#include "aqueduct/core/cache/policy/keep_policy.h"
#include "aqueduct/core/cache/policy/lfu_policy.h"
#include "aqueduct/core/cache/policy/lru_policy.h"
#include "aqueduct/core/cache/policy/s3fifo_policy.h"
#include "aqueduct/core/cache/policy/sieve_policy.h"
#include "aqueduct/core/cache/policy/two_q_policy.h"
