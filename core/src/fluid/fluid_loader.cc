#include "aqueduct/core/fluid/fluid_loader.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "aqueduct/core/dataops/cron.h"
#include "aqueduct/core/yaml/yaml_reader.h"
#include "k8s_fields.h"

namespace aqueduct::core {
namespace fi = fluid_internal;
namespace {

constexpr std::string_view kFluidApi = "data.fluid.io/v1alpha1";

struct RuntimeKindInfo {
  std::string_view kind;
  RuntimeEngine engine;
  std::vector<std::string_view> extra_fields;
};

// Fields every runtime kind accepts, and each kind's own (from Fluid's API types).
const std::vector<std::string_view> kCommonRuntimeFields = {"replicas",
                                                            "tieredstore",
                                                            "master",
                                                            "worker",
                                                            "fuse",
                                                            "properties",
                                                            "runAs",
                                                            "disablePrometheus",
                                                            "podMetadata",
                                                            "volumes",
                                                            "management",
                                                            "imagePullSecrets",
                                                            "networkmode",
                                                            "initUsers",
                                                            "jobMaster",
                                                            "jobWorker",
                                                            "cleanCachePolicy",
                                                            "apiGateway",
                                                            "data",
                                                            "jvmOptions",
                                                            "hadoopConfig",
                                                            "tolerations",
                                                            "runtimeManagement"};

const RuntimeKindInfo kRuntimeKinds[] = {
    {"AlluxioRuntime", RuntimeEngine::kAlluxio, {"alluxioVersion"}},
    {"JuiceFSRuntime", RuntimeEngine::kJuiceFs, {"juicefsVersion", "configs"}},
    {"JindoRuntime",
     RuntimeEngine::kJindo,
     {"jindoVersion", "user", "secret", "labels", "logConfig", "fuseOnly", "nodeSelector"}},
    {"GooseFSRuntime", RuntimeEngine::kGooseFs, {"goosefsVersion"}},
    {"ThinRuntime", RuntimeEngine::kThin, {"profileName", "version"}},
    {"EFCRuntime", RuntimeEngine::kEfc, {"osAdvise", "initFuse"}},
    {"VineyardRuntime", RuntimeEngine::kVineyard, {}},
    {"AqueductRuntime", RuntimeEngine::kAqueduct, {}},
};

// Valid Kubernetes kinds a Fluid user's files carry that we do not model.
const std::set<std::string, std::less<>> kSkippedKinds = {"Secret",
                                                          "ConfigMap",
                                                          "Namespace",
                                                          "ServiceAccount",
                                                          "PersistentVolume",
                                                          "PersistentVolumeClaim",
                                                          "Service",
                                                          "Role",
                                                          "RoleBinding",
                                                          "ClusterRole",
                                                          "ClusterRoleBinding",
                                                          "DataBackup",
                                                          "DataMigrate",
                                                          "DataProcess",
                                                          "DaemonSet",
                                                          "CronJob",
                                                          "ReplicaSet"};

std::optional<MediumType> parse_medium(const std::string& s) {
  if (s == "MEM") return MediumType::kMem;
  if (s == "SSD") return MediumType::kSsd;
  if (s == "HDD") return MediumType::kHdd;
  return std::nullopt;
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, ',')) {
    if (!cur.empty()) out.push_back(cur);
  }
  return out;
}

void parse_encrypt_options(YamlCursor& parent, std::string_view key,
                           std::vector<EncryptOption>& out) {
  parent.each(key, [&](YamlCursor& e) {
    if (!e.expect_map("an encrypt option")) return;
    EncryptOption opt;
    opt.name = e.str("name", true).value_or("");
    if (auto vf = e.child("valueFrom", true)) {
      if (auto skr = vf->child("secretKeyRef", true)) {
        opt.secret_key_ref.name = skr->str("name", true).value_or("");
        opt.secret_key_ref.key = skr->str("key", true).value_or("");
        skr->finish_unknown("secretKeyRef");
      }
      vf->finish_unknown("EncryptOptionSource");
    }
    e.finish_unknown("EncryptOption");
    out.push_back(std::move(opt));
  });
}

