// An in-memory ClusterView for policy tests, and builders for nodes and pods
// that keep table rows to one line.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "aqueduct/core/ports.h"

namespace aqueduct::testing {

class NodeBuilder {
 public:
  explicit NodeBuilder(std::string name) {
    n_.meta.name = std::move(name);
    n_.meta.namespace_ = "";
    n_.allocatable.pods = 110;
  }
  NodeBuilder& cpu(double cores) {
    n_.allocatable.cpu_milli = static_cast<std::int64_t>(cores * 1000);
    return *this;
  }
  NodeBuilder& mem_gi(std::int64_t gi) {
    n_.allocatable.memory_bytes = gi << 30;
    return *this;
  }
  NodeBuilder& gpu(std::int64_t g) {
    n_.allocatable.gpu_milli = g * 1000;
    return *this;
  }
  NodeBuilder& label(const std::string& k, const std::string& v) {
    n_.meta.labels[k] = v;
    return *this;
  }
  NodeBuilder& arch(core::Arch a) {
    n_.arch = a;
    return *this;
  }
  NodeBuilder& taint(const std::string& k, core::TaintEffect e, const std::string& v = "") {
    n_.taints.push_back({k, v, e});
    return *this;
  }
  NodeBuilder& zone(const std::string& z) {
    n_.zone = z;
    n_.meta.labels["topology.kubernetes.io/zone"] = z;
    return *this;
  }
  NodeBuilder& region(const std::string& r) {
    n_.region = r;
    n_.meta.labels["topology.kubernetes.io/region"] = r;
    return *this;
  }
  NodeBuilder& price(double p) {
    n_.price_per_hour = p;
    return *this;
  }
  core::Node build() const { return n_; }

 private:
  core::Node n_;
};

class PodBuilder {
 public:
  explicit PodBuilder(std::string name) {
    p_.meta.name = std::move(name);
    p_.containers.emplace_back();
    p_.containers[0].name = "main";
  }
  PodBuilder& cpu(double cores) {
    p_.containers[0].requests.cpu_milli = static_cast<std::int64_t>(cores * 1000);
    return *this;
  }
  PodBuilder& mem_gi(std::int64_t gi) {
    p_.containers[0].requests.memory_bytes = gi << 30;
    return *this;
  }
  PodBuilder& gpu(std::int64_t g) {
    p_.containers[0].requests.gpu_milli = g * 1000;
    return *this;
  }
  PodBuilder& selector(const std::string& k, const std::string& v) {
    p_.node_selector[k] = v;
    return *this;
  }
  PodBuilder& tolerate(const std::string& k) {
    p_.tolerations.push_back({k, "Exists", "", "", -1});
    return *this;
  }
  PodBuilder& toleration(core::Toleration t) {
    p_.tolerations.push_back(std::move(t));
    return *this;
  }
  PodBuilder& arches(std::vector<core::Arch> a) {
    p_.image_arches = std::move(a);
    return *this;
  }
  PodBuilder& label(const std::string& k, const std::string& v) {
    p_.meta.labels[k] = v;
    return *this;
  }
  PodBuilder& claim(const std::string& dataset) {
    core::Volume v;
    v.name = dataset + "-vol";
    v.pvc_claim_name = dataset;
    p_.volumes.push_back(v);
    return *this;
  }
  PodBuilder& require(std::vector<core::NodeSelectorTerm> terms) {
    p_.node_affinity.has_required = true;
    p_.node_affinity.required = std::move(terms);
    return *this;
  }
  PodBuilder& prefer(std::int32_t w, core::NodeSelectorTerm t) {
    p_.node_affinity.preferred.push_back({w, std::move(t)});
    return *this;
  }
  core::Pod build() const { return p_; }

 private:
  core::Pod p_;
};

class FakeClusterView : public core::ClusterView {
 public:
  // Nodes must be added in name order (the view's contract).
  void add_node(core::Node n, core::Resources requested = {}) {
    nodes_.push_back(std::move(n));
    requested_.push_back(requested);
    on_node_.emplace_back();
    rebuild();
  }
  // A pod already running on node `node` (its requests, labels and terms count).
  void add_bound_pod(std::size_t node, core::Pod p) {
    p.node_name = nodes_[node].meta.name;
    requested_[node] += p.requests();
    bound_.push_back(std::move(p));
    on_node_[node].push_back(&bound_.back());
    rebuild();
  }
  void set_io(std::size_t node, double u) { infos_[node].io_utilization = u; }
  void add_dataset(const std::string& name) {
    core::Dataset d;
    d.meta.name = name;
    datasets_.push_back(d);
  }
  // `bytes` of dataset default/<name> cached by a worker on `node`.
  void cache(const std::string& dataset, const std::string& node, std::int64_t bytes) {
    std::string key = "default/" + dataset;
    for (auto& c : cache_) {
      if (c.dataset == key) {
        c.workers.push_back({node, bytes, bytes, bytes});
        return;
      }
    }
    core::CacheState c;
    c.dataset = key;
    c.workers.push_back({node, bytes, bytes, bytes});
    cache_.push_back(c);
  }

  std::span<const core::NodeInfo> nodes() const override { return infos_; }
  std::span<const core::Pod* const> pending_pods() const override { return {}; }
  std::span<const core::Dataset> datasets() const override { return datasets_; }
  std::span<const core::Runtime> runtimes() const override { return {}; }
  std::span<const core::CacheState> cache_states() const override { return cache_; }

 private:
  std::deque<core::Node> nodes_;  // stable addresses
  std::vector<core::Resources> requested_;
  std::vector<core::NodeInfo> infos_;
  std::deque<core::Pod> bound_;
  std::vector<std::vector<const core::Pod*>> on_node_;
  void rebuild() {
    std::vector<double> io;
    for (const auto& i : infos_) io.push_back(i.io_utilization);
    infos_.clear();
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      core::NodeInfo info{&nodes_[i], requested_[i], 0, i < io.size() ? io[i] : 0.0, {}};
      info.pod_count = static_cast<std::int32_t>(on_node_[i].size());
      info.pods = on_node_[i];
      infos_.push_back(std::move(info));
    }
  }
  std::vector<core::Dataset> datasets_;
  std::vector<core::CacheState> cache_;
};

inline core::NodeSelectorRequirement req(const std::string& key, core::SelectorOp op,
                                         std::vector<std::string> values = {}) {
  return core::NodeSelectorRequirement{key, op, std::move(values)};
}
inline core::NodeSelectorTerm term(std::vector<core::NodeSelectorRequirement> exprs) {
  core::NodeSelectorTerm t;
  t.match_expressions = std::move(exprs);
  return t;
}

}  // namespace aqueduct::testing
