#include "aqueduct/k8s/json_patch.h"

namespace aqueduct::k8s {
namespace {

using Json = core::Json;

void diff_into(const Json& from, const Json& to, const std::string& path, Json& ops) {
  if (from.type() != to.type()) {
    ops.push_back({{"op", "replace"}, {"path", path}, {"value", to}});
    return;
  }
  if (from.is_object()) {
    for (const auto& [k, v] : from.items()) {
      const std::string p = path + "/" + json_pointer_escape(k);
      auto it = to.find(k);
      if (it == to.end()) {
        ops.push_back({{"op", "remove"}, {"path", p}});
      } else if (*it != v) {
        diff_into(v, *it, p, ops);
      }
    }
    for (const auto& [k, v] : to.items()) {
      if (!from.contains(k)) {
        ops.push_back({{"op", "add"}, {"path", path + "/" + json_pointer_escape(k)}, {"value", v}});
      }
    }
    return;
  }
  if (from.is_array()) {
    const std::size_t n = from.size(), m = to.size();
    std::size_t prefix = 0;
    while (prefix < n && prefix < m && from[prefix] == to[prefix]) ++prefix;
    std::size_t suffix = 0;
    while (suffix < n - prefix && suffix < m - prefix &&
           from[n - 1 - suffix] == to[m - 1 - suffix]) {
      ++suffix;
    }
    // The middle: from[prefix, n - suffix) becomes to[prefix, m - suffix).
    // Elements are paired either from the start of the middle (extra ones
    // added/removed at its end) or from its end (extra ones at its start),
    // whichever pairs more alike elements (equal, or objects of the same name).
    const std::size_t old_mid = n - prefix - suffix, new_mid = m - prefix - suffix;
    const std::size_t common = std::min(old_mid, new_mid),
                      extra = std::max(old_mid, new_mid) - common;
    auto alike = [](const Json& a, const Json& b) {
      if (a == b) return 2;
      if (a.is_object() && b.is_object() && a.contains("name") && b.contains("name") &&
          a["name"] == b["name"]) {
        return 1;
      }
      return 0;
    };
    int head_score = 0, tail_score = 0;
    for (std::size_t i = 0; i < common; ++i) {
      const std::size_t oi = prefix + i, ni = prefix + i;
      head_score += alike(from[oi], to[ni]);
      tail_score +=
          old_mid > new_mid ? alike(from[oi + extra], to[ni]) : alike(from[oi], to[ni + extra]);
    }
    const bool at_start = tail_score > head_score;  // extra elements sit at the start
    if (old_mid > new_mid) {
      for (std::size_t i = 0; i < extra; ++i) {
        const std::size_t idx = at_start ? prefix : prefix + old_mid - 1 - i;
        ops.push_back({{"op", "remove"}, {"path", path + "/" + std::to_string(idx)}});
      }
      for (std::size_t i = 0; i < common; ++i) {
        diff_into(from[prefix + i + (at_start ? extra : 0)], to[prefix + i],
                  path + "/" + std::to_string(prefix + i), ops);
      }
    } else {
      if (at_start) {
        for (std::size_t i = 0; i < extra; ++i) {
          ops.push_back({{"op", "add"},
                         {"path", path + "/" + std::to_string(prefix + i)},
                         {"value", to[prefix + i]}});
        }
      }
      const std::size_t shift = at_start ? extra : 0;
      for (std::size_t i = 0; i < common; ++i) {
        diff_into(from[prefix + i], to[prefix + shift + i],
                  path + "/" + std::to_string(prefix + shift + i), ops);
      }
      if (!at_start) {
        for (std::size_t i = common; i < new_mid; ++i) {
          ops.push_back({{"op", "add"},
                         {"path", path + "/" + std::to_string(prefix + i)},
                         {"value", to[prefix + i]}});
        }
      }
    }
    return;
  }
  if (from != to) ops.push_back({{"op", "replace"}, {"path", path}, {"value", to}});
}

}  // namespace

std::string json_pointer_escape(const std::string& token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

core::Json json_patch_diff(const core::Json& from, const core::Json& to) {
  Json ops = Json::array();
  if (from != to) diff_into(from, to, "", ops);
  return ops;
}

}  // namespace aqueduct::k8s
