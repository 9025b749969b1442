#include <algorithm>

#include "aqueduct/core/model/node.h"
#include "aqueduct/core/model/pod.h"
#include "aqueduct/core/model/runtime.h"
#include "aqueduct/core/model/scheduling_terms.h"
#include "aqueduct/core/ports.h"

namespace aqueduct::core {

const char* arch_name(Arch a) { return a == Arch::kArm64 ? "arm64" : "amd64"; }
const char* node_kind_name(NodeKind k) { return k == NodeKind::kEci ? "ECI" : "ECS"; }
const char* medium_name(MediumType m) {
  switch (m) {
    case MediumType::kMem:
      return "MEM";
    case MediumType::kSsd:
      return "SSD";
    case MediumType::kHdd:
      return "HDD";
  }
  return "?";
}

const char* selector_op_name(SelectorOp op) {
  switch (op) {
    case SelectorOp::kIn:
      return "In";
    case SelectorOp::kNotIn:
      return "NotIn";
    case SelectorOp::kExists:
      return "Exists";
    case SelectorOp::kDoesNotExist:
      return "DoesNotExist";
    case SelectorOp::kGt:
      return "Gt";
    case SelectorOp::kLt:
      return "Lt";
  }
  return "?";
}

const char* taint_effect_name(TaintEffect e) {
  switch (e) {
    case TaintEffect::kNoSchedule:
      return "NoSchedule";
    case TaintEffect::kPreferNoSchedule:
      return "PreferNoSchedule";
    case TaintEffect::kNoExecute:
      return "NoExecute";
  }
  return "?";
}

const char* runtime_engine_name(RuntimeEngine e) {
  switch (e) {
    case RuntimeEngine::kAlluxio:
      return "alluxio";
    case RuntimeEngine::kJuiceFs:
      return "juicefs";
    case RuntimeEngine::kJindo:
      return "jindo";
    case RuntimeEngine::kGooseFs:
      return "goosefs";
    case RuntimeEngine::kThin:
      return "thin";
    case RuntimeEngine::kEfc:
      return "efc";
    case RuntimeEngine::kVineyard:
      return "vineyard";
    case RuntimeEngine::kAqueduct:
      return "aqueduct";
  }
  return "?";
}

const char* runtime_kind_name(RuntimeEngine e) {
  switch (e) {
    case RuntimeEngine::kAlluxio:
      return "AlluxioRuntime";
    case RuntimeEngine::kJuiceFs:
      return "JuiceFSRuntime";
    case RuntimeEngine::kJindo:
      return "JindoRuntime";
    case RuntimeEngine::kGooseFs:
      return "GooseFSRuntime";
    case RuntimeEngine::kThin:
      return "ThinRuntime";
    case RuntimeEngine::kEfc:
      return "EFCRuntime";
    case RuntimeEngine::kVineyard:
      return "VineyardRuntime";
    case RuntimeEngine::kAqueduct:
      return "AqueductRuntime";
  }
  return "?";
}

std::int64_t Runtime::worker_quota_bytes() const {
  std::int64_t total = 0;
  for (const auto& t : tiers) total += t.quota_bytes;
  return total;
}

Resources Pod::requests() const {
  Resources sum;
  for (const auto& c : containers) sum += c.requests;
  // Init containers run one at a time before the app: the pod needs the larger
  // of their max and the app sum (native sidecars, restartPolicy Always, add up).
  Resources init_max;
  Resources sidecars;
  for (const auto& c : init_containers) {
    if (c.restart_policy == "Always") {
      sidecars += c.requests;
      continue;
    }
    init_max.cpu_milli = std::max(init_max.cpu_milli, c.requests.cpu_milli);
    init_max.memory_bytes = std::max(init_max.memory_bytes, c.requests.memory_bytes);
    init_max.gpu_milli = std::max(init_max.gpu_milli, c.requests.gpu_milli);
  }
  sum += sidecars;
  sum.cpu_milli = std::max(sum.cpu_milli, init_max.cpu_milli);
  sum.memory_bytes = std::max(sum.memory_bytes, init_max.memory_bytes);
  sum.gpu_milli = std::max(sum.gpu_milli, init_max.gpu_milli);
  sum.pods = 1;
  return sum;
}

std::vector<std::string> Pod::claim_names() const {
  std::vector<std::string> out;
  for (const auto& v : volumes) {
    if (!v.pvc_claim_name.empty()) out.push_back(v.pvc_claim_name);
  }
  return out;
}

std::string object_key(const ObjectMeta& meta) { return meta.namespace_ + "/" + meta.name; }

std::size_t ClusterView::node_index(std::string_view name) const {
  auto ns = nodes();
  auto it = std::lower_bound(ns.begin(), ns.end(), name, [](const NodeInfo& n, std::string_view v) {
    return n.node->meta.name < v;
  });
  if (it == ns.end() || it->node->meta.name != name) return kNoNode;
  return static_cast<std::size_t>(it - ns.begin());
}

std::size_t ClusterView::pods_with_affinity() const {
  std::size_t n = 0;
  for (const auto& info : nodes()) {
    for (const Pod* p : info.pods) {
      if (!p->pod_affinity.empty() || !p->pod_anti_affinity.empty()) ++n;
    }
  }
  return n;
}

}  // namespace aqueduct::core
