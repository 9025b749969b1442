#include "aqueduct/runtime_adapters/runtime_workloads.h"

#include "../alluxio/alluxio_plan.h"
#include "../aqueduct/aqueduct_engine.h"
#include "../common/fuse_common.h"
#include "../common/workload_common.h"
#include "../jindo/jindo_workloads.h"
#include "../juicefs/juicefs_plan.h"
#include "../thin/thin_plan.h"
#include "aqueduct/core/fluid/fluid_labels.h"
#include "aqueduct/runtime_adapters/fuse_templates.h"

namespace aqueduct::runtime_adapters {
namespace {
using Json = nlohmann::ordered_json;
using namespace workload_common;

struct EngineImages {
  const char* master;  // nullptr: no master
  const char* worker;  // nullptr: no workers
  std::vector<std::string> worker_args;
};

EngineImages images(core::RuntimeEngine e) {
  switch (e) {
    case core::RuntimeEngine::kAlluxio:
      return {"alluxio/alluxio:2.8.1", "alluxio/alluxio:2.8.1", {"worker-only", "--no-format"}};
    case core::RuntimeEngine::kJuiceFs:
      // JuiceFS workers are JuiceFS clients whose cache serves the others.
      return {nullptr, "juicedata/juicefs-fuse:ce-v1.1.0", {"sh", "-c", "/root/script/script.sh"}};
    case core::RuntimeEngine::kGooseFs:
      return {"ccr.ccs.tencentyun.com/qcloud/goosefs:v1.2.0",
              "ccr.ccs.tencentyun.com/qcloud/goosefs:v1.2.0",
              {"worker-only"}};
    case core::RuntimeEngine::kAqueduct:
      return {nullptr, aqueduct_engine::kImage, {}};  // args from the tiered store, below
    case core::RuntimeEngine::kJindo:                 // jindo/jindo_workloads.h
    case core::RuntimeEngine::kThin:
    case core::RuntimeEngine::kEfc:
    case core::RuntimeEngine::kVineyard:
      return {nullptr, nullptr, {}};
  }
  return {nullptr, nullptr, {}};
}

std::string image_of(const core::ComponentSpec& c, const char* fallback) {
  if (c.image.empty()) return fallback;
  return c.image_tag.empty() ? c.image : c.image + ":" + c.image_tag;
}

// The tiered-store folders: hostPath volumes and their mounts at the same paths.
void tier_volumes(const core::Runtime& rt, Json& volumes, Json& mounts) {
  int i = 0;
  for (const auto& level : rt.tiers) {
    for (const auto& path : level.paths) {
      const std::string name = "cache-dir-" + std::to_string(i++);
      Json vol = {{"name", name}};
      if (level.volume_type == "emptyDir") {
        vol["emptyDir"] =
            level.medium == core::MediumType::kMem ? Json{{"medium", "Memory"}} : Json::object();
      } else {
        vol["hostPath"] = {{"path", path}, {"type", "DirectoryOrCreate"}};
      }
      volumes.push_back(vol);
      mounts.push_back({{"name", name}, {"mountPath", path}});
    }
  }
}

}  // namespace

core::Result<RuntimeWorkloads> render_runtime_workloads(const core::Dataset& ds,
                                                        const core::Runtime& rt,
                                                        const std::string& kind,
                                                        const std::string& uid) {
  const std::string engine = core::runtime_engine_name(rt.engine);
  const bool host_network = rt.network_mode.empty() || rt.network_mode == "HostNetwork";
  if (!host_network && rt.network_mode != "ContainerNetwork") {
    return core::invalid_argument(
        kind + " " + rt.meta.namespace_ + "/" + rt.meta.name +
        ": spec.networkmode: expected HostNetwork or ContainerNetwork, got \"" + rt.network_mode +
        "\"");
  }
  AQ_ASSIGN_OR_RETURN(core::FuseTemplate fuse, render_fuse_template(ds, rt));
  const EngineImages img = images(rt.engine);
  const Json owners = owner(rt, kind, uid);
  RuntimeWorkloads out;
  if (rt.engine == core::RuntimeEngine::kJindo)
    AQ_RETURN_IF_ERROR(jindo::render_cache(ds, rt, owners, out));

  if (img.master && !rt.master.disabled) {
    const Json lbls = labels(engine, "master", ds);
    Json c = {{"name", engine + "-master"},
              {"image", image_of(rt.master, img.master)},
              {"args", Json::array({"master-only", "--no-format"})},
              {"resources",
               {{"requests", quantity_map(rt.master.requests)},
                {"limits", quantity_map(rt.master.limits)}}}};
    Json containers = Json::array();
    if (rt.engine == core::RuntimeEngine::kAlluxio) {
      AQ_ASSIGN_OR_RETURN(alluxio::Plan plan, alluxio::plan(ds, rt));
      Json env = plan.secret_env;  // first: the options refer to them
      env.push_back({{"name", "ALLUXIO_JAVA_OPTS"}, {"value", plan.java_opts()}});
      c["env"] = env;
      c["ports"] = Json::array({{{"name", "rpc"}, {"containerPort", alluxio::kMasterRpcPort}},
                                {{"name", "web"}, {"containerPort", 19999}}});
      containers.push_back(c);
      if (!plan.mount_script.empty()) {
        // Mounts the under-storage once the master answers, then stays.
        containers.push_back({{"name", "alluxio-mount"},
                              {"image", c["image"]},
                              {"command", Json::array({"bash", "-c", plan.mount_script})},
                              {"env", env}});
      }
      out.master_services.push_back(alluxio::master_service(ds, rt, lbls, owners));
    } else {
      containers.push_back(c);
    }
    Json spec = {{"hostNetwork", host_network}, {"containers", containers}};
    if (host_network) spec["dnsPolicy"] = kHostNetworkDns;
    if (rt.engine == core::RuntimeEngine::kAlluxio) {
      // The UFS journal in an emptyDir, as Fluid's chart keeps it.
      spec["containers"][0]["volumeMounts"] =
          Json::array({{{"name", "journal"}, {"mountPath", "/journal"}}});
      spec["volumes"] = Json::array({{{"name", "journal"}, {"emptyDir", Json::object()}}});
    }
    if (!rt.master.node_selector.empty()) spec["nodeSelector"] = rt.master.node_selector;
    out.master = stateful_set(rt.meta.name + "-master", ds, lbls, owners, 1, spec);
  }
  Json tier_vols = Json::array(), tier_mounts = Json::array();
  tier_volumes(rt, tier_vols, tier_mounts);
  Json worker_vols = tier_vols;  // the tiers' folders, and what the engine adds
  const Json worker_labels = labels(engine, "worker", ds);
  if (img.worker && !rt.worker.disabled) {
    Json c = {{"name", engine + "-worker"},
              {"image", image_of(rt.worker, img.worker)},
              {"args", rt.worker.args.empty() ? Json(img.worker_args) : Json(rt.worker.args)},
              {"resources",
               {{"requests", quantity_map(rt.worker.requests)},
                {"limits", quantity_map(rt.worker.limits)}}},
              {"volumeMounts", tier_mounts}};
    if (rt.engine == core::RuntimeEngine::kAqueduct) {
      // `aqueduct worker` on the runtime's port, its tiers from the tiered store.
      const int port = aqueduct_engine::worker_port(rt);
      Json cmd = Json::array({"aqueduct", "worker", "--listen", "0.0.0.0:" + std::to_string(port),
                              "--metrics-listen", "0.0.0.0:" + std::to_string(port + 1)});
      for (const auto& tier : aqueduct_engine::worker_tiers(rt)) {
        cmd.push_back("--tier");
        cmd.push_back(tier);
      }
      for (const auto& f : aqueduct_engine::worker_credential_flags()) cmd.push_back(f);
      c["command"] = cmd;
      if (rt.worker.args.empty()) c.erase("args");
      c["volumeMounts"].push_back(aqueduct_engine::token_mount());
      worker_vols.push_back(aqueduct_engine::token_volume(rt));
      // The token Secret; the controller fills in a random token and the
      // mutual-TLS files when it creates it.
      out.worker_token_secret = Json{{"apiVersion", "v1"},
                                     {"kind", "Secret"},
                                     {"metadata", owned_meta(aqueduct_engine::token_secret_name(rt),
                                                             ds, worker_labels, owners)},
                                     {"type", "Opaque"}};
      out.worker_tls_names = aqueduct_engine::worker_tls_names(rt);
      c["ports"] = Json::array({{{"name", "rpc"}, {"containerPort", port}},
                                {{"name", "metrics"}, {"containerPort", port + 1}}});
      c["readinessProbe"] = {{"tcpSocket", {{"port", port}}}, {"periodSeconds", 5}};
      // The headless Service that names each worker pod for the FUSE clients.
      out.worker_service = Json{
          {"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", owned_meta(rt.meta.name + "-worker", ds, worker_labels, owners)},
          {"spec",
           {{"clusterIP", "None"},
            {"publishNotReadyAddresses", true},
            {"selector", worker_labels},
            {"ports", Json::array({{{"name", "rpc"}, {"port", port}, {"targetPort", port}}})}}}};
    }
    if (rt.engine == core::RuntimeEngine::kAlluxio) {
      // Workers find the master by name and keep blocks in the tiered store.
      AQ_ASSIGN_OR_RETURN(alluxio::Plan plan, alluxio::plan(ds, rt));
      Json env = plan.secret_env;  // first: the options refer to them
      env.push_back({{"name", "ALLUXIO_JAVA_OPTS"}, {"value", plan.java_opts()}});
      env.push_back({{"name", "ALLUXIO_WORKER_HOSTNAME"},
                     {"valueFrom", {{"fieldRef", {{"fieldPath", "status.hostIP"}}}}}});
      env.push_back({{"name", "ALLUXIO_WORKER_JAVA_OPTS"},
                     {"value", "-Dalluxio.worker.hostname=$(ALLUXIO_WORKER_HOSTNAME)"}});
      for (auto& e : fuse_common::env_vars(rt.worker.env)) env.push_back(std::move(e));
      c["env"] = env;
    }
    if (rt.engine == core::RuntimeEngine::kJuiceFs) {
      // JuiceFS workers are clients that mount the volume and keep its cache
      // for the others: the worker script formats (or authenticates) first.
      AQ_ASSIGN_OR_RETURN(juicefs::Plan plan, juicefs::plan(ds, rt));
      if (rt.worker.image.empty()) c["image"] = plan.image;
      c["command"] = Json::array({"sh", std::string(juicefs::kScriptDir) + "/script.sh"});
      c.erase("args");
      Json env = plan.env;
      for (auto& e : fuse_common::env_vars(rt.worker.env)) env.push_back(std::move(e));
      c["env"] = env;
      c["securityContext"] = {{"runAsUser", 0}, {"privileged", true}};
      c["lifecycle"] = {
          {"preStop",
           {{"exec",
             {{"command",
               Json::array(
                   {"sh", "-c", "umount " + juicefs::shell_word(fuse.host_mount_path)})}}}}}};
      c["ports"] = Json::array({{{"name", "metrics"}, {"containerPort", 9567}}});
      Json mounts = Json::array({{{"name", "script"}, {"mountPath", juicefs::kScriptDir}}});
      worker_vols = Json::array(
          {{{"name", "script"},
            {"configMap",
             {{"name", juicefs::worker_script_config_map(rt)}, {"defaultMode", 0755}}}}});
      int n = 0;
      for (const auto& dir : plan.cache_dirs) {
        const std::string name = "cache-dir-" + std::to_string(++n);
        worker_vols.push_back(
            {{"name", name}, {"hostPath", {{"path", dir}, {"type", "DirectoryOrCreate"}}}});
        mounts.push_back({{"name", name}, {"mountPath", dir}});
      }
      c["volumeMounts"] = mounts;
      out.config_maps.push_back(config_map(juicefs::worker_script_config_map(rt), ds,
                                           labels(engine, "worker", ds), owners,
                                           Json{{"script.sh", plan.worker_script()}}));
      out.config_maps.push_back(config_map(juicefs::fuse_script_config_map(rt), ds,
                                           labels(engine, "fuse", ds), owners,
                                           Json{{"script.sh", plan.fuse_script()}}));
    }
    Json spec = {
        {"hostNetwork", host_network}, {"containers", Json::array({c})}, {"volumes", worker_vols}};
    if (host_network) spec["dnsPolicy"] = kHostNetworkDns;
    if (!rt.worker.node_selector.empty()) spec["nodeSelector"] = rt.worker.node_selector;
    out.worker =
        stateful_set(rt.meta.name + "-worker", ds, worker_labels, owners, rt.replicas, spec);
    apply_fluid_worker_placement(*out.worker, ds);
  }
  std::string sel;
  for (auto& [k, v] : worker_labels.items())
    sel += (sel.empty() ? "" : ",") + k + "=" + v.get<std::string>();
  out.worker_selector = sel;

  bool fuse_host_network = host_network;
  std::map<std::string, std::string> fuse_node_selector = rt.fuse.node_selector;
  if (rt.engine == core::RuntimeEngine::kThin) {
    // Thin's FUSE reads config.json from this ConfigMap, the runtime's to keep.
    AQ_ASSIGN_OR_RETURN(thin::Plan plan, thin::plan(ds, rt));
    fuse_host_network = plan.host_network;
    fuse_node_selector = plan.effective.fuse.node_selector;
    out.config_maps.push_back(config_map(thin::config_map_name(rt), ds, labels(engine, "fuse", ds),
                                         owners, Json{{"config.json", plan.config_json}}));
  }

  // The FUSE DaemonSet: the engine's FUSE container, lazy by node selector.
  const Json fuse_labels = labels(engine, "fuse", ds);
  Json container = fuse.container;
  container["name"] = engine + "-fuse";
  Json volumes = Json::array();
  for (const auto& v : fuse.volumes) volumes.push_back(v);
  // The workers' cache folders at the same paths: short-circuit reads.
  Json& mounts = container["volumeMounts"];
  if (!mounts.is_array()) mounts = Json::array();
  // (JuiceFS's FUSE mounts its own cache folders: its template has them.)
  const std::size_t shared_tiers =
      rt.engine == core::RuntimeEngine::kJuiceFs ? 0 : tier_vols.size();
  for (std::size_t i = 0; i < shared_tiers; ++i) {
    bool present = false;
    for (const auto& m : mounts)
      present = present || m.value("mountPath", "") == tier_mounts[i]["mountPath"];
    if (present) continue;
    Json v = tier_vols[i];
    v["name"] = "worker-" + v["name"].get<std::string>();
    Json m = tier_mounts[i];
    m["name"] = v["name"];
    volumes.push_back(v);
    mounts.push_back(m);
  }
  Json node_selector = {{core::fuse_label(ds.meta.namespace_, ds.meta.name), "true"}};
  for (const auto& [k, v] : fuse_node_selector) node_selector[k] = v;
  out.fuse = Json{{"apiVersion", "apps/v1"},
                  {"kind", "DaemonSet"},
                  {"metadata", owned_meta(rt.meta.name + "-fuse", ds, fuse_labels, owners)},
                  {"spec",
                   {{"selector", {{"matchLabels", fuse_labels}}},
                    {"template",
                     {{"metadata", {{"labels", fuse_labels}}},
                      {"spec",
                       {{"hostNetwork", fuse_host_network},
                        {"dnsPolicy", fuse_host_network ? kHostNetworkDns : "ClusterFirst"},
                        {"nodeSelector", node_selector},
                        {"containers", Json::array({container})},
                        {"volumes", volumes}}}}}}}};
  return out;
}

}  // namespace aqueduct::runtime_adapters
