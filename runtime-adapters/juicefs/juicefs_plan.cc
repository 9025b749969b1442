#include "juicefs_plan.h"

#include "../common/fuse_common.h"
#include "aqueduct/core/quantity.h"

namespace aqueduct::runtime_adapters::juicefs {
namespace {

namespace fc = fuse_common;
using Json = nlohmann::ordered_json;

constexpr const char* kCeImage = "juicedata/juicefs-fuse:ce-v1.3.0";
constexpr const char* kEeImage = "juicedata/juicefs-fuse:ee-5.2.10-eb0a8b3";
constexpr const char* kCeMount = "/bin/mount.juicefs";
constexpr const char* kEeMount = "/sbin/mount.juicefs";
constexpr const char* kCeCli = "/usr/local/bin/juicefs";
constexpr const char* kEeCli = "/usr/bin/juicefs";
constexpr const char* kDefaultCacheDir = "/var/jfsCache";
constexpr const char* kMetrics = "0.0.0.0:9567";

std::string join_options(const std::map<std::string, std::string>& m) {
  std::string out;
  for (const auto& [k, v] : m) out += (out.empty() ? "" : ",") + (v.empty() ? k : k + "=" + v);
  return out;
}

void set_default(std::map<std::string, std::string>& m, const std::string& k,
                 const std::string& v) {
  m.emplace(k, v);
}

bool valid_env_name(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

std::string timestamped(const std::string& what) {
  return "echo \"$(date '+%Y/%m/%d %H:%M:%S') juicefs " + what + " start.\"\n";
}

}  // namespace

std::string shell_word(const std::string& s) {
  bool safe = !s.empty();
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) ||
          std::string("_./:=,@%+-").find(c) != std::string::npos)) {
      safe = false;
      break;
    }
  }
  if (safe) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string fuse_script_config_map(const core::Runtime& rt) {
  return rt.meta.name + "-fuse-script";
}
std::string worker_script_config_map(const core::Runtime& rt) {
  return rt.meta.name + "-worker-script";
}

// Format (community) or, once, auth (enterprise) before the mount.
std::string Plan::prepare_lines() const {
  if (format_cmd.empty()) return "";
  if (community) return timestamped("format") + format_cmd + "\n";
  return "if [ ! -f /root/.juicefs/" + shell_word(name) + ".conf ]; then\n" + timestamped("auth") +
         format_cmd + "\nfi\n";
}

std::string Plan::fuse_script() const {
  std::string s = "#!/bin/bash\nset -e\n" + prepare_lines();
  if (!quota_cmd.empty()) s += timestamped("set quota") + quota_cmd + "\n";
  return s + timestamped("mount") + fuse_cmd + "\n";
}

std::string Plan::worker_script() const {
  return "#!/bin/bash\n" + prepare_lines() + timestamped("mount") + worker_cmd + "\n";
}

