// Registry<T, Args...>: name -> factory for policies of type T. A registry is a
// plain value built by an explicit function (builtin_eviction_policies(),
// builtin_schedulers(), ...) and extended by callers; there is no global
// registration. Factories get their dependencies as arguments and may refuse
// with a Status (bad arguments), which create() passes on.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aqueduct/core/status.h"
#include "aqueduct/core/text/suggest.h"

namespace aqueduct::core {

template <typename T, typename... Args>
class Registry {
 public:
  using Factory = std::function<Result<std::unique_ptr<T>>(Args...)>;

  // `kind` names what the registry holds in error messages ("eviction policy").
  explicit Registry(std::string kind) : kind_(std::move(kind)) {}

  // Adds or replaces an entry.
  void add(std::string name, std::string description, Factory factory) {
    entries_[std::move(name)] = Entry{std::move(description), std::move(factory)};
  }
  // Adds a factory that default-constructs `Impl` from the arguments.
  template <typename Impl>
  void add_type(std::string name, std::string description) {
    add(std::move(name), std::move(description), [](Args... args) -> Result<std::unique_ptr<T>> {
      return std::unique_ptr<T>(new Impl(args...));
    });
  }

  bool contains(std::string_view name) const { return entries_.find(name) != entries_.end(); }

  Result<std::unique_ptr<T>> create(std::string_view name, Args... args) const {
    auto it = entries_.find(name);
    if (it == entries_.end()) {
      return invalid_argument("unknown " + kind_ + " \"" + std::string(name) +
                              "\": expected one of " + joined_names() +
                              did_you_mean(name, names()));
    }
    auto made = it->second.factory(args...);
    if (!made.ok()) return made.status().with_context(kind_ + " \"" + std::string(name) + "\"");
    return made;
  }

  std::vector<std::string> names() const {  // sorted
    std::vector<std::string> out;
    for (const auto& [n, e] : entries_) out.push_back(n);
    return out;
  }
  std::string description(std::string_view name) const {
    auto it = entries_.find(name);
    return it == entries_.end() ? std::string() : it->second.description;
  }
  std::string joined_names() const {
    std::string out;
    for (const auto& [n, e] : entries_) out += (out.empty() ? "" : ", ") + n;
    return out;
  }

 private:
  struct Entry {
    std::string description;
    Factory factory;
  };
  std::string kind_;
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace aqueduct::core
