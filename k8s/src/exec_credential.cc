#include "aqueduct/k8s/exec_credential.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>

extern char** environ;

namespace aqueduct::k8s {
namespace {

using Json = nlohmann::json;

struct Output {
  int exit_code = -1;  // -1: killed (timeout or signal)
  std::string out, err;
  bool timed_out = false;
};

// Closes the descriptors it owns on every path.
struct Fds {
  int fd[4] = {-1, -1, -1, -1};  // out read, out write, err read, err write
  ~Fds() {
    for (int f : fd) {
      if (f >= 0) ::close(f);
    }
  }
  void close(int i) {
    if (fd[i] >= 0) ::close(fd[i]);
    fd[i] = -1;
  }
};

core::Result<Output> run(const ExecPlugin& p, const std::vector<std::string>& extra_env,
                         std::chrono::milliseconds timeout) {
  Fds fds;
  int o[2], e[2];
  if (::pipe2(o, O_CLOEXEC) != 0 || ::pipe2(e, O_CLOEXEC) != 0) {
    return core::Status(core::StatusCode::kUnavailable,
                        p.where + ": cannot create pipes: " + std::strerror(errno));
  }
  fds.fd[0] = o[0], fds.fd[1] = o[1], fds.fd[2] = e[0], fds.fd[3] = e[1];
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, o[1], 1);
  posix_spawn_file_actions_adddup2(&fa, e[1], 2);
  std::vector<std::string> args{p.command};
  args.insert(args.end(), p.args.begin(), p.args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The client's environment, then the plugin's variables, then the exec info.
  std::vector<std::string> env;
  for (char** v = environ; v && *v; ++v) env.emplace_back(*v);
  auto set = [&](const std::string& kv) {
    const std::string key = kv.substr(0, kv.find('=') + 1);
    std::erase_if(env, [&](const std::string& x) { return x.rfind(key, 0) == 0; });
    env.push_back(kv);
  };
  for (const auto& [k, v] : p.env) set(k + "=" + v);
  for (const auto& kv : extra_env) set(kv);
  std::vector<char*> envp;
  for (auto& v : env) envp.push_back(v.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, p.command.c_str(), &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    std::string msg = p.where + ": cannot run \"" + p.command + "\": " + std::strerror(rc);
    if (!p.install_hint.empty()) msg += " (" + p.install_hint + ")";
    return core::failed_precondition(msg);
  }
  fds.close(1);
  fds.close(3);
  Output out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  constexpr std::size_t kMaxBytes = 1 << 20;  // an ExecCredential is a few KiB
  while (fds.fd[0] >= 0 || fds.fd[2] >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      out.timed_out = true;
      break;
    }
    pollfd pf[2] = {{fds.fd[0], POLLIN, 0}, {fds.fd[2], POLLIN, 0}};
    const int n = ::poll(pf, 2, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[4096];
      const ssize_t got = ::read(pf[i].fd, buf, sizeof buf);
      if (got <= 0) {
        fds.close(i == 0 ? 0 : 2);
        continue;
      }
      std::string& dst = i == 0 ? out.out : out.err;
      if (dst.size() < kMaxBytes) dst.append(buf, static_cast<std::size_t>(got));
    }
  }
  if (out.timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!out.timed_out && WIFEXITED(status)) out.exit_code = WEXITSTATUS(status);
  return out;
}

std::string tail(const std::string& s, std::size_t n = 400) {
  std::string t = s.size() > n ? "..." + s.substr(s.size() - n) : s;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  return t;
}

// RFC 3339: 2006-01-02T15:04:05Z, with optional fractions and a +hh:mm offset.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(const std::string& s) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
      consumed != 19) {
    return std::nullopt;
  }
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  }
  long offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) {
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
    int h = 0, m = 0;
    if (std::sscanf(s.c_str() + i + 1, "%2d:%2d", &h, &m) != 2 || h > 23 || m > 59)
      return std::nullopt;
    offset = (s[i] == '+' ? 1 : -1) * (h * 3600L + m * 60L);
  } else {
    return std::nullopt;
  }
  const std::time_t t = ::timegm(&tm);
  return std::chrono::system_clock::from_time_t(t - offset);
}

}  // namespace

