#include "aqueduct/k8s/informer.h"

#include <iostream>

namespace aqueduct::k8s {

std::string key_of(const Json& o) {
  if (!o.is_object() || !o.contains("metadata") || !o["metadata"].is_object()) return "";
  const Json& m = o["metadata"];
  std::string name =
      m.contains("name") && m["name"].is_string() ? m["name"].get<std::string>() : "";
  if (m.contains("namespace") && m["namespace"].is_string() &&
      !m["namespace"].get<std::string>().empty()) {
    return m["namespace"].get<std::string>() + "/" + name;
  }
  return name;
}

Informer::Informer(ApiClient& client, std::string collection_path)
    : client_(client), path_(std::move(collection_path)) {}

Informer::~Informer() { stop(); }

void Informer::add_handler(Handler h) { handlers_.push_back(std::move(h)); }
void Informer::on_resync(std::function<void()> fn) { resync_.push_back(std::move(fn)); }

void Informer::set_backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max) {
  backoff_initial_ = initial;
  backoff_max_ = max;
}

void Informer::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void Informer::stop() {
  stopping_ = true;
  cancel_.cancel();
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Informer::wait_synced(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return synced_; });
}

std::map<std::string, Json> Informer::snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return items_;
}

std::optional<Json> Informer::get(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = items_.find(key);
  if (it == items_.end()) return std::nullopt;
  return it->second;
}

std::string Informer::resource_version() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rv_;
}

InformerStats Informer::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

bool Informer::sleep_for(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  return !cv_.wait_for(lock, d, [&] { return stopping_.load(); });
}

void Informer::apply(ChangeType type, const Json& obj) {
  const std::string key = key_of(obj);
  if (key.empty()) return;
  std::optional<Json> old;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = items_.find(key);
    if (it != items_.end()) old = it->second;
    if (type == ChangeType::kDeleted) {
      if (it != items_.end()) items_.erase(it);
    } else {
      items_[key] = obj;
    }
    ++stats_.events;
  }
  if (type == ChangeType::kAdded && old) type = ChangeType::kUpdated;
  for (auto& h : handlers_) h(type, obj, old ? &*old : nullptr);
}

core::Status Informer::list_once() {
  AQ_ASSIGN_OR_RETURN(Json list, client_.get(path_));
  if (!list.is_object() || !list.contains("items") || !list["items"].is_array()) {
    return core::Status(core::StatusCode::kUnavailable,
                        "list " + path_ + ": no items in the answer");
  }
  std::map<std::string, Json> fresh;
  for (auto& item : list["items"]) {
    std::string k = key_of(item);
    if (!k.empty()) fresh[k] = item;
  }
  std::map<std::string, Json> before;
  {
    std::lock_guard<std::mutex> lock(mu_);
    before = items_;
  }
  // What changed while we were not watching: deletions first, then the rest.
  for (auto& [k, obj] : before) {
    if (!fresh.count(k)) apply(ChangeType::kDeleted, obj);
  }
  for (auto& [k, obj] : fresh) {
    auto it = before.find(k);
    if (it == before.end()) {
      apply(ChangeType::kAdded, obj);
    } else if (it->second != obj) {
      apply(ChangeType::kUpdated, obj);
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    rv_ = list.value("metadata", Json::object()).value("resourceVersion", "");
    synced_ = true;
    ++stats_.lists;
  }
  cv_.notify_all();
  for (auto& fn : resync_) fn();
  return core::Status::ok();
}

void Informer::run() {
  std::chrono::milliseconds backoff = backoff_initial_;
  bool need_list = true;
  while (!stopping_) {
    if (need_list) {
      core::Status st = list_once();
      if (!st.is_ok()) {
        client_.log().warn(st.message() + " (retrying in " + std::to_string(backoff.count()) +
                           " ms)");
        if (!sleep_for(backoff)) return;
        backoff = std::min(backoff * 2, backoff_max_);
        continue;
      }
      need_list = false;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.watches;
    }
    bool got_event = false;
    auto end = client_.watch(
        path_, resource_version(), watch_timeout_s_,
        [&](const WatchEvent& e) {
          got_event = true;
          if (e.type == "ADDED")
            apply(ChangeType::kAdded, e.object);
          else if (e.type == "MODIFIED")
            apply(ChangeType::kUpdated, e.object);
          else if (e.type == "DELETED")
            apply(ChangeType::kDeleted, e.object);
          // BOOKMARK: only its resourceVersion matters.
          std::string rv = e.object.value("metadata", Json::object()).value("resourceVersion", "");
          if (!rv.empty()) {
            std::lock_guard<std::mutex> lock(mu_);
            rv_ = rv;
          }
          return !stopping_.load();
        },
        &cancel_);
    if (stopping_) return;
    if (got_event) backoff = backoff_initial_;
    if (!end.ok()) {
      client_.log().warn(end.status().message() + " (reconnecting in " +
                         std::to_string(backoff.count()) + " ms)");
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++stats_.reconnects;
      }
      if (!sleep_for(backoff)) return;
      backoff = std::min(backoff * 2, backoff_max_);
      continue;
    }
    if (end->gone) {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.relists_after_gone;
      need_list = true;
    }
  }
}

}  // namespace aqueduct::k8s
