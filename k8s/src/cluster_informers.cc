#include "aqueduct/k8s/cluster_informers.h"

namespace aqueduct::k8s {

std::vector<std::string> all_runtime_kinds() {
  return {"AlluxioRuntime", "JuiceFSRuntime", "JindoRuntime", "ThinRuntime", "AqueductRuntime"};
}

core::Result<std::unique_ptr<ClusterInformers>> ClusterInformers::create(
    ApiClient& client, const std::vector<std::string>& runtime_kinds) {
  std::unique_ptr<ClusterInformers> c(new ClusterInformers());
  c->nodes_ = std::make_unique<Informer>(client, resources::nodes().collection());
  c->pods_ = std::make_unique<Informer>(client, resources::pods().collection());
  c->datasets_ = std::make_unique<Informer>(client, resources::datasets().collection());
  for (const auto& kind : runtime_kinds) {
    AQ_ASSIGN_OR_RETURN(ResourceType rt, resources::runtime(kind));
    c->runtimes_.emplace_back(kind, std::make_unique<Informer>(client, rt.collection()));
  }
  return c;
}

void ClusterInformers::start() {
  nodes_->start();
  pods_->start();
  datasets_->start();
  for (auto& [kind, r] : runtimes_) r->start();
}

void ClusterInformers::stop() {
  nodes_->stop();
  pods_->stop();
  datasets_->stop();
  for (auto& [kind, r] : runtimes_) r->stop();
}

bool ClusterInformers::wait_synced(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto left = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                 std::chrono::steady_clock::now());
  };
  bool ok =
      nodes_->wait_synced(left()) && pods_->wait_synced(left()) && datasets_->wait_synced(left());
  for (auto& [kind, r] : runtimes_) ok = ok && r->wait_synced(left());
  return ok;
}

SnapshotInput ClusterInformers::snapshot_input() const {
  SnapshotInput in;
  auto add = [](const Informer& inf, std::vector<Json>& out) {
    for (auto& [k, v] : inf.snapshot()) out.push_back(std::move(v));
  };
  add(*nodes_, in.nodes);
  add(*pods_, in.pods);
  // Objects from a list may carry no kind; the Fluid loader needs it.
  for (auto& [k, v] : datasets_->snapshot()) {
    v["kind"] = "Dataset";
    v["apiVersion"] = "data.fluid.io/v1alpha1";
    in.datasets.push_back(std::move(v));
  }
  for (const auto& [kind, r] : runtimes_) {
    for (auto& [k, v] : r->snapshot()) {
      v["kind"] = kind;
      v["apiVersion"] = "data.fluid.io/v1alpha1";
      in.runtimes.push_back(std::move(v));
    }
  }
  return in;
}

}  // namespace aqueduct::k8s