core::Result<ExecCredential> parse_exec_credential(const ExecPlugin& p, const std::string& text) {
  const std::string who = p.where + ": the output of \"" + p.command + "\"";
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return core::invalid_argument(who + " is not a JSON ExecCredential: \"" + tail(text, 120) +
                                  "\"");
  }
  if (j.value("kind", "") != "ExecCredential") {
    return core::invalid_argument(who + ": kind: expected ExecCredential, got \"" +
                                  (j.contains("kind") ? j["kind"].dump() : "") + "\"");
  }
  if (j.value("apiVersion", "") != p.api_version) {
    return core::invalid_argument(who + ": apiVersion: expected " + p.api_version +
                                  " (the kubeconfig's exec.apiVersion), got \"" +
                                  j.value("apiVersion", "") + "\"");
  }
  if (!j.contains("status") || !j["status"].is_object()) {
    return core::invalid_argument(who + ": status: missing (expected a token or a certificate)");
  }
  const Json& st = j["status"];
  auto str = [&](const char* key) -> core::Result<std::string> {
    if (!st.contains(key)) return std::string();
    if (!st[key].is_string())
      return core::invalid_argument(who + ": status." + key + ": expected a string");
    return st[key].get<std::string>();
  };
  ExecCredential c;
  AQ_ASSIGN_OR_RETURN(c.token, str("token"));
  AQ_ASSIGN_OR_RETURN(c.client_cert_pem, str("clientCertificateData"));
  AQ_ASSIGN_OR_RETURN(c.client_key_pem, str("clientKeyData"));
  AQ_ASSIGN_OR_RETURN(std::string expires, str("expirationTimestamp"));
  if (c.client_cert_pem.empty() != c.client_key_pem.empty()) {
    return core::invalid_argument(who +
                                  ": status.clientCertificateData and clientKeyData go together");
  }
  if (c.token.empty() && c.client_cert_pem.empty()) {
    return core::invalid_argument(
        who + ": status: expected a token or clientCertificateData and clientKeyData");
  }
  if (!expires.empty()) {
    c.expires = parse_rfc3339(expires);
    if (!c.expires) {
      return core::invalid_argument(who +
                                    ": status.expirationTimestamp: expected RFC 3339 "
                                    "(2006-01-02T15:04:05Z), got \"" +
                                    expires + "\"");
    }
  }
  return c;
}

core::Result<ExecCredential> run_exec_plugin(const ExecPlugin& p, const std::string& server,
                                             const std::string& ca_pem,
                                             std::chrono::milliseconds timeout) {
  Json info = {{"apiVersion", p.api_version},
               {"kind", "ExecCredential"},
               {"spec", {{"interactive", false}}}};
  if (p.provide_cluster_info) {
    info["spec"]["cluster"] = {{"server", server}};
    if (!ca_pem.empty()) info["spec"]["cluster"]["certificate-authority-data"] = ca_pem;
  }
  AQ_ASSIGN_OR_RETURN(Output out, run(p, {"KUBERNETES_EXEC_INFO=" + info.dump()}, timeout));
  const std::string cmd = p.where + ": \"" + p.command + "\"";
  if (out.timed_out) {
    return core::Status(
        core::StatusCode::kUnavailable,
        cmd + " gave no credential within " + std::to_string(timeout.count() / 1000) + " s");
  }
  if (out.exit_code != 0) {
    std::string msg =
        cmd + (out.exit_code < 0 ? " was killed by a signal"
                                 : " exited with status " + std::to_string(out.exit_code));
    if (!out.err.empty()) msg += ": " + tail(out.err);
    return core::Status(core::StatusCode::kPermissionDenied, msg);
  }
  return parse_exec_credential(p, out.out);
}

}  // namespace aqueduct::k8s
