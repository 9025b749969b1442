// Resource vectors for scheduling: what a node offers and a pod requests.
#pragma once

#include <cstdint>

namespace aqueduct::core {

struct Resources {
  std::int64_t cpu_milli = 0;     // millicores
  std::int64_t memory_bytes = 0;  // bytes
  std::int64_t gpu_milli = 0;     // thousandths of a GPU (GPU sharing: 460 = 0.46 GPU)
  std::int64_t pods = 0;          // pod slots

  Resources& operator+=(const Resources& o) {
    cpu_milli += o.cpu_milli;
    memory_bytes += o.memory_bytes;
    gpu_milli += o.gpu_milli;
    pods += o.pods;
    return *this;
  }
  Resources& operator-=(const Resources& o) {
    cpu_milli -= o.cpu_milli;
    memory_bytes -= o.memory_bytes;
    gpu_milli -= o.gpu_milli;
    pods -= o.pods;
    return *this;
  }
  // True when every component of `req` fits into this vector.
  bool fits(const Resources& req) const {
    return req.cpu_milli <= cpu_milli && req.memory_bytes <= memory_bytes &&
           req.gpu_milli <= gpu_milli && req.pods <= pods;
  }
  friend bool operator==(const Resources&, const Resources&) = default;
};

inline Resources operator+(Resources a, const Resources& b) { return a += b; }
inline Resources operator-(Resources a, const Resources& b) { return a -= b; }

}  // namespace aqueduct::core
