// An in-process fake Kubernetes API server on 127.0.0.1 for unit tests of the
// live adapters: generic list/get/create/replace/patch/delete/watch of any
// resource path, resourceVersions, bookmarks, the status/scale/binding
// subresources, and faults on demand (dropped watches, compaction -> 410,
// failing requests). Plain HTTP, or HTTPS with a given certificate.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace aqueduct::testing {

class FakeApiServer {
 public:
  using Json = nlohmann::ordered_json;
  // With cert/key files: HTTPS. With a token: requests must carry it.
  explicit FakeApiServer(const std::string& token = "", const std::string& cert_file = "",
                         const std::string& key_file = "");
  ~FakeApiServer();
  std::string url() const;
  int port() const { return port_; }

  // Direct access for test setup and checks. `collection` is the group
  // version and plural, e.g. "v1/pods" or "data.fluid.io/v1alpha1/datasets".
  Json put(const std::string& collection, Json object);  // create or replace; emits an event
  Json get(const std::string& collection, const std::string& ns, const std::string& name) const;
  bool remove(const std::string& collection, const std::string& ns, const std::string& name);
  std::vector<Json> list(const std::string& collection) const;

  // Faults.
  void drop_watches();                    // every open watch connection breaks
  void compact();                         // older resourceVersions become 410 Gone
  void fail_next(int count, int status);  // the next non-watch requests fail
  void set_bookmark_interval(std::chrono::milliseconds d);

  int requests(const std::string& method) const;
  int open_watches() const { return open_watches_; }

 private:
  struct Event {
    long rv;
    std::string collection, ns, type;
    Json object;
  };
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  std::string token_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  long rv_ = 100;
  long compacted_ = 0;
  int generation_ = 0;                                        // bumped by drop_watches
  std::map<std::string, std::map<std::string, Json>> store_;  // collection -> "ns/name" -> object
  std::vector<Event> log_;
  int fail_count_ = 0, fail_status_ = 0;
  std::map<std::string, int> requests_;
  std::chrono::milliseconds bookmark_every_{200};
  std::atomic<int> open_watches_{0};
  std::atomic<bool> stopping_{false};
  std::thread thread_;

  Json put_locked(const std::string& collection, Json object, const char* type);
};

}  // namespace aqueduct::testing