Dataset parse_dataset(YamlCursor& obj) {
  Dataset ds;
  ds.meta = fi::parse_meta(obj);
  auto spec = obj.child("spec", true);
  if (!spec || !spec->expect_map("the Dataset spec")) return ds;
  int n = spec->each(
      "mounts",
      [&](YamlCursor& m) {
        if (!m.expect_map("a mount")) return;
        Mount mt;
        mt.mount_point = m.str("mountPoint", true).value_or("");
        mt.name = m.str("name").value_or("");
        mt.path = m.str("path").value_or(mt.name.empty() ? "" : "/" + mt.name);
        mt.read_only = m.boolean("readOnly").value_or(false);
        mt.shared = m.boolean("shared").value_or(false);
        mt.options = m.string_map("options");
        parse_encrypt_options(m, "encryptOptions", mt.encrypt_options);
        m.finish_unknown("Mount");
        if (!mt.mount_point.empty() && mt.mount_point.find("://") == std::string::npos &&
            mt.mount_point.front() != '/') {
          m.error(m.field_path("mountPoint"),
                  "expected a URI such as s3://bucket/path, oss://bucket/path, pvc://claim or "
                  "local:///path, got \"" +
                      mt.mount_point + "\"");
        }
        ds.mounts.push_back(std::move(mt));
      },
      /*required=*/false);
  if (n == 0 && !spec->has("mounts")) {
    // Fluid allows an empty mounts list for some runtimes (ThinRuntime profiles,
    // Vineyard); absence is worth a warning, not an error.
    spec->warning(spec->field_path("mounts"), "no mounts: the dataset has no data source");
  }
  if (auto p = spec->one_of("placement", {"Exclusive", "Shared"})) {
    ds.placement = *p == "Shared" ? PlacementMode::kShared : PlacementMode::kExclusive;
  }
  if (auto na = spec->child("nodeAffinity")) {
    if (na->expect_map("a cacheable node affinity")) {
      if (auto req = na->child("required")) fi::parse_node_selector(*req, ds.node_affinity);
      na->finish_unknown("CacheableNodeAffinity");
    }
  }
  ds.tolerations = fi::parse_tolerations(*spec, "tolerations");
  ds.access_modes = spec->string_list("accessModes");
  ds.shared_options = spec->string_map("sharedOptions");
  parse_encrypt_options(*spec, "sharedEncryptOptions", ds.shared_encrypt_options);
  spec->accept({"owner", "runtimes", "dataRestoreLocation"});
  spec->finish_unknown("the Dataset spec");
  auto it = ds.meta.annotations.find("aqueduct.io/size");
  if (it != ds.meta.annotations.end()) {
    auto q = parse_quantity(it->second);
    if (q.ok()) {
      ds.size_bytes = q->as_int();
    } else {
      obj.error("metadata.annotations.aqueduct.io/size", q.status().message());
    }
  }
  obj.accept({"status"});
  return ds;
}

ComponentSpec parse_component(YamlCursor& c, std::string_view what) {
  ComponentSpec out;
  if (!c.expect_map(std::string(what) + " spec")) return out;
  out.image = c.str("image").value_or("");
  out.image_tag = c.str("imageTag").value_or("");
  out.image_pull_policy = c.str("imagePullPolicy").value_or("");
  if (auto r = c.child("resources")) fi::parse_resources(*r, out.requests, out.limits);
  // JindoRuntime's components write env as a map (name: value); the others as a list.
  if (c.has("env") && c.node()["env"].IsMap()) {
    for (const auto& [k, v] : c.string_map("env")) out.env.push_back(EnvVar{k, v, ""});
  } else {
    out.env = fi::parse_env(c, "env");
  }
  out.args = c.string_list("args");
  out.command = c.string_list("command");
  out.node_selector = c.string_map("nodeSelector");
  out.properties = c.string_map("properties");
  out.options = c.string_map("options");
  out.disabled = c.boolean("disabled").value_or(false);
  out.clean_policy = c.one_of("cleanPolicy", {"OnDemand", "OnRuntimeDeleted"}).value_or("");
  out.network_mode = c.one_of("networkMode", {"HostNetwork", "ContainerNetwork", ""}).value_or("");
  out.replicas = static_cast<std::int32_t>(c.integer("replicas", false, 0, 1000).value_or(0));
  // Engine-specific component fields are valid Fluid; accept them unmodeled.
  c.accept({"jvmOptions",    "ports",          "networkMode",      "podMetadata",
            "volumeMounts",  "options",        "launchMode",       "hostNetwork",
            "logConfig",     "tolerations",    "labels",           "annotations",
            "global",        "cleanPolicy",    "imagePullSecrets", "command",
            "livenessProbe", "readinessProbe", "startupProbe",     "lifecycle",
            "metrics",       "enabled",        "replicas",         "configs",
            "networkmode",   "volumes",        "security",         "mode"});
  c.finish_unknown(std::string(what) + " spec");
  return out;
}

