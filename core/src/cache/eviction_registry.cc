#include "aqueduct/core/cache/eviction_policy.h"
#include "aqueduct/core/cache/fifo_policy.h"
#include "aqueduct/core/cache/lru_policy.h"

namespace aqueduct::core {

void EvictionRegistry::add(std::string name, std::string description, Factory f) {
  entries_[std::move(name)] = Entry{std::move(description), std::move(f)};
}

Result<std::unique_ptr<EvictionPolicy>> EvictionRegistry::create(std::string_view name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    std::string known;
    for (const auto& [n, e] : entries_) known += (known.empty() ? "" : ", ") + n;
    return invalid_argument("unknown eviction policy \"" + std::string(name) +
                            "\": expected one of " + known);
  }
  return it->second.factory();
}

std::vector<std::string> EvictionRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [n, e] : entries_) out.push_back(n);
  return out;
}

std::string EvictionRegistry::description(std::string_view name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? "" : it->second.description;
}

EvictionRegistry builtin_eviction_policies() {
  EvictionRegistry r;
  r.add("lru", "least recently used", [] { return std::make_unique<LruPolicy>(); });
  r.add("fifo", "first in, first out", [] { return std::make_unique<FifoPolicy>(); });
  return r;
}

}  // namespace aqueduct::core
