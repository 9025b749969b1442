#include "jindo_plan.h"

#include <algorithm>
#include <cstdio>
#include <tuple>

#include "aqueduct/core/hash.h"

namespace aqueduct::runtime_adapters::jindo {
namespace {

using Json = nlohmann::ordered_json;

std::string ratio(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string trim_right_slash(std::string s) {
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

std::string props_lines(const std::map<std::string, std::string>& props) {
  std::string out;
  for (const auto& [k, v] : props) out += k + " = " + v + "\n";
  return out;
}

// Adds `key` of Secret `secret` at `path` under /token; one source per Secret.
core::Status project(Json& projections, const std::string& secret, const std::string& key,
                     const std::string& path) {
  for (auto& p : projections) {
    for (const auto& item : p["items"]) {
      if (item["path"] != path) continue;
      if (p["name"] == secret && item["key"] == key) return core::Status::ok();
      return core::invalid_argument("two Secrets give the credential file /token/" + path);
    }
  }
  for (auto& p : projections) {
    if (p["name"] == secret) {
      p["items"].push_back({{"key", key}, {"path", path}});
      return core::Status::ok();
    }
  }
  projections.push_back(
      {{"name", secret}, {"items", Json::array({{{"key", key}, {"path", path}}})}});
  return core::Status::ok();
}

}  // namespace

std::string jindo_size(std::int64_t bytes) {
  constexpr std::int64_t kGi = std::int64_t{1} << 30, kMi = std::int64_t{1} << 20;
  if (bytes > 0 && bytes % kGi == 0) return std::to_string(bytes / kGi) + "g";
  if (bytes > 0 && bytes % kMi == 0) return std::to_string(bytes / kMi) + "m";
  return std::to_string(bytes);
}

std::string Plan::master_host(int i) const {
  return fullname + "-master-" + std::to_string(i) + "." + ns;
}

std::string Plan::rpc_addresses() const {
  std::string out;
  for (int i = 0; i < masters; ++i)
    out += (i ? "," : "") + master_host(i) + ":" + std::to_string(master_rpc);
  return out;
}

core::Result<Plan> plan(const core::Dataset& ds, const core::Runtime& rt) {
  const std::string ds_where = "Dataset " + ds.meta.namespace_ + "/" + ds.meta.name;
  const std::string rt_where = "JindoRuntime " + rt.meta.namespace_ + "/" + rt.meta.name;
  Plan p;
  p.ns = rt.meta.namespace_;
  p.fullname = rt.meta.name + "-jindofs";
  p.masters = rt.master.replicas == 3 ? 3 : 1;
  p.host_network = rt.network_mode != "ContainerNetwork";
  if (p.host_network) {
    // Three consecutive ports from the runtime's identity (see the header).
    const int base =
        20000 + 3 * static_cast<int>(core::fnv1a64("jindo/" + p.ns + "/" + rt.meta.name) % 3000);
    p.master_rpc = base;
    p.worker_rpc = base + 1;
    p.raft = base + 2;
  }
  auto image = [](const core::ComponentSpec& c, const char* repo) {
    return (c.image.empty() ? std::string(repo) : c.image) + ":" +
           (c.image_tag.empty() ? std::string(kDefaultTag) : c.image_tag);
  };
  p.image = image(rt.version, kDefaultImage);
  p.fuse_image = image(rt.fuse, kDefaultFuseImage);

  // Cache folders: the first tier's paths; the medium of the slowest tier.
  std::vector<std::string> paths = {"/dev/shm"};
  std::string medium = "MEM", volume_type = "hostPath";
  std::vector<std::string> quotas = {"1g"};
  if (!rt.tiers.empty()) {
    const core::TierLevel& l0 = rt.tiers.front();
    if (!l0.paths.empty()) paths = l0.paths;
    medium = core::medium_name(l0.medium);
    volume_type = l0.volume_type.empty() ? "hostPath" : l0.volume_type;
    quotas.clear();
    if (!l0.quota_list.empty()) {
      if (l0.quota_list.size() != paths.size()) {
        return core::invalid_argument(rt_where +
                                      ": spec.tieredstore.levels[0].quotaList: expected one quota "
                                      "per path (" +
                                      std::to_string(paths.size()) + ")");
      }
      for (auto q : l0.quota_list) quotas.push_back(jindo_size(q));
    } else {
      quotas.push_back(jindo_size(l0.quota_bytes));
    }
  }
  std::string data_path, quota_text;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const std::string dir =
        trim_right_slash(paths[i]) + "/" + p.ns + "/" + rt.meta.name + "/jindocache";
    if (i == 0) p.meta_path = dir;
    data_path += (i ? "," : "") + dir;
    p.worker_volumes[std::to_string(i + 1)] = {trim_right_slash(paths[i]), volume_type, medium,
                                               i < quotas.size() ? quotas[i] : ""};
  }
  for (std::size_t i = 0; i < quotas.size(); ++i) quota_text += (i ? "," : "") + quotas[i];
  p.data_path = data_path;
  p.quotas = quota_text;
  p.master_volumes["1"] = {p.meta_path, volume_type, medium, ""};
  const bool mem = rt.tiers.empty() || rt.tiers.back().medium == core::MediumType::kMem;

  // The master.
  p.master_props = {{"namespace.cluster.id", "local"},
                    {"namespace.oss.copy.size", "1073741824"},
                    {"namespace.filelet.threads", "200"},
                    {"namespace.blocklet.threads", "100"},
                    {"namespace.long-running.threads", "20"},
                    {"namespace.filelet.cache.size", "100000"},
                    {"namespace.blocklet.cache.size", "1000000"},
                    {"namespace.filelet.atime.enable", "false"},
                    {"namespace.permission.root.inode.perm.bits", "511"},
                    {"namespace.delete.scan.interval.second", "20"},
                    {"namespace.delete.scan.batch.size", "5000"},
                    {"namespace.backend.type", "rocksdb"}};
  if (p.masters == 3) {
    p.master_props["namespace.backend.type"] = "raft";
    std::string conf;
    for (int i = 0; i < 3; ++i)
      conf += (i ? "," : "") + p.fullname + "-master-" + std::to_string(i) + ":" +
              std::to_string(p.raft) + ":0";
    p.master_props["namespace.backend.raft.initial-conf"] = conf;
  }
  p.master_props["namespace.rpc.port"] = std::to_string(p.master_rpc);
  p.master_props["namespace.meta-dir"] = p.meta_path + "/server";
  for (const auto& [k, v] : rt.master.properties) p.master_props[k] = v;

  // Each mount: a cacheset, its store's properties, its credentials' files.
  std::string mount_type = "oss";
  std::map<std::string, std::string> bucket_secrets;  // OSS bucket -> secrets:// URI
  std::string other_secret;                           // the non-OSS credentials' Secret
  for (std::size_t i = 0; i < ds.mounts.size(); ++i) {
    const core::Mount& m = ds.mounts[i];
    const std::string where = ds_where + ": spec.mounts[" + std::to_string(i) + "]";
    std::map<std::string, std::string> o = ds.shared_options;
    for (const auto& [k, v] : m.options) o[k] = v;
    std::vector<core::EncryptOption> secrets = ds.shared_encrypt_options;
    secrets.insert(secrets.end(), m.encrypt_options.begin(), m.encrypt_options.end());
    if (starts_with(m.mount_point, "pvc://")) {
      return core::invalid_argument(where +
                                    ".mountPoint: pvc:// mounts are not rendered for "
                                    "JindoRuntime (mount the claim's storage by its URI)");
    }
    CacheSet cs{m.name, m.mount_point, "DISTRIBUTED", "ONCE", "CACHE_ASIDE", "WRITE_AROUND"};
    if (auto it = o.find("metaPolicy"); it != o.end()) {
      if (it->second != "ONCE" && it->second != "ALWAYS")
        return core::invalid_argument(
            where + ".options.metaPolicy: expected ONCE or ALWAYS, got \"" + it->second + "\"");
      cs.meta_policy = it->second;
    }
    if (o.count("cacheStrategy") && o["cacheStrategy"] == "DHT") {
      if (cs.meta_policy != "ONCE")
        return core::invalid_argument(
            where + ".options.cacheStrategy: DHT needs metaPolicy ONCE, got " + cs.meta_policy);
      cs.strategy = "DHT";
    }
    for (auto [key, field] : {std::pair<const char*, int*>{"readCacheReplica", &cs.read_replicas},
                              {"writeCacheReplica", &cs.write_replicas}}) {
      auto it = o.find(key);
      if (it == o.end() || it->second.empty()) continue;
      try {
        std::size_t used = 0;
        *field = std::stoi(it->second, &used);
        if (used != it->second.size()) throw std::invalid_argument("trailing");
      } catch (const std::exception&) {
        return core::invalid_argument(where + ".options." + key + ": expected a number, got \"" +
                                      it->second + "\"");
      }
    }
    if (o.count("writePolicy") &&
        (o["writePolicy"] == "WRITE_THROUGH" || o["writePolicy"] == "CACHE_ONLY"))
      cs.write_policy = o["writePolicy"];
    if (cs.write_policy == "CACHE_ONLY" && cs.meta_policy != "ONCE")
      return core::invalid_argument(where +
                                    ".options.writePolicy: CACHE_ONLY needs metaPolicy ONCE");
    p.cachesets[m.name] = cs;

    std::string mp = m.mount_point;
    if (mp.back() != '/') mp += '/';
    if (starts_with(mp, "local:///")) {
      // The host folder, in the master and every worker and client.
      p.master_volumes[m.name] = {mp.substr(8), "hostPath", "", ""};
      p.worker_volumes[m.name] = {mp.substr(8), "hostPath", "", ""};
      continue;
    }
    mount_type = "oss";
    std::string bucket;
    if (starts_with(mp, "oss://")) {
      bucket = mp.substr(6, mp.find('/', 6) - 6);
      if (bucket.empty()) return core::invalid_argument(where + ".mountPoint: no OSS bucket");
      if (o["fs.oss.endpoint"].empty())
        return core::invalid_argument(where + ".options: fs.oss.endpoint is required for OSS");
      const std::string key = "jindocache.oss.bucket." + bucket;
      p.filestore_props[key + ".endpoint"] = o["fs.oss.endpoint"];
      if (o["fs.oss.endpoint"].find("dls") != std::string::npos)
        p.filestore_props[key + ".data.lake.storage.enable"] = "true";
      // Credentials written as plain options (the user chose plaintext).
      for (const char* f : {"accessKeyId", "accessKeySecret"}) {
        const std::string opt = std::string("fs.oss.") + f;
        bool secret = false;
        for (const auto& eo : secrets) secret |= eo.name == opt;
        if (!secret && !o[opt].empty()) p.filestore_props[key + "." + f] = o[opt];
      }
    }
    auto endpoint = [&](const char* type, std::initializer_list<const char*> fields) {
      mount_type = type;
      for (const char* f : fields) {
        const std::string opt = std::string("fs.") + type + "." + f;
        if (!o[opt].empty())
          p.filestore_props[std::string("jindocache.") + type + "." + f] = o[opt];
      }
    };
    if (starts_with(mp, "s3://")) endpoint("s3", {"endpoint", "region"});
    if (starts_with(mp, "cos://")) endpoint("cos", {"endpoint"});
    if (starts_with(mp, "obs://")) endpoint("obs", {"endpoint"});
    if (starts_with(mp, "dls://")) endpoint("dls", {"endpoint", "region"});
    if (starts_with(mp, "hdfs://")) {
      mount_type = "hdfs";
      // fs.* options become jindocache.* (the rest, such as dfs.*, stay as written).
      for (const auto& [k, v] : o)
        p.filestore_props[starts_with(k, "fs.") ? "jindocache" + k.substr(2) : k] = v;
    }
    for (const auto& eo : secrets) {
      if (eo.secret_key_ref.name.empty() || eo.secret_key_ref.key.empty())
        return core::invalid_argument(where + ".encryptOptions: " + eo.name +
                                      " needs both a Secret name and a key");
      std::string file;
      if (mount_type == "oss" && !bucket.empty()) {
        if (eo.name == "fs.oss.accessKeyId") file = bucket + "/AccessKeyId";
        if (eo.name == "fs.oss.accessKeySecret") file = bucket + "/AccessKeySecret";
        if (file.empty()) continue;
        bucket_secrets[bucket] = "secrets:///token/" + bucket + "/";
      } else {
        if (eo.name == "fs." + mount_type + ".accessKeyId") file = "AccessKeyId";
        if (eo.name == "fs." + mount_type + ".accessKeySecret") file = "AccessKeySecret";
        if (file.empty()) continue;
        other_secret = eo.secret_key_ref.name;
      }
      if (auto s =
              project(p.secret_projections, eo.secret_key_ref.name, eo.secret_key_ref.key, file);
          !s.ok())
        return core::invalid_argument(where + ".encryptOptions: " + s.message());
    }
  }
  // One endpoint shared by every OSS bucket is also the client's default.
  std::string single_endpoint;
  bool one_endpoint = true;
  for (const auto& [k, v] : p.filestore_props) {
    if (!starts_with(k, "jindocache.oss.bucket.") || k.size() < 9 ||
        k.compare(k.size() - 9, 9, ".endpoint") != 0)
      continue;
    if (single_endpoint.empty()) single_endpoint = v;
    one_endpoint = one_endpoint && single_endpoint == v;
  }
  if (!one_endpoint) single_endpoint.clear();

  // The workers.
  p.worker_props = {
      {"storage.cluster.id", "local"},           {"storage.compaction.enable", "false"},
      {"storage.compaction.period.minute", "2"}, {"storage.maintainence.period.minute", "2"},
      {"storage.compaction.threshold", "16"},    {"storage.cache.filelet.worker.threads", "200"},
      {"storage.address", "localhost"}};
  if (mem) {
    p.worker_props["storage.ram.cache.size"] = p.quotas;
    p.worker_props["storage.slicelet.buffer.size"] = p.quotas;
  }
  p.worker_props["storage.rpc.port"] = std::to_string(p.worker_rpc);
  p.worker_props["storage.data-dirs"] = p.data_path;
  p.worker_props["storage.watermark.high.ratio"] =
      rt.tiers.empty() ? "0.8" : ratio(rt.tiers.front().high);
  p.worker_props["storage.watermark.low.ratio"] =
      rt.tiers.empty() ? "0.6" : ratio(rt.tiers.front().low);
  p.worker_props["storage.data-dirs.capacities"] = p.quotas;
  for (const auto& [k, v] : rt.worker.properties) p.worker_props[k] = v;

  // Logs.
  p.log_config = {{"application.report.on", "true"},
                  {"metric.report.on", "true"},
                  {"logger.dir", "/tmp/jindocache-log"},
                  {"logger.cleanner.enable", "true"},
                  {"logger.consolelogger", "true"},
                  {"logger.jnilogger", "false"},
                  {"logger.sync", "false"},
                  {"logger.verbose", "0"}};
  p.fuse_log_config = {{"logger.dir", "/tmp/fuse-log"}, {"logger.consolelogger", "true"},
                       {"logger.level", "2"},           {"logger.cleaner.enable", "true"},
                       {"logger.sync", "false"},        {"logger.verbose", "0"},
                       {"hadoopConf.enable", "false"}};
  auto bucket_provider = [&](std::map<std::string, std::string>& props) {
    for (const auto& [b, uri] : bucket_secrets) {
      props["fs.oss.bucket." + b + ".credentials.provider"] =
          "com.aliyun.jindodata.oss.auth.CustomCredentialsProvider";
      props["fs.oss.bucket." + b + ".provider.endpoint"] = uri;
      props["fs.oss.bucket." + b + ".provider.format"] = "JSON";
      props["aliyun.oss.bucket." + b + ".provider.url"] = uri;
    }
  };
  if (!bucket_secrets.empty()) {
    p.fuse_log_config["aliyun.oss.provider.url"] = "secrets:///token/";
    p.fuse_log_config["fs.oss.provider.endpoint"] = "secrets:///token/";
    p.fuse_log_config["fs.oss.provider.format"] = "JSON";
    bucket_provider(p.fuse_log_config);
    for (const auto& [b, uri] : bucket_secrets) {
      auto it = p.filestore_props.find("jindocache.oss.bucket." + b + ".endpoint");
      if (it != p.filestore_props.end())
        p.fuse_log_config["fs.oss.bucket." + b + ".endpoint"] = it->second;
    }
    if (!single_endpoint.empty()) {
      p.fuse_log_config["fs.oss.endpoint"] = single_endpoint;
      p.fuse_log_config["aliyun.oss.endpoint"] = single_endpoint;
    }
  }

  // The FUSE client.
  const bool read_only = std::find(ds.access_modes.begin(), ds.access_modes.end(),
                                   "ReadOnlyMany") != ds.access_modes.end();
  p.fuse_props = {{"fs.jindocache.request.user", "root"},
                  {"fs.jindocache.tmp.data.dir", "/tmp"},
                  {"fs.jindocache.client.metrics.enable", "true"},
                  {"fs.jindocache.rpc.timeout", "30000"},
                  {"fs.oss.download.queue.size", "16"},
                  {"fs.oss.download.thread.concurrency", "32"},
                  {"fs.s3.download.queue.size", "16"},
                  {"fs.s3.download.thread.concurrency", "32"},
                  {"fs.xengine", "jindocache"},
                  {"jindofsx.read.readahead.prefetcher.version", "default"}};
  const std::string fuse_tag = p.fuse_image.substr(p.fuse_image.rfind(':') + 1);
  {
    // Clients up to 6.2.0 know only the legacy prefetcher.
    int a = 0, b = 0, c = 0;
    if (std::sscanf(fuse_tag.c_str(), "%d.%d.%d", &a, &b, &c) == 3 &&
        std::make_tuple(a, b, c) <= std::make_tuple(6, 2, 0))
      p.fuse_props["jindofsx.read.readahead.prefetcher.version"] = "legacy";
  }
  if (read_only) p.fuse_props["fs.jindocache.read.only.enable"] = "true";
  for (const auto& [k, v] : p.filestore_props) p.fuse_props["fs" + k.substr(10)] = v;
  p.fuse_props["fs.jindocache.storage.rpc.port"] = std::to_string(p.worker_rpc);
  p.fuse_props["fs.jindocache.ram.cache.enable"] = mem ? "true" : "false";
  if (!other_secret.empty() || !bucket_secrets.empty()) {
    p.fuse_props["fs." + mount_type + ".credentials.provider"] =
        "com.aliyun.jindodata.oss.auth.CustomCredentialsProvider";
    p.fuse_props["aliyun." + mount_type + ".provider.url"] = "secrets:///token/";
    p.fuse_props["fs." + mount_type + ".provider.endpoint"] = "secrets:///token/";
    p.fuse_props["fs." + mount_type + ".provider.format"] = "JSON";
  }
  bucket_provider(p.fuse_props);
  if (!single_endpoint.empty()) {
    p.fuse_props["fs.oss.endpoint"] = single_endpoint;
    p.fuse_props["jindocache.oss.endpoint"] = single_endpoint;
    p.fuse_props["aliyun.oss.endpoint"] = single_endpoint;
  }
  for (const auto& [k, v] : rt.fuse.properties) p.fuse_props[k] = v;
  p.client_props = p.fuse_props;

  if (!rt.fuse.args.empty()) {
    p.fuse_args = rt.fuse.args;
  } else if (read_only) {
    p.fuse_args = {"-okernel_cache", "-oro", "-oattr_timeout=7200", "-oentry_timeout=7200",
                   "-onegative_timeout=7200"};
  } else {
    p.fuse_args = {"-oauto_cache", "-oattr_timeout=0", "-oentry_timeout=0", "-onegative_timeout=0"};
  }
  if (rt.fuse.args.empty() && ds.mounts.size() <= 1) p.fuse_args.push_back("-ono_symlink");
  if (rt.master.disabled && rt.worker.disabled && !ds.mounts.empty())
    p.fuse_args.push_back("-ouri=" + ds.mounts.front().mount_point);
  return p;
}

std::string Plan::jindocache_cfg() const {
  std::string out = "[jindocache-common]\n" + props_lines(log_config) +
                    props_lines(filestore_props) + "\n[jindocache-server]\n" +
                    props_lines(master_props) + "\n[jindocache-worker]\n" +
                    props_lines(worker_props) + "\n[common]\n" + props_lines(fuse_log_config) +
                    "\n[jindocache-client]\n";
  if (masters == 1 || masters == 3)
    out += "fs.jindocache.namespace.rpc.address = " + rpc_addresses() + "\n";
  return out + props_lines(client_props);
}

std::string Plan::cacheset_xml() const {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<cachesets>\n";
  auto esc = [](const std::string& s) {
    std::string r;
    for (char c : s) {
      switch (c) {
        case '&':
          r += "&amp;";
          break;
        case '<':
          r += "&lt;";
          break;
        case '>':
          r += "&gt;";
          break;
        default:
          r += c;
      }
    }
    return r;
  };
  for (const auto& [name, c] : cachesets) {
    out += "   <cacheset>\n      <name>" + esc(c.name) + "</name>\n      <path>" + esc(c.path) +
           "</path>\n      <cacheStrategy>" + c.strategy +
           "</cacheStrategy>\n      <metaPolicy>\n         <type>" + c.meta_policy +
           "</type>\n      </metaPolicy>\n      <readPolicy>" + c.read_policy +
           "</readPolicy>\n      <readCacheReplica>" + std::to_string(c.read_replicas) +
           "</readCacheReplica>\n      <writePolicy>" + c.write_policy +
           "</writePolicy>\n      <writeCacheReplica>" + std::to_string(c.write_replicas) +
           "</writeCacheReplica>\n   </cacheset>\n";
  }
  return out + "</cachesets>\n";
}

std::string Plan::jindosdk_cfg() const {
  return "[common]\n" + props_lines(fuse_log_config) +
         "\n[jindosdk]\nfs.jindocache.namespace.rpc.address = " + rpc_addresses() + "\n" +
         props_lines(fuse_props);
}

}  // namespace aqueduct::runtime_adapters::jindo