Runtime parse_runtime(YamlCursor& obj, const RuntimeKindInfo& info) {
  Runtime rt;
  rt.engine = info.engine;
  rt.meta = fi::parse_meta(obj);
  auto spec = obj.child("spec");  // an empty spec is valid: all defaults
  obj.accept({"status"});
  if (!spec) return rt;
  if (!spec->expect_map("the runtime spec")) return rt;
  rt.replicas = static_cast<std::int32_t>(spec->integer("replicas", false, 0, 100000).value_or(1));
  if (auto ts = spec->child("tieredstore")) {
    if (ts->expect_map("a tiered store")) {
      ts->each("levels", [&](YamlCursor& l) {
        if (!l.expect_map("a tier level")) return;
        TierLevel lvl;
        if (auto m = l.one_of("mediumtype", {"MEM", "SSD", "HDD"}, true))
          lvl.medium = *parse_medium(*m);
        lvl.paths = split_commas(l.str("path").value_or(""));
        if (auto q = l.quantity("quota")) lvl.quota_bytes = q->as_int();
        if (auto ql = l.str("quotaList")) {
          std::int64_t sum = 0;
          for (const auto& part : split_commas(*ql)) {
            auto q = parse_quantity(part);
            if (!q.ok()) {
              l.error(l.field_path("quotaList"), q.status().message());
              continue;
            }
            lvl.quota_list.push_back(q->as_int());
            sum += q->as_int();
          }
          if (!l.has("quota")) lvl.quota_bytes = sum;
          if (!lvl.paths.empty() && lvl.quota_list.size() != lvl.paths.size()) {
            l.error(l.field_path("quotaList"),
                    "expected one quota per path (" + std::to_string(lvl.paths.size()) +
                        " paths), got " + std::to_string(lvl.quota_list.size()));
          }
        }
        if (!l.has("quota") && !l.has("quotaList")) {
          l.error(l.field_path("quota"),
                  "missing required field: a tier level needs quota or quotaList");
        }
        if (auto h = l.ratio("high")) lvl.high = *h;
        if (auto lo = l.ratio("low")) {
          lvl.low = *lo;
          lvl.low_text = l.str("low").value_or("");
        }
        if (lvl.low > lvl.high) {
          l.error(l.field_path("low"), "expected low <= high (low " + std::to_string(lvl.low) +
                                           ", high " + std::to_string(lvl.high) + ")");
        }
        lvl.volume_type =
            l.one_of("volumeType", {"hostPath", "emptyDir", "persistentVolumeClaim", "ephemeral"})
                .value_or("hostPath");
        l.accept({"volumeSource"});
        l.finish_unknown("a tier level");
        rt.tiers.push_back(std::move(lvl));
      });
      ts->finish_unknown("tieredstore");
      std::stable_sort(rt.tiers.begin(), rt.tiers.end(),
                       [](const TierLevel& a, const TierLevel& b) {
                         return static_cast<int>(a.medium) < static_cast<int>(b.medium);
                       });
    }
  }
  if (auto m = spec->child("master")) rt.master = parse_component(*m, "master");
  if (auto w = spec->child("worker")) rt.worker = parse_component(*w, "worker");
  if (auto f = spec->child("fuse")) rt.fuse = parse_component(*f, "fuse");
  rt.properties = spec->string_map("properties");
  if (info.engine == RuntimeEngine::kJuiceFs) rt.configs = spec->string_list("configs");
  if (info.engine == RuntimeEngine::kThin) rt.profile_name = spec->str("profileName").value_or("");
  if (info.engine == RuntimeEngine::kJindo) {
    if (auto v = spec->child("jindoVersion")) rt.version = parse_component(*v, "jindoVersion");
  }
  rt.network_mode =
      spec->one_of("networkmode", {"HostNetwork", "ContainerNetwork", ""}).value_or("");
  spec->accept(kCommonRuntimeFields);
  spec->accept(info.extra_fields);
  spec->finish_unknown(std::string(info.kind) + " spec");
  return rt;
}

