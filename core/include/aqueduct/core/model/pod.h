// Pods and the workloads that own them (Job, Deployment, StatefulSet), reduced
// to what scheduling, injection and simulation need, with Fluid dataset claims
// (volumes whose persistentVolumeClaim.claimName names a Dataset).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "aqueduct/core/model/node.h"
#include "aqueduct/core/model/object_meta.h"
#include "aqueduct/core/model/resources.h"
#include "aqueduct/core/model/scheduling_terms.h"

namespace aqueduct::core {

struct EnvVar {
  std::string name;
  std::string value;
  std::string value_from;  // a reference kept as text (secretKeyRef "secret/key"), never resolved
};

struct VolumeMount {
  std::string name;
  std::string mount_path;
  std::string sub_path;
  bool read_only = false;
  std::string mount_propagation;  // "", "HostToContainer", "Bidirectional", "None"
};

struct Container {
  std::string name;
  std::string image;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::vector<EnvVar> env;
  Resources requests;  // pods field unused here
  Resources limits;
  std::vector<VolumeMount> volume_mounts;
  bool privileged = false;
  std::string restart_policy;  // native sidecars: "Always" on an init container
};

struct Volume {
  std::string name;
  std::string pvc_claim_name;  // persistentVolumeClaim.claimName, if that is the source
  std::string host_path;       // hostPath.path, if that is the source
  std::string host_path_type;
  bool empty_dir = false;
  std::string other_source;  // name of any other source kind (configMap, secret, ...)
};

struct Pod {
  ObjectMeta meta;
  std::string owner_kind;  // "", "Job", "Deployment", "StatefulSet"
  std::string owner_name;
  std::vector<Container> init_containers;
  std::vector<Container> containers;
  std::vector<Volume> volumes;
  std::map<std::string, std::string> node_selector;
  NodeAffinity node_affinity;
  PodAffinity pod_affinity;       // affinity.podAffinity
  PodAffinity pod_anti_affinity;  // affinity.podAntiAffinity
  std::vector<TopologySpreadConstraint> topology_spread;
  std::vector<Toleration> tolerations;
  std::string scheduler_name;
  std::string restart_policy;
  // Arches the pod's images can run on; empty means any.
  std::vector<Arch> image_arches;
  std::string node_name;  // set once bound

  // Sum of container requests (the max of init containers, as Kubernetes does),
  // plus one pod slot.
  Resources requests() const;
  // Claim names of persistentVolumeClaim volumes, in volume order.
  std::vector<std::string> claim_names() const;
};

// A workload object that stamps out pods (Job/Deployment/StatefulSet), or a bare Pod.
struct Workload {
  std::string kind;  // "Pod", "Job", "Deployment", "StatefulSet"
  ObjectMeta meta;
  std::int32_t replicas = 1;     // Deployment/StatefulSet replicas, Job parallelism
  std::int32_t completions = 1;  // Job completions
  Pod pod_template;
};

}  // namespace aqueduct::core
