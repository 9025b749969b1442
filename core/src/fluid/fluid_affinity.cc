#include "aqueduct/core/fluid/fluid_affinity.h"

#include <algorithm>

#include "aqueduct/core/fluid/fluid_labels.h"

namespace aqueduct::core {
namespace {

NodeSelectorTerm label_true_term(const std::string& key) {
  NodeSelectorTerm t;
  t.match_expressions.push_back({key, SelectorOp::kIn, {"true"}});
  return t;
}

bool nonempty(const NodeSelectorTerm& t) { return !t.empty(); }

}  // namespace

std::set<std::string> TieredLocality::names() const {
  std::set<std::string> out(required.begin(), required.end());
  for (const auto& [n, w] : preferred) out.insert(n);
  return out;
}

std::set<std::string> required_dataset_names(const Pod& pod) {
  std::set<std::string> out;
  const std::string prefix = "fluid.io/dataset.", suffix = ".sched";
  for (const auto& [k, v] : pod.meta.labels) {
    if (v != "required" || k.size() <= prefix.size() + suffix.size()) continue;
    if (k.compare(0, prefix.size(), prefix) != 0) continue;
    if (k.compare(k.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
    out.insert(k.substr(prefix.size(), k.size() - prefix.size() - suffix.size()));
  }
  return out;
}

bool has_locality_affinity(const Pod& pod, const TieredLocality& tl) {
  auto names = tl.names();
  for (const auto& p : pod.node_affinity.preferred) {
    for (const auto& e : p.preference.match_expressions) {
      if (names.count(e.key)) return true;
    }
  }
  for (const auto& t : pod.node_affinity.required) {
    for (const auto& e : t.match_expressions) {
      if (names.count(e.key)) return true;
    }
  }
  return false;
}

void inject_required_terms(const std::vector<NodeSelectorTerm>& terms, Pod& pod) {
  if (terms.empty()) return;
  NodeAffinity& na = pod.node_affinity;
  if (!na.has_required || na.required.empty()) {
    na.has_required = true;
    na.required = terms;
    return;
  }
  bool existing_constraints = std::any_of(na.required.begin(), na.required.end(), nonempty);
  if (!existing_constraints) {
    std::vector<NodeSelectorTerm> filtered;
    for (const auto& t : terms) {
      if (nonempty(t)) filtered.push_back(t);
    }
    na.required = std::move(filtered);
    return;
  }
  std::vector<NodeSelectorTerm> combined;
  for (const auto& e : na.required) {
    if (!nonempty(e)) continue;
    for (const auto& n : terms) {
      if (!nonempty(n)) continue;
      NodeSelectorTerm c = e;
      c.match_expressions.insert(c.match_expressions.end(), n.match_expressions.begin(),
                                 n.match_expressions.end());
      c.match_fields.insert(c.match_fields.end(), n.match_fields.begin(), n.match_fields.end());
      combined.push_back(std::move(c));
    }
  }
  if (combined.empty()) return;
  na.required = std::move(combined);
}

void inject_preferred_terms(const std::vector<PreferredSchedulingTerm>& terms, Pod& pod) {
  pod.node_affinity.preferred.insert(pod.node_affinity.preferred.end(), terms.begin(), terms.end());
}

bool node_affinity_with_cache(Pod& pod, std::span<const MountedDataset> datasets,
                              const TieredLocality& tl) {
  bool any_runtime =
      std::any_of(datasets.begin(), datasets.end(), [](const auto& d) { return d.has_runtime; });
  if (!any_runtime) return false;
  if (has_locality_affinity(pod, tl)) return false;  // the user chose; do not inject
  auto required_names = required_dataset_names(pod);
  std::map<std::string, std::int32_t> pref_weight(tl.preferred.begin(), tl.preferred.end());
  std::vector<NodeSelectorTerm> required;
  std::vector<PreferredSchedulingTerm> preferred;
  for (const auto& d : datasets) {
    if (!d.has_runtime) continue;
    if (required_names.count(d.name)) {
      for (const auto& name : tl.required) {
        if (name == kNodeLocalityName) {
          required.push_back(label_true_term(dataset_label(d.ns, d.name)));
        } else if (name == kFuseLocalityName) {
          required.push_back(label_true_term(fuse_label(d.ns, d.name)));
        }
      }
      // Customized locality: each cache-affinity expression on a required name
      // becomes its own term (so the names are ORed).
      for (const auto& t : d.cache_affinity) {
        for (const auto& e : t.match_expressions) {
          if (std::find(tl.required.begin(), tl.required.end(), e.key) == tl.required.end())
            continue;
          NodeSelectorTerm nt;
          nt.match_expressions.push_back(e);
          required.push_back(std::move(nt));
        }
      }
    } else {
      if (auto it = pref_weight.find(kNodeLocalityName); it != pref_weight.end()) {
        preferred.push_back({it->second, label_true_term(dataset_label(d.ns, d.name))});
      }
      if (auto it = pref_weight.find(kFuseLocalityName); it != pref_weight.end()) {
        preferred.push_back({it->second, label_true_term(fuse_label(d.ns, d.name))});
      }
      for (const auto& t : d.cache_affinity) {
        for (const auto& e : t.match_expressions) {
          auto w = pref_weight.find(e.key);
          if (w == pref_weight.end()) continue;
          NodeSelectorTerm nt;
          nt.match_expressions.push_back(e);
          preferred.push_back({w->second, std::move(nt)});
        }
      }
    }
  }
  inject_required_terms(required, pod);
  inject_preferred_terms(preferred, pod);
  return !required.empty() || !preferred.empty();
}

bool prefer_nodes_without_cache(Pod& pod) {
  NodeSelectorTerm t;
  t.match_expressions.push_back({kDatasetNumLabel, SelectorOp::kDoesNotExist, {}});
  inject_preferred_terms({{100, t}}, pod);
  return true;
}

bool require_node_with_fuse(Pod& pod, std::span<const MountedDataset> datasets) {
  std::vector<NodeSelectorTerm> terms;
  for (const auto& d : datasets) {
    if (!d.has_runtime || d.fuse_node_selector.empty()) continue;
    NodeSelectorTerm t;
    for (const auto& [k, v] : d.fuse_node_selector)
      t.match_expressions.push_back({k, SelectorOp::kIn, {v}});
    terms.push_back(std::move(t));
  }
  inject_required_terms(terms, pod);
  return !terms.empty();
}

std::vector<NodeSelectorTerm> cache_affinity_from_nodes(std::span<const Node* const> worker_nodes,
                                                        const std::vector<std::string>& keys) {
  std::vector<NodeSelectorTerm> out;
  NodeSelectorTerm term;
  for (const auto& key : keys) {
    std::set<std::string> values;
    for (const Node* n : worker_nodes) {
      auto it = n->meta.labels.find(key);
      if (it != n->meta.labels.end()) values.insert(it->second);
    }
    if (values.empty()) continue;
    term.match_expressions.push_back({key, SelectorOp::kIn, {values.begin(), values.end()}});
  }
  if (!term.empty()) out.push_back(std::move(term));
  return out;
}

}  // namespace aqueduct::core
