#include "aqueduct/k8s/live_dataset_resolver.h"

#include <iostream>

#include "aqueduct/k8s/controller_support.h"
#include "aqueduct/runtime_adapters/fuse_templates.h"

namespace aqueduct::k8s {

LiveDatasetResolver::LiveDatasetResolver(ApiClient& client,
                                         const std::vector<std::string>& runtime_kinds)
    : log_(client.log()) {
  datasets_ = std::make_unique<Informer>(client, resources::datasets().collection());
  auto mark = [this](ChangeType, const Json&, const Json*) { dirty_ = true; };
  datasets_->add_handler(mark);
  for (const auto& kind : runtime_kinds) {
    if (auto rt = resources::runtime(kind); rt.ok()) {
      runtimes_.emplace_back(kind, std::make_unique<Informer>(client, rt->collection()));
      runtimes_.back().second->add_handler(mark);
    }
    if (kind == "ThinRuntime") {
      profiles_ =
          std::make_unique<Informer>(client, resources::thin_runtime_profiles().collection());
      profiles_->add_handler(mark);
    }
  }
}

LiveDatasetResolver::~LiveDatasetResolver() { stop(); }

void LiveDatasetResolver::start() {
  datasets_->start();
  if (profiles_) profiles_->start();
  for (auto& [k, i] : runtimes_) i->start();
}

void LiveDatasetResolver::stop() {
  datasets_->stop();
  if (profiles_) profiles_->stop();
  for (auto& [k, i] : runtimes_) i->stop();
}

bool LiveDatasetResolver::wait_synced(std::chrono::milliseconds timeout) {
  bool ok = datasets_->wait_synced(timeout);
  if (profiles_) ok = ok && profiles_->wait_synced(timeout);
  for (auto& [k, i] : runtimes_) ok = ok && i->wait_synced(timeout);
  return ok;
}

std::shared_ptr<const core::DatasetResolver> LiveDatasetResolver::current() {
  std::lock_guard<std::mutex> lock(mu_);
  if (resolver_ && !dirty_) return resolver_;
  dirty_ = false;
  core::FluidObjects all;
  if (profiles_) {
    // Each profile on its own, so one bad profile leaves out only itself.
    for (const auto& [key, p] : profiles_->snapshot()) {
      auto objs = load_fluid_objects({{p, "ThinRuntimeProfile"}}, "ThinRuntimeProfile " + key);
      if (!objs.ok()) {
        log_.warn("leaving out ThinRuntimeProfile " + key + ": " + objs.status().message());
        continue;
      }
      all.append(std::move(*objs));
    }
  }
  for (const auto& [key, ds] : datasets_->snapshot()) {
    std::vector<std::pair<Json, std::string>> docs = {{ds, "Dataset"}};
    for (const auto& [kind, inf] : runtimes_) {
      if (auto rt = inf->get(key)) docs.emplace_back(*rt, kind);
    }
    auto objs = load_fluid_objects(docs, "Dataset " + key);
    if (!objs.ok()) {
      log_.warn("leaving out Dataset " + key + ": " + objs.status().message());
      continue;
    }
    all.append(std::move(*objs));
  }
  resolver_ =
      std::make_shared<const core::DatasetResolver>(runtime_adapters::static_dataset_resolver(all));
  return resolver_;
}

core::DatasetResolver LiveDatasetResolver::resolver() {
  return [this](std::string_view ns, std::string_view claim) { return (*current())(ns, claim); };
}

}  // namespace aqueduct::k8s