ThinRuntimeProfile parse_thin_profile(YamlCursor& obj) {
  ThinRuntimeProfile p;
  p.meta = fi::parse_meta(obj);
  obj.accept({"status"});
  auto spec = obj.child("spec", true);
  if (!spec || !spec->expect_map("the ThinRuntimeProfile spec")) return p;
  p.file_system_type = spec->str("fileSystemType", true).value_or("");
  // It reaches a shell command line (the sidecar's mount check): a type name only.
  const bool word = std::all_of(p.file_system_type.begin(), p.file_system_type.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
  if (!word) {
    spec->error(spec->field_path("fileSystemType"),
                "expected a mount type such as fuse or fuse.s3fs (letters, digits, '.', '_', "
                "'-'), got \"" +
                    p.file_system_type + "\"");
  }
  if (auto f = spec->child("fuse")) p.fuse = parse_component(*f, "fuse");
  if (auto w = spec->child("worker")) p.worker = parse_component(*w, "worker");
  spec->one_of("nodePublishSecretPolicy",
               {"NotMountNodePublishSecret", "MountNodePublishSecretIfExists",
                "CopyNodePublishSecretAndMountIfNotExists"});
  spec->accept({"imagePullSecrets", "volumes"});
  spec->finish_unknown("ThinRuntimeProfile spec");
  return p;
}

DataLoad parse_dataload(YamlCursor& obj) {
  DataLoad dl;
  dl.meta = fi::parse_meta(obj);
  obj.accept({"status"});
  auto spec = obj.child("spec", true);
  if (!spec || !spec->expect_map("the DataLoad spec")) return dl;
  if (auto d = spec->child("dataset", true)) {
    if (d->expect_map("a dataset reference")) {
      dl.dataset_name = d->str("name", true).value_or("");
      dl.dataset_namespace = d->str("namespace").value_or(dl.meta.namespace_);
      d->finish_unknown("a dataset reference");
    }
  }
  dl.load_metadata = spec->boolean("loadMetadata").value_or(false);
  spec->each("target", [&](YamlCursor& t) {
    if (!t.expect_map("a load target")) return;
    DataLoadTarget tg;
    tg.path = t.str("path", true).value_or("/");
    tg.replicas = static_cast<std::int32_t>(t.integer("replicas", false, 1, 1000).value_or(1));
    t.finish_unknown("a load target");
    dl.targets.push_back(std::move(tg));
  });
  if (auto p = spec->one_of("policy", {"Once", "Cron", "OnEvent"})) {
    dl.policy = *p == "Cron"      ? DataLoadPolicy::kCron
                : *p == "OnEvent" ? DataLoadPolicy::kOnEvent
                                  : DataLoadPolicy::kOnce;
  }
  dl.schedule = spec->str("schedule").value_or("");
  if (dl.policy == DataLoadPolicy::kCron && !dl.schedule.empty()) {
    auto cron = parse_cron(dl.schedule);
    if (!cron.ok()) spec->error(spec->field_path("schedule"), cron.status().message());
  }
  if (dl.policy == DataLoadPolicy::kCron && dl.schedule.empty()) {
    spec->error(spec->field_path("schedule"),
                "missing required field: policy Cron needs a schedule");
  }
  spec->accept({"options", "nodeSelector", "affinity", "tolerations", "schedulerName",
                "podMetadata", "imagePullSecrets", "runAfter", "resources",
                "ttlSecondsAfterFinished", "runtimeType", "image", "imageTag", "imagePullPolicy",
                "priorityClassName"});
  spec->finish_unknown("the DataLoad spec");
  return dl;
}

Workload parse_workload(YamlCursor& obj, const std::string& kind) {
  Workload w;
  w.kind = kind;
  w.meta = fi::parse_meta(obj);
  obj.accept({"status"});
  auto spec = obj.child("spec", true);
  if (!spec || !spec->expect_map("the " + kind + " spec")) return w;
  Pod& pod = w.pod_template;
  pod.owner_kind = kind == "Pod" ? "" : kind;
  pod.owner_name = kind == "Pod" ? "" : w.meta.name;
  if (kind == "Pod") {
    pod.meta = w.meta;
    fi::parse_pod_spec(*spec, pod);
    return w;
  }
  if (kind == "Job") {
    w.replicas = static_cast<std::int32_t>(spec->integer("parallelism", false, 0).value_or(1));
    w.completions =
        static_cast<std::int32_t>(spec->integer("completions", false, 0).value_or(w.replicas));
    spec->accept({"activeDeadlineSeconds", "backoffLimit", "backoffLimitPerIndex", "completionMode",
                  "manualSelector", "maxFailedIndexes", "podFailurePolicy", "podReplacementPolicy",
                  "selector", "suspend", "ttlSecondsAfterFinished", "successPolicy", "managedBy"});
  } else {
    w.replicas = static_cast<std::int32_t>(spec->integer("replicas", false, 0).value_or(1));
    w.completions = w.replicas;
    spec->accept({"minReadySeconds", "paused", "progressDeadlineSeconds", "revisionHistoryLimit",
                  "selector", "strategy", "ordinals", "persistentVolumeClaimRetentionPolicy",
                  "podManagementPolicy", "serviceName", "updateStrategy", "volumeClaimTemplates"});
  }
  if (auto tpl = spec->child("template", true)) {
    if (tpl->expect_map("a pod template")) {
      pod.meta = fi::parse_meta(*tpl, /*name_required=*/false);
      pod.meta.namespace_ = w.meta.namespace_;
      if (pod.meta.name.empty()) pod.meta.name = w.meta.name;
      if (auto ps = tpl->child("spec", true)) fi::parse_pod_spec(*ps, pod);
      tpl->finish_unknown("PodTemplateSpec");
    }
  }
  spec->finish_unknown("the " + kind + " spec");
  return w;
}

}  // namespace

