// A cache of one collection of Kubernetes objects, kept current by list +
// watch: it lists, then watches from the list's resourceVersion (with
// bookmarks), lists again when the version is gone (410), and reconnects
// with exponential backoff when the connection breaks. Handlers see every
// add, update and delete in order, from the informer's own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "aqueduct/k8s/api_client.h"

namespace aqueduct::k8s {

enum class ChangeType { kAdded, kUpdated, kDeleted };

struct InformerStats {
  std::uint64_t lists = 0, watches = 0, events = 0, relists_after_gone = 0, reconnects = 0;
};

class Informer {
 public:
  // `collection_path`: e.g. resources::pods().collection() (all namespaces),
  // optionally with "?labelSelector=...".
  Informer(ApiClient& client, std::string collection_path);
  ~Informer();
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // (change, object, previous object or null). Add before start().
  using Handler = std::function<void(ChangeType, const Json&, const Json*)>;
  void add_handler(Handler h);
  // Called after each full list (the cache then holds exactly the listed objects).
  void on_resync(std::function<void()> fn);

  void start();
  void stop();
  // True once the first list is in the cache.
  bool wait_synced(std::chrono::milliseconds timeout);

  // "namespace/name" (or "name" for cluster objects) -> object, a copy.
  std::map<std::string, Json> snapshot() const;
  std::optional<Json> get(const std::string& key) const;
  std::string resource_version() const;
  InformerStats stats() const;

  // Backoff between reconnects: doubles from `initial` up to `max`.
  void set_backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max);
  void set_watch_timeout(int seconds) { watch_timeout_s_ = seconds; }

 private:
  void run();
  core::Status list_once();
  void apply(ChangeType type, const Json& obj);
  bool sleep_for(std::chrono::milliseconds d);  // false when stopping

  ApiClient& client_;
  std::string path_;
  std::vector<Handler> handlers_;
  std::vector<std::function<void()>> resync_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Json> items_;
  std::string rv_;
  bool synced_ = false;
  std::atomic<bool> stopping_{false};
  WatchCancel cancel_;
  std::thread thread_;
  InformerStats stats_;
  std::chrono::milliseconds backoff_initial_{200}, backoff_max_{10000};
  int watch_timeout_s_ = 300;
};

// "namespace/name", or "name" for cluster-scoped objects.
std::string key_of(const Json& object);

}  // namespace aqueduct::k8s
