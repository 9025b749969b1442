// A Kubernetes API client: JSON over HTTPS (cpp-httplib + OpenSSL) with a
// bearer token or a client certificate. Reads, writes (create, replace,
// merge/JSON patch, server-side apply, read-modify-write with conflict
// retries, subresources through their paths) and watches with
// resourceVersion and bookmarks. Thread-safe; a watch uses its own connection.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aqueduct/core/log/logger.h"
#include "aqueduct/core/status.h"
#include "aqueduct/k8s/kubeconfig.h"

namespace aqueduct::k8s {

using Json = nlohmann::ordered_json;

struct ApiResponse {
  int status = 0;  // HTTP status
  Json body;       // parsed JSON (null when the body was empty or not JSON)
};

// A non-2xx answer as a Status: 404 NotFound, 409 AlreadyExists (create) or
// Aborted (a conflict: re-read and retry), 400/422 InvalidArgument, 401/403
// FailedPrecondition, 410 FailedPrecondition ("Gone"), 429/5xx Unavailable.
// The message names the method, the path and the apiserver's own message.
core::Status api_error(int http_status, const Json& body, const std::string& method,
                       const std::string& path);

enum class PatchType { kMerge, kStrategicMerge, kJson };

// Lets another thread end a running watch at once (it closes the connection).
class WatchCancel {
 public:
  void cancel();
  bool cancelled() const { return cancelled_; }

 private:
  friend class ApiClient;
  std::mutex mu_;
  std::function<void()> closer_;
  std::atomic<bool> cancelled_{false};
};

struct WatchEvent {
  std::string type;  // ADDED, MODIFIED, DELETED, BOOKMARK
  Json object;
};

struct WatchEnd {
  std::string resource_version;  // the last one seen (objects and bookmarks)
  bool gone = false;             // 410: the version is too old, list again
};

class ApiClient {
 public:
  static core::Result<std::unique_ptr<ApiClient>> create(ClusterConfig config);
  ~ApiClient();

  // One request; transport failures are Unavailable, any HTTP answer is returned.
  core::Result<ApiResponse> request(const std::string& method, const std::string& path,
                                    const std::string& body = "",
                                    const std::string& content_type = "application/json");

  core::Result<Json> get(const std::string& path);
  core::Result<Json> create(const std::string& collection_path, const Json& object);
  core::Result<Json> replace(const std::string& path, const Json& object);
  core::Result<Json> patch(const std::string& path, const Json& patch,
                           PatchType type = PatchType::kMerge);
  // Server-side apply of a whole object as `field_manager` (force: take over fields).
  core::Result<Json> apply(const std::string& path, const Json& object,
                           const std::string& field_manager, bool force = true);
  core::Status remove(const std::string& path);
  // get -> mutate -> replace, re-reading on a conflict (up to `attempts` times).
  // `mutate` returning a non-ok Status stops without writing.
  core::Result<Json> update(const std::string& path,
                            const std::function<core::Status(Json&)>& mutate, int attempts = 5);

  // Streams the collection's changes after `resource_version` to `on_event`
  // until it returns false, the server ends the watch (timeout_seconds), the
  // connection breaks (an error), or `cancel` fires.
  core::Result<WatchEnd> watch(const std::string& collection_path,
                               const std::string& resource_version, int timeout_seconds,
                               const std::function<bool(const WatchEvent&)>& on_event,
                               WatchCancel* cancel = nullptr);

  const ClusterConfig& config() const { return config_; }
  // Where the informers, controllers and leader election built on this
  // client log (component "k8s"); set it before starting them.
  const core::Logger& log() const { return log_; }
  void set_logger(const core::Logger& log) { log_ = log.with_component("k8s"); }

 private:
  struct Connection;
  ApiClient() = default;
  core::Result<std::unique_ptr<Connection>> connect(int read_timeout_s) const;
  // Exec credential plugins: the current credential, fetched again when it
  // expires (checked before each request) or the server answers 401.
  core::Status refresh_credential();
  void refresh_if_expiring();
  mutable std::mutex cred_mu_;
  ExecCredential cred_;
  ClusterConfig config_;
  core::Logger log_{"k8s"};
  std::string host_;
  int port_ = 0;
  bool tls_ = true;
  // Keep-alive connections for request(), up to kMaxConnections in use at
  // once (controllers' workers talk in parallel); watches open their own.
  static constexpr std::size_t kMaxConnections = 8;
  std::unique_ptr<Connection> take_connection();
  void give_back(std::unique_ptr<Connection> c);
  std::mutex mu_;
  std::condition_variable free_cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;
};

// Paths of the API: "/api/v1/namespaces/ns/pods/name/status" and the like.
struct ResourceType {
  std::string group_version;  // "v1", "apps/v1", "data.fluid.io/v1alpha1"
  std::string plural;         // "pods"
  bool namespaced = true;
  std::string collection(const std::string& ns = "") const;
  std::string object(const std::string& ns, const std::string& name,
                     const std::string& subresource = "") const;
};

namespace resources {
const ResourceType& nodes();
const ResourceType& pods();
const ResourceType& persistent_volumes();
const ResourceType& persistent_volume_claims();
const ResourceType& config_maps();
const ResourceType& secrets();
const ResourceType& events();
const ResourceType& services();
const ResourceType& stateful_sets();
const ResourceType& daemon_sets();
const ResourceType& jobs();
const ResourceType& leases();
const ResourceType& datasets();
const ResourceType& data_loads();
const ResourceType& thin_runtime_profiles();  // cluster-scoped
// A Fluid runtime by kind: "JuiceFSRuntime" -> juicefsruntimes, ...
core::Result<ResourceType> runtime(const std::string& kind);
}  // namespace resources

}  // namespace aqueduct::k8s