void FluidObjects::append(FluidObjects other) {
  for (auto& x : other.datasets) datasets.push_back(std::move(x));
  for (auto& x : other.runtimes) runtimes.push_back(std::move(x));
  for (auto& x : other.dataloads) dataloads.push_back(std::move(x));
  for (auto& x : other.workloads) workloads.push_back(std::move(x));
  for (auto& x : other.thin_profiles) thin_profiles.push_back(std::move(x));
  skipped_objects += other.skipped_objects;
  resolve_profiles();
}

const ThinRuntimeProfile* FluidObjects::find_thin_profile(std::string_view name) const {
  for (const auto& p : thin_profiles) {
    if (p.meta.name == name) return &p;
  }
  return nullptr;
}

void FluidObjects::resolve_profiles() {
  for (auto& rt : runtimes) {
    if (rt.engine != RuntimeEngine::kThin || rt.profile_name.empty()) continue;
    if (const ThinRuntimeProfile* p = find_thin_profile(rt.profile_name)) rt.thin_profile = *p;
  }
}

const Runtime* FluidObjects::runtime_for(const Dataset& ds) const {
  for (const auto& rt : runtimes) {
    if (rt.meta.name == ds.meta.name && rt.meta.namespace_ == ds.meta.namespace_) return &rt;
  }
  return nullptr;
}

const Dataset* FluidObjects::find_dataset(std::string_view ns, std::string_view name) const {
  for (const auto& ds : datasets) {
    if (ds.meta.name == name && ds.meta.namespace_ == ns) return &ds;
  }
  return nullptr;
}

