#include "jindo_workloads.h"

#include "../common/fuse_common.h"
#include "../common/workload_common.h"
#include "jindo_plan.h"

namespace aqueduct::runtime_adapters::jindo {
namespace {

using Json = nlohmann::ordered_json;
namespace wc = workload_common;

Json config_mounts(bool with_cacheset) {
  Json m = Json::array({{{"name", "bigboot-config"},
                         {"mountPath", "/jindocache.cfg"},
                         {"subPath", "jindocache.cfg"}}});
  if (with_cacheset) {
    m.push_back(
        {{"name", "bigboot-config"}, {"mountPath", "/cacheset.xml"}, {"subPath", "cacheset.xml"}});
  } else {
    m.push_back({{"name", "bigboot-config"},
                 {"mountPath", "/hdfs-3.2.1/etc/hadoop/core-site.xml"},
                 {"subPath", "core-site.xml"}});
  }
  m.push_back(
      {{"name", "bigboot-config"}, {"mountPath", "/jindosdk.cfg"}, {"subPath", "jindosdk.cfg"}});
  return m;
}

// datavolume-<key> per folder; hostPath, or emptyDir (Memory for MEM).
void data_volumes(const std::map<std::string, DataVolume>& vols, bool size_limits, Json& volumes,
                  Json& mounts) {
  for (const auto& [key, v] : vols) {
    const std::string name = "datavolume-" + key;
    if (v.type == "emptyDir") {
      Json ed = {{"medium", v.medium == "MEM" ? "Memory" : ""}};
      if (size_limits && !v.quota.empty()) ed["sizeLimit"] = v.quota;
      volumes.push_back({{"name", name}, {"emptyDir", ed}});
    } else {
      volumes.push_back(
          {{"name", name}, {"hostPath", {{"path", v.path}, {"type", "DirectoryOrCreate"}}}});
    }
    mounts.push_back({{"name", name}, {"mountPath", v.path}});
  }
}

void secret_volume(const Plan& p, Json& volumes, Json& mounts) {
  if (p.secret_projections.empty()) return;
  Json sources = Json::array();
  for (const auto& s : p.secret_projections)
    sources.push_back({{"secret", {{"name", s["name"]}, {"items", s["items"]}}}});
  volumes.push_back({{"name", "jindofs-secret-token"}, {"projected", {{"sources", sources}}}});
  mounts.push_back({{"name", "jindofs-secret-token"}, {"mountPath", "/token"}, {"readOnly", true}});
}

Json env_of(std::vector<std::pair<std::string, Json>> fixed, const core::ComponentSpec& c) {
  Json env = Json::array();
  for (auto& [k, v] : fixed) {
    Json e = {{"name", k}};
    if (v.is_string()) {
      e["value"] = v;
    } else {
      e["valueFrom"] = v;
    }
    env.push_back(std::move(e));
  }
  for (auto& e : fuse_common::env_vars(c.env)) env.push_back(std::move(e));
  return env;
}

Json pod_spec(const Plan& p, const core::ComponentSpec& c, Json containers, Json volumes) {
  Json spec = {{"hostNetwork", p.host_network},
               {"securityContext", {{"runAsUser", 0}, {"runAsGroup", 0}}}};
  if (!c.node_selector.empty()) spec["nodeSelector"] = c.node_selector;
  spec["containers"] = std::move(containers);
  spec["restartPolicy"] = "Always";
  spec["dnsPolicy"] = p.host_network ? wc::kHostNetworkDns : "ClusterFirst";
  spec["volumes"] = std::move(volumes);
  return spec;
}

Json resources(const core::ComponentSpec& c) {
  return {{"requests", wc::quantity_map(c.requests)}, {"limits", wc::quantity_map(c.limits)}};
}

}  // namespace

core::Status render_cache(const core::Dataset& ds, const core::Runtime& rt, const Json& owners,
                          RuntimeWorkloads& out) {
  AQ_ASSIGN_OR_RETURN(Plan p, plan(ds, rt));
  const std::string pull =
      rt.version.image_pull_policy.empty() ? "Always" : rt.version.image_pull_policy;
  out.config_maps.push_back(wc::config_map(p.fullname + "-config", ds,
                                           wc::labels("jindo", "config", ds), owners,
                                           Json{{"jindocache.cfg", p.jindocache_cfg()},
                                                {"cacheset.xml", p.cacheset_xml()},
                                                {"jindosdk.cfg", p.jindosdk_cfg()}}));
  if (!rt.master.disabled) {
    const Json lbls = wc::labels("jindo", "master", ds);
    std::vector<std::pair<std::string, Json>> env = {
        {"CLIENT_NAMESPACE_RPC_ADDRESS", p.rpc_addresses()}};
    if (p.masters == 3) {
      std::string conf, hosts;
      for (int i = 0; i < 3; ++i) {
        conf += (i ? "," : "") + p.master_host(i) + ":" + std::to_string(p.raft) + ":0";
        hosts += (i ? "," : "") + p.master_host(i);
      }
      env.emplace_back("NAMESPACE_BACKEND_RAFT_INITIAL_CONF", conf);
      env.emplace_back("NAMESPACE_BACKEND_RAFT_HOSTNAME", hosts);
    } else {
      env.emplace_back("NAMESPACE_BACKEND_RAFT_HOSTNAME", p.master_host(0));
    }
    Json ports = Json::array({{{"containerPort", p.master_rpc}, {"name", "rpc"}}});
    if (p.masters == 3) ports.push_back({{"containerPort", p.raft}, {"name", "raft"}});
    Json mounts = config_mounts(true), volumes = Json::array();
    data_volumes(p.master_volumes, false, volumes, mounts);
    secret_volume(p, volumes, mounts);
    volumes.push_back(
        {{"name", "bigboot-config"}, {"configMap", {{"name", p.fullname + "-config"}}}});
    Json c = {{"name", "jindofs-master"},
              {"image", p.image},
              {"imagePullPolicy", pull},
              {"resources", resources(rt.master)},
              {"command", Json::array({"/entrypoint.sh"})},
              {"args", Json::array({"master"})},
              {"env", env_of(env, rt.master)},
              {"ports", ports},
              {"volumeMounts", mounts}};
    Json spec = pod_spec(p, rt.master, Json::array({c}), volumes);
    // Masters of one runtime on different nodes where they can be.
    spec["affinity"] = {{"podAntiAffinity",
                         {{"preferredDuringSchedulingIgnoredDuringExecution",
                           Json::array({{{"weight", 100},
                                         {"podAffinityTerm",
                                          {{"labelSelector", {{"matchLabels", lbls}}},
                                           {"topologyKey", "kubernetes.io/hostname"}}}}})}}}};
    out.master = wc::stateful_set(p.fullname + "-master", ds, lbls, owners, p.masters, spec);
    for (int i = 0; i < p.masters; ++i) {
      Json svc_ports = Json::array({{{"port", p.master_rpc}, {"name", "rpc"}}});
      if (p.masters == 3) svc_ports.push_back({{"port", p.raft}, {"name", "raft"}});
      out.master_services.push_back(wc::pod_service(p.fullname + "-master-" + std::to_string(i), ds,
                                                    lbls, owners, svc_ports));
    }
  }
  if (!rt.worker.disabled) {
    const Json lbls = wc::labels("jindo", "worker", ds);
    const Json address = {
        {"fieldRef", {{"fieldPath", p.host_network ? "status.hostIP" : "status.podIP"}}}};
    std::vector<std::pair<std::string, Json>> env = {
        {"STORAGE_NAMESPACE_RPC_ADDRESS", p.rpc_addresses()},
        {"CLIENT_NAMESPACE_RPC_ADDRESS", p.rpc_addresses()},
        {"STORAGE_ADDRESS", address},
        {"POD_NAME", Json{{"fieldRef", {{"fieldPath", "metadata.name"}}}}}};
    if (!p.host_network) env.emplace_back("STORAGE_DATA_PATH", p.data_path);
    Json mounts = config_mounts(false), volumes = Json::array();
    data_volumes(p.worker_volumes, true, volumes, mounts);
    secret_volume(p, volumes, mounts);
    volumes.push_back(
        {{"name", "bigboot-config"}, {"configMap", {{"name", p.fullname + "-config"}}}});
    Json c = {{"name", "jindofs-worker"},
              {"image", p.image},
              {"imagePullPolicy", pull},
              {"resources", resources(rt.worker)},
              {"command", Json::array({"/entrypoint.sh"})},
              {"args", Json::array({"worker"})},
              {"env", env_of(env, rt.worker)},
              {"ports", Json::array({{{"containerPort", p.worker_rpc}, {"name", "rpc"}}})},
              {"volumeMounts", mounts}};
    Json spec = pod_spec(p, rt.worker, Json::array({c}), volumes);
    out.worker = wc::stateful_set(p.fullname + "-worker", ds, lbls, owners, rt.replicas, spec);
    wc::apply_fluid_worker_placement(*out.worker, ds);
  }
  return core::Status::ok();
}

}  // namespace aqueduct::runtime_adapters::jindo