core::Result<Plan> plan(const core::Dataset& ds, const core::Runtime& rt) {
  const std::string where = "Dataset " + ds.meta.namespace_ + "/" + ds.meta.name;
  if (ds.mounts.empty()) return core::invalid_argument(where + ": spec.mounts: none to mount");
  const core::Mount& m = ds.mounts.front();
  Plan p;
  p.name = m.name.empty() ? ds.meta.name : m.name;

  // The edition and the secrets: every encryptOption becomes env from its Secret.
  std::vector<const core::EncryptOption*> secrets;
  for (const auto& eo : ds.shared_encrypt_options) secrets.push_back(&eo);
  for (const auto& eo : m.encrypt_options) secrets.push_back(&eo);
  bool metaurl = false, token = false, access = false, secret = false;
  std::map<std::string, std::string> env_of;  // option name -> env name, last one wins
  std::vector<std::pair<std::string, std::string>> extra_env;  // option, env name
  for (const auto* eo : secrets) {
    std::string env;
    if (eo->name == "metaurl") {
      env = "METAURL";
      metaurl = true;
    } else if (eo->name == "token") {
      env = "TOKEN";
      token = true;
    } else if (eo->name == "access-key") {
      env = "ACCESS_KEY";
      access = true;
    } else if (eo->name == "secret-key") {
      env = "SECRET_KEY";
      secret = true;
    } else if (eo->name == "quota") {
      continue;
    } else {
      env = eo->name;
      for (auto& c : env) c = c == '-' ? '_' : c;
      if (!valid_env_name(env))
        return core::invalid_argument(where + ": spec.mounts[0].encryptOptions \"" + eo->name +
                                      "\": becomes the env variable \"" + env +
                                      "\", which is not a valid name");
      extra_env.emplace_back(eo->name, env);
    }
    env_of[eo->name] = env;
  }
  if (!metaurl && !token)
    return core::invalid_argument(where +
                                  ": spec.mounts[].encryptOptions: JuiceFS needs a \"metaurl\" "
                                  "(community) or \"token\" (enterprise) secret reference");
  p.community = metaurl;
  const std::string source = p.community ? "${METAURL}" : shell_word(p.name);
  p.env = Json::array({{{"name", "JFS_FOREGROUND"}, {"value", "1"}}});
  for (const auto& [opt, env] : env_of) {
    Json e = fc::secret_env(ds, env, opt);
    if (!e.is_null()) p.env.push_back(std::move(e));
  }

  // Dataset options: storage and bucket go to format; quota to `quota set`.
  std::map<std::string, std::string> ds_options;
  std::string storage, bucket, quota;
  for (const auto* opts : {&ds.shared_options, &m.options}) {
    for (const auto& [k, v] : *opts) {
      if (k == "storage") {
        storage = v;
      } else if (k == "bucket") {
        bucket = v;
      } else if (k == "quota") {
        quota = v;
      } else {
        ds_options[k] = v;
      }
    }
  }

  // The mount point: juicefs:///sub/path names a sub path of the volume.
  // Another scheme (oss://bucket/dir, as the volume's storage) mounts the
  // volume's root, where Fluid would refuse the dataset.
  const std::string scheme = "juicefs://";
  std::string sub = "/";
  if (m.mount_point.rfind(scheme, 0) == 0) {
    sub = m.mount_point.substr(scheme.size());
    if (sub.empty()) sub = "/";
    if (sub.front() != '/') sub = "/" + sub;
    while (sub.size() > 1 && sub.back() == '/') sub.pop_back();
  }

  // Options every client gets: the sub path and the first tier level's cache.
  std::map<std::string, std::string> base;
  if (sub != "/") base["subdir"] = sub;
  std::string cache_dir;
  if (!rt.tiers.empty()) {
    const auto& level = rt.tiers.front();
    for (const auto& path : level.paths) cache_dir += (cache_dir.empty() ? "" : ":") + path;
    if (level.quota_bytes > 0) base["cache-size"] = std::to_string(level.quota_bytes >> 20);
    if (!level.low_text.empty()) base["free-space-ratio"] = level.low_text;
  }
  if (cache_dir.empty()) cache_dir = kDefaultCacheDir;
  base["cache-dir"] = cache_dir;
  for (std::size_t at = 0; at <= cache_dir.size();) {
    auto colon = cache_dir.find(':', at);
    std::string d =
        cache_dir.substr(at, colon == std::string::npos ? std::string::npos : colon - at);
    if (!d.empty() && d != "memory") p.cache_dirs.push_back(d);
    if (colon == std::string::npos) break;
    at = colon + 1;
  }

  bool read_only = ds.access_modes.empty();  // Fluid's default: ReadOnlyMany
  for (const auto& mode : ds.access_modes) read_only = read_only || mode == "ReadOnlyMany";
  const std::string group = ds.meta.namespace_ + "-" + rt.meta.name;

  // The FUSE: dataset options, overridden by the base, then by spec.fuse.options.
  p.fuse_options = ds_options;
  for (const auto& [k, v] : base) p.fuse_options[k] = v;
  for (const auto& [k, v] : rt.fuse.options) p.fuse_options[k] = v;
  p.fuse_options.erase("bucket2");
  if (read_only) p.fuse_options["ro"] = "";
  // Workers: the base and spec.worker.options (the dataset's own options do
  // not reach them, as in Fluid).
  p.worker_options = base;
  for (const auto& [k, v] : rt.worker.options) p.worker_options[k] = v;
  if (p.community) {
    if (read_only) {
      set_default(p.fuse_options, "attr-cache", "7200");
      set_default(p.fuse_options, "entry-cache", "7200");
    }
    set_default(p.fuse_options, "metrics", kMetrics);
    set_default(p.worker_options, "metrics", kMetrics);
  } else {
    if (read_only) {
      set_default(p.fuse_options, "attrcacheto", "7200");
      set_default(p.fuse_options, "entrycacheto", "7200");
    }
    for (auto* o : {&p.fuse_options, &p.worker_options}) {
      (*o)["foreground"] = "";
      (*o)["no-update"] = "";
      set_default(*o, "cache-group", group);
    }
    set_default(p.fuse_options, "no-sharing", "");
    p.worker_options.erase("no-sharing");
  }
  const std::string mp = fc::mount_point("juicefs", ds);
  const char* mount_bin = p.community ? kCeMount : kEeMount;
  p.fuse_cmd = std::string("exec ") + mount_bin + " " + source + " " + shell_word(mp) + " -o " +
               shell_word(join_options(p.fuse_options));
  p.worker_cmd = std::string("exec ") + mount_bin + " " + source + " " + shell_word(mp) + " -o " +
                 shell_word(join_options(p.worker_options));

  // Format (community) or auth (enterprise, only with a token).
  std::vector<std::string> args;
  for (const auto& c : rt.configs) {
    std::string t = c;
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.erase(0, 1);
    if (!t.empty()) args.push_back("--" + shell_word(t));
  }
  if (p.community) {
    if (access) args.push_back("--access-key=${ACCESS_KEY}");
    if (secret) args.push_back("--secret-key=${SECRET_KEY}");
    if (storage.empty() || bucket.empty()) args.push_back("--no-update");
    if (!storage.empty()) args.push_back("--storage=" + shell_word(storage));
    if (!bucket.empty()) args.push_back("--bucket=" + shell_word(bucket));
    for (const auto& [k, v] : ds_options)
      args.push_back("--" + shell_word(k) + "=" + shell_word(v));
    for (const auto& [opt, env] : extra_env)
      args.push_back("--" + shell_word(opt) + "=${" + env + "}");
    args.push_back(source);
    args.push_back(shell_word(p.name));
    p.format_cmd = std::string(kCeCli) + " format";
  } else if (token) {
    args.push_back("--token=${TOKEN}");
    if (access) args.push_back("--accesskey=${ACCESS_KEY}");
    if (secret) args.push_back("--secretkey=${SECRET_KEY}");
    if (!bucket.empty()) args.push_back("--bucket=" + shell_word(bucket));
    if (auto b2 = ds_options.find("bucket2"); b2 != ds_options.end())
      args.push_back("--bucket2=" + shell_word(b2->second));
    for (const auto& [opt, env] : extra_env)
      if (opt == "access-key2" || opt == "secret-key2")
        args.push_back("--" + opt + "=${" + env + "}");
    args.push_back(source);
    p.format_cmd = std::string(kEeCli) + " auth";
  }
  for (const auto& a : args) p.format_cmd += " " + a;

  if (!quota.empty()) {
    if (sub == "/")
      return core::invalid_argument(where +
                                    ": spec.mounts[0].options.quota: a quota needs a "
                                    "sub path in the mountPoint (juicefs:///sub/path)");
    auto q = core::parse_quantity(quota);
    if (!q.ok() || q->as_int() < (std::int64_t{1} << 30))
      return core::invalid_argument(where + ": spec.mounts[0].options.quota \"" + quota +
                                    "\": expected a quantity of at least 1Gi");
    p.quota_cmd = std::string(p.community ? kCeCli : kEeCli) + " quota set " + source + " --path " +
                  shell_word(sub) + " --capacity " + std::to_string(q->as_int() >> 30);
  }
  const std::string fallback = p.community ? kCeImage : kEeImage;
  p.image = fc::fuse_image(rt, fallback);
  return p;
}

}  // namespace aqueduct::runtime_adapters::juicefs
