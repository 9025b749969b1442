// An in-memory ClusterView for policy tests, and builders for nodes and pods.
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
  NodeBuilder& taint(const std::string& k, core::TaintEffect e) {
    n_.taints.push_back({k, "", e});
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
  PodBuilder& arches(std::vector<core::Arch> a) {
    p_.image_arches = std::move(a);
    return *this;
  }
  core::Pod build() const { return p_; }

 private:
  core::Pod p_;
};

class FakeClusterView : public core::ClusterView {
 public:
  void add_node(core::Node n, core::Resources requested = {}) {
    nodes_.push_back(std::move(n));
    requested_.push_back(requested);
    infos_.clear();
    for (std::size_t i = 0; i < nodes_.size(); ++i)
      infos_.push_back({&nodes_[i], requested_[i], 0});
  }
  std::span<const core::NodeInfo> nodes() const override { return infos_; }
  std::span<const core::Pod* const> pending_pods() const override { return {}; }
  std::span<const core::Dataset> datasets() const override { return {}; }
  std::span<const core::Runtime> runtimes() const override { return {}; }
  std::span<const core::CacheState> cache_states() const override { return {}; }

 private:
  std::deque<core::Node> nodes_;  // stable addresses
  std::vector<core::Resources> requested_;
  std::vector<core::NodeInfo> infos_;
};

}  // namespace aqueduct::testing