FluidObjects load_fluid_yaml(std::string_view text, const std::string& file, Diagnostics& diags) {
  FluidObjects out;
  auto file_ptr = std::make_shared<const std::string>(file);
  auto docs = parse_yaml_documents(text, file, diags);
  for (std::size_t i = 0; i < docs.size(); ++i) {
    YamlCursor obj(docs[i], "", file_ptr, &diags);
    if (!obj.expect_map("a Kubernetes object (a mapping with apiVersion and kind)")) continue;
    auto kind = obj.str("kind", true);
    auto api = obj.str("apiVersion", true);
    if (!kind || !api) continue;
    const RuntimeKindInfo* rk = nullptr;
    for (const auto& info : kRuntimeKinds) {
      if (info.kind == *kind) rk = &info;
    }
    bool fluid_kind =
        rk || *kind == "Dataset" || *kind == "DataLoad" || *kind == "ThinRuntimeProfile";
    if (fluid_kind && *api != kFluidApi) {
      obj.error("apiVersion", "expected " + std::string(kFluidApi) + " for kind " + *kind +
                                  ", got \"" + *api + "\"");
      continue;
    }
    if (*kind == "Dataset") {
      out.datasets.push_back(parse_dataset(obj));
    } else if (rk) {
      out.runtimes.push_back(parse_runtime(obj, *rk));
    } else if (*kind == "DataLoad") {
      out.dataloads.push_back(parse_dataload(obj));
    } else if (*kind == "ThinRuntimeProfile") {
      out.thin_profiles.push_back(parse_thin_profile(obj));
    } else if (*kind == "Pod" || *kind == "Job" || *kind == "Deployment" ||
               *kind == "StatefulSet") {
      std::string want = *kind == "Pod" ? "v1" : *kind == "Job" ? "batch/v1" : "apps/v1";
      if (*api != want) {
        obj.error("apiVersion",
                  "expected " + want + " for kind " + *kind + ", got \"" + *api + "\"");
        continue;
      }
      out.workloads.push_back(parse_workload(obj, *kind));
    } else if (kSkippedKinds.count(*kind)) {
      ++out.skipped_objects;
      continue;
    } else {
      auto kc = obj.child("kind");
      kc->error("", "unknown kind \"" + *kind +
                        "\": expected Dataset, AlluxioRuntime, JuiceFSRuntime, JindoRuntime, "
                        "GooseFSRuntime, ThinRuntime, ThinRuntimeProfile, EFCRuntime, "
                        "VineyardRuntime, DataLoad, Pod, "
                        "Job, Deployment or StatefulSet");
      continue;
    }
    obj.finish_unknown(*kind);
  }
  out.resolve_profiles();
  return out;
}

FluidObjects load_fluid_file(const std::string& path, Diagnostics& diags) {
  auto text = read_text_file(path);
  if (!text.ok()) {
    diags.error(SourcePos{path, 0, 0}, "", text.status().message());
    return {};
  }
  return load_fluid_yaml(*text, path, diags);
}

void check_references(const FluidObjects& objs, Diagnostics& diags, bool complete) {
  std::map<std::string, const Dataset*> ds_by_key;
  for (const auto& ds : objs.datasets) {
    std::string key = ds.meta.namespace_ + "/" + ds.meta.name;
    if (ds_by_key.count(key)) {
      diags.error(ds.meta.pos, "metadata.name", "duplicate Dataset " + key);
    }
    ds_by_key[key] = &ds;
  }
  std::map<std::string, const Runtime*> rt_by_key;
  for (const auto& rt : objs.runtimes) {
    std::string key = rt.meta.namespace_ + "/" + rt.meta.name;
    if (rt_by_key.count(key)) {
      diags.error(rt.meta.pos, "metadata.name",
                  "a second runtime for dataset " + key + " (one runtime per dataset)");
    }
    rt_by_key[key] = &rt;
    if (complete && !ds_by_key.count(key)) {
      diags.error(rt.meta.pos, "metadata.name",
                  "no Dataset named " + key + ": a runtime binds to the Dataset of its own name");
    }
  }
  std::set<std::string> profiles;
  for (const auto& p : objs.thin_profiles) {
    if (!profiles.insert(p.meta.name).second) {
      diags.error(p.meta.pos, "metadata.name", "duplicate ThinRuntimeProfile " + p.meta.name);
    }
  }
  for (const auto& rt : objs.runtimes) {
    if (complete && rt.engine == RuntimeEngine::kThin && !rt.profile_name.empty() &&
        !profiles.count(rt.profile_name)) {
      diags.error(rt.meta.pos, "spec.profileName",
                  "ThinRuntimeProfile \"" + rt.profile_name + "\" is not defined");
    }
  }
  for (const auto& dl : objs.dataloads) {
    std::string key = dl.dataset_namespace + "/" + dl.dataset_name;
    if (complete && !ds_by_key.count(key)) {
      diags.error(dl.meta.pos, "spec.dataset",
                  "DataLoad names Dataset " + key + ", which is not defined");
    }
  }
}

}  // namespace aqueduct::core
