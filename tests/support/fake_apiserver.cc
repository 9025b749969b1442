#include "support/fake_apiserver.h"

#include <httplib.h>

#include <sstream>

namespace aqueduct::testing {
namespace {

using Json = FakeApiServer::Json;

struct Target {
  std::string collection, ns, name, sub;
  bool ok = false;
};

// /api/v1/[namespaces/NS/]PLURAL[/NAME[/SUB]] and /apis/G/V/...
Target parse_path(const std::string& path) {
  std::vector<std::string> seg;
  std::stringstream ss(path);
  for (std::string s; std::getline(ss, s, '/');) {
    if (!s.empty()) seg.push_back(s);
  }
  Target t;
  std::size_t i = 0;
  std::string gv;
  if (seg.size() >= 2 && seg[0] == "api") {
    gv = seg[1];
    i = 2;
  } else if (seg.size() >= 3 && seg[0] == "apis") {
    gv = seg[1] + "/" + seg[2];
    i = 3;
  } else {
    return t;
  }
  std::vector<std::string> rest(seg.begin() + static_cast<long>(i), seg.end());
  if (rest.size() >= 3 && rest[0] == "namespaces") {
    t.ns = rest[1];
    rest.erase(rest.begin(), rest.begin() + 2);
  }
  if (rest.empty() || rest.size() > 3) return t;
  t.collection = gv + "/" + rest[0];
  if (rest.size() >= 2) t.name = rest[1];
  if (rest.size() == 3) t.sub = rest[2];
  t.ok = true;
  return t;
}

Json status_body(int code, const std::string& reason, const std::string& message) {
  return Json{{"kind", "Status"},   {"apiVersion", "v1"}, {"status", "Failure"},
              {"message", message}, {"reason", reason},   {"code", code}};
}

void reply(httplib::Response& res, int code, const Json& body) {
  res.status = code;
  res.set_content(body.dump(), "application/json");
}

bool labels_match(const Json& obj, const std::string& selector) {
  if (selector.empty()) return true;
  std::stringstream ss(selector);
  for (std::string term; std::getline(ss, term, ',');) {
    auto eq = term.find('=');
    if (eq == std::string::npos) {  // "key": the label exists
      const Json labels = obj.value("metadata", Json::object()).value("labels", Json::object());
      if (!labels.contains(term)) return false;
      continue;
    }
    std::string k = term.substr(0, eq), v = term.substr(eq + 1);
    if (!v.empty() && v[0] == '=') v = v.substr(1);
    const Json labels = obj.value("metadata", Json::object()).value("labels", Json::object());
    if (!labels.contains(k) || labels[k] != v) return false;
  }
  return true;
}

std::string key(const std::string& ns, const std::string& name) { return ns + "/" + name; }

}  // namespace

struct FakeApiServer::Impl {
  std::unique_ptr<httplib::Server> server;
};

FakeApiServer::FakeApiServer(const std::string& token, const std::string& cert_file,
                             const std::string& key_file)
    : impl_(std::make_unique<Impl>()), token_(token) {
  if (!cert_file.empty()) {
    impl_->server = std::make_unique<httplib::SSLServer>(cert_file.c_str(), key_file.c_str());
  } else {
    impl_->server = std::make_unique<httplib::Server>();
  }
  auto& srv = *impl_->server;
  srv.new_task_queue = [] { return new httplib::ThreadPool(16); };
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++requests_[req.method];
    }
    if (!token_.empty() && req.get_header_value("Authorization") != "Bearer " + token_) {
      return reply(res, 401, status_body(401, "Unauthorized", "Unauthorized"));
    }
    Target t = parse_path(req.path);
    if (!t.ok)
      return reply(res, 404, status_body(404, "NotFound", "the server could not find " + req.path));
    const bool watch =
        req.get_param_value("watch") == "1" || req.get_param_value("watch") == "true";
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!watch && fail_count_ > 0) {
        --fail_count_;
        return reply(res, fail_status_,
                     status_body(fail_status_, "InternalError", "injected failure"));
      }
    }
    const std::string selector = req.get_param_value("labelSelector");
    if (req.method == "GET" && t.name.empty() && watch) {
      long from = std::atol(req.get_param_value("resourceVersion").c_str());
      const int timeout_s = std::max(1, std::atoi(req.get_param_value("timeoutSeconds").c_str()));
      const bool bookmarks = req.get_param_value("allowWatchBookmarks") == "true";
      int gen;
      {
        std::lock_guard<std::mutex> lock(mu_);
        gen = generation_;
        if (from == 0) from = rv_;
      }
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
      auto cursor = std::make_shared<long>(from);
      auto last_bookmark =
          std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
      auto first = std::make_shared<bool>(true);
      ++open_watches_;
      res.set_chunked_content_provider(
          "application/json",
          [this, t, cursor, gen, deadline, bookmarks, selector, last_bookmark, first](
              std::size_t, httplib::DataSink& sink) {
            std::unique_lock<std::mutex> lock(mu_);
            const bool starting = *first;
            *first = false;
            if (starting && *cursor < compacted_) {
              Json e{
                  {"type", "ERROR"},
                  {"object", status_body(410, "Expired",
                                         "too old resource version: " + std::to_string(*cursor))}};
              std::string line = e.dump() + "\n";
              lock.unlock();
              sink.write(line.data(), line.size());
              sink.done();
              return true;
            }
            cv_.wait_for(lock, std::chrono::milliseconds(50), [&] {
              return stopping_ || generation_ != gen || (!log_.empty() && log_.back().rv > *cursor);
            });
            if (stopping_ || generation_ != gen) return false;  // the connection breaks
            std::string out;
            for (const auto& e : log_) {
              if (e.rv <= *cursor) continue;
              *cursor = e.rv;
              if (e.collection != t.collection || (!t.ns.empty() && e.ns != t.ns)) continue;
              if (!labels_match(e.object, selector)) continue;
              out += Json{{"type", e.type}, {"object", e.object}}.dump() + "\n";
            }
            auto now = std::chrono::steady_clock::now();
            if (bookmarks && now - *last_bookmark >= bookmark_every_) {
              *last_bookmark = now;
              *cursor = std::max(*cursor, rv_);
              out += Json{{"type", "BOOKMARK"},
                          {"object",
                           {{"kind", "Bookmark"},
                            {"metadata", {{"resourceVersion", std::to_string(*cursor)}}}}}}
                         .dump() +
                     "\n";
            }
            lock.unlock();
            if (!out.empty() && !sink.write(out.data(), out.size())) return false;
            if (now >= deadline) sink.done();
            return true;
          },
          [this](bool) { --open_watches_; });
      return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    auto& coll = store_[t.collection];
    if (req.method == "GET" && t.name.empty()) {
      Json items = Json::array();
      for (auto& [k, obj] : coll) {
        if (!t.ns.empty() && obj["metadata"].value("namespace", "") != t.ns) continue;
        if (labels_match(obj, selector)) items.push_back(obj);
      }
      return reply(res, 200,
                   Json{{"kind", "List"},
                        {"apiVersion", "v1"},
                        {"metadata", {{"resourceVersion", std::to_string(rv_)}}},
                        {"items", items}});
    }
    const std::string k = key(t.ns, t.name);
    if (req.method == "POST" && t.sub == "binding") {
      auto it = coll.find(k);
      if (it == coll.end())
        return reply(res, 404, status_body(404, "NotFound", "pods \"" + t.name + "\" not found"));
      Json body = Json::parse(req.body, nullptr, false);
      Json obj = it->second;
      if (obj["spec"].contains("nodeName") && !obj["spec"]["nodeName"].get<std::string>().empty()) {
        return reply(res, 409,
                     status_body(409, "Conflict", "pod " + t.name + " is already assigned"));
      }
      obj["spec"]["nodeName"] = body.value("target", Json::object()).value("name", "");
      put_locked(t.collection, obj, "MODIFIED");
      return reply(res, 201, Json{{"kind", "Status"}, {"status", "Success"}, {"code", 201}});
    }
    if (req.method == "POST") {
      Json body = Json::parse(req.body, nullptr, false);
      if (body.is_discarded() || !body.is_object()) {
        return reply(res, 400, status_body(400, "BadRequest", "the body is not a JSON object"));
      }
      std::string name = body.value("metadata", Json::object()).value("name", "");
      if (name.empty()) {
        std::string prefix = body.value("metadata", Json::object()).value("generateName", "");
        if (prefix.empty())
          return reply(res, 422, status_body(422, "Invalid", "metadata.name: Required value"));
        name = prefix + std::to_string(rv_ + 1);
        body["metadata"]["name"] = name;
      }
      if (!t.ns.empty()) body["metadata"]["namespace"] = t.ns;
      if (coll.count(key(t.ns, name))) {
        return reply(
            res, 409,
            status_body(409, "AlreadyExists", t.collection + " \"" + name + "\" already exists"));
      }
      body["metadata"]["uid"] = "uid-" + std::to_string(rv_ + 1);
      body["metadata"]["generation"] = 1;
      return reply(res, 201, put_locked(t.collection, body, "ADDED"));
    }
    auto it = coll.find(k);
    if (it == coll.end()) {
      return reply(res, 404,
                   status_body(404, "NotFound", t.collection + " \"" + t.name + "\" not found"));
    }
    Json obj = it->second;
    if (req.method == "GET" && t.sub == "scale") {
      Json scale{
          {"kind", "Scale"},
          {"apiVersion", "autoscaling/v1"},
          {"metadata",
           {{"name", t.name},
            {"namespace", t.ns},
            {"resourceVersion", obj["metadata"]["resourceVersion"]}}},
          {"spec", {{"replicas", obj.value("spec", Json::object()).value("replicas", 0)}}},
          {"status",
           {{"replicas",
             obj.value("status", Json::object()).value("currentWorkerNumberScheduled", 0)}}}};
      return reply(res, 200, scale);
    }
    if (req.method == "GET") return reply(res, 200, obj);
    if (req.method == "DELETE") {
      coll.erase(it);
      ++rv_;
      obj["metadata"]["resourceVersion"] = std::to_string(rv_);
      log_.push_back({rv_, t.collection, t.ns, "DELETED", obj});
      cv_.notify_all();
      return reply(res, 200, obj);
    }
    Json body = Json::parse(req.body, nullptr, false);
    if (body.is_discarded())
      return reply(res, 400, status_body(400, "BadRequest", "the body is not JSON"));
    const std::string ct = req.get_header_value("Content-Type");
    if (req.method == "PUT") {
      std::string want = body.value("metadata", Json::object()).value("resourceVersion", "");
      if (!want.empty() && want != obj["metadata"]["resourceVersion"].get<std::string>()) {
        return reply(
            res, 409,
            status_body(409, "Conflict",
                        "Operation cannot be fulfilled on " + t.collection + " \"" + t.name +
                            "\": the object has been modified; please apply your changes to the "
                            "latest version and try again"));
      }
      if (t.sub == "status") {
        obj["status"] = body.value("status", Json::object());
      } else if (t.sub == "scale") {
        obj["spec"]["replicas"] = body.value("spec", Json::object()).value("replicas", 0);
      } else {
        Json status = obj.contains("status") ? obj["status"] : Json();
        Json meta = obj["metadata"];
        const bool spec_changed = body.value("spec", Json()) != obj.value("spec", Json());
        obj = body;
        obj["metadata"]["uid"] = meta["uid"];
        obj["metadata"]["generation"] = meta.value("generation", 1) + (spec_changed ? 1 : 0);
        if (!status.is_null())
          obj["status"] = status;
        else
          obj.erase("status");
      }
      return reply(res, 200, put_locked(t.collection, obj, "MODIFIED"));
    }
    if (req.method == "PATCH") {
      Json patched = obj;
      if (ct.find("json-patch") != std::string::npos) {
        try {
          patched = obj.patch(body);
        } catch (const std::exception& e) {
          return reply(res, 422, status_body(422, "Invalid", e.what()));
        }
      } else {
        if (t.sub == "scale") {
          patched["spec"]["replicas"] = body.value("spec", Json::object()).value("replicas", 0);
        } else {
          if (t.sub != "status")
            body.erase("status");
          else
            body = Json{{"status", body.value("status", Json::object())}};
          patched.merge_patch(body);
        }
      }
      if (patched.value("spec", Json()) != obj.value("spec", Json())) {
        patched["metadata"]["generation"] = obj["metadata"].value("generation", 1) + 1;
      }
      return reply(res, 200, put_locked(t.collection, patched, "MODIFIED"));
    }
    reply(res, 405, status_body(405, "MethodNotAllowed", req.method + " is not supported here"));
  };
  srv.Get(".*", handler);
  srv.Post(".*", handler);
  srv.Put(".*", handler);
  srv.Patch(".*", handler);
  srv.Delete(".*", handler);
  port_ = srv.bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { impl_->server->listen_after_bind(); });
}

FakeApiServer::~FakeApiServer() {
  stopping_ = true;
  cv_.notify_all();
  impl_->server->stop();
  if (thread_.joinable()) thread_.join();
}

std::string FakeApiServer::url() const {
  return std::string(dynamic_cast<httplib::SSLServer*>(impl_->server.get()) ? "https" : "http") +
         "://127.0.0.1:" + std::to_string(port_);
}

Json FakeApiServer::put_locked(const std::string& collection, Json object, const char* type) {
  ++rv_;
  object["metadata"]["resourceVersion"] = std::to_string(rv_);
  const std::string ns = object["metadata"].value("namespace", "");
  const std::string name = object["metadata"].value("name", "");
  auto& coll = store_[collection];
  const char* t = coll.count(key(ns, name)) ? "MODIFIED" : type;
  if (std::string(type) == "ADDED") t = "ADDED";
  coll[key(ns, name)] = object;
  log_.push_back({rv_, collection, ns, t, object});
  cv_.notify_all();
  return object;
}

Json FakeApiServer::put(const std::string& collection, Json object) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!object["metadata"].contains("uid"))
    object["metadata"]["uid"] = "uid-" + std::to_string(rv_ + 1);
  return put_locked(collection, std::move(object), "ADDED");
}

Json FakeApiServer::get(const std::string& collection, const std::string& ns,
                        const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto c = store_.find(collection);
  if (c == store_.end()) return Json();
  auto it = c->second.find(key(ns, name));
  return it == c->second.end() ? Json() : it->second;
}

bool FakeApiServer::remove(const std::string& collection, const std::string& ns,
                           const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& coll = store_[collection];
  auto it = coll.find(key(ns, name));
  if (it == coll.end()) return false;
  Json obj = it->second;
  coll.erase(it);
  ++rv_;
  obj["metadata"]["resourceVersion"] = std::to_string(rv_);
  log_.push_back({rv_, collection, ns, "DELETED", obj});
  cv_.notify_all();
  return true;
}

std::vector<Json> FakeApiServer::list(const std::string& collection) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Json> out;
  auto c = store_.find(collection);
  if (c != store_.end()) {
    for (const auto& [k, v] : c->second) out.push_back(v);
  }
  return out;
}

void FakeApiServer::drop_watches() {
  std::lock_guard<std::mutex> lock(mu_);
  ++generation_;
  cv_.notify_all();
}

void FakeApiServer::compact() {
  std::lock_guard<std::mutex> lock(mu_);
  compacted_ = rv_;
  cv_.notify_all();
}

void FakeApiServer::fail_next(int count, int status) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_count_ = count;
  fail_status_ = status;
}

void FakeApiServer::set_bookmark_interval(std::chrono::milliseconds d) {
  std::lock_guard<std::mutex> lock(mu_);
  bookmark_every_ = d;
}

int FakeApiServer::requests(const std::string& method) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = requests_.find(method);
  return it == requests_.end() ? 0 : it->second;
}

}  // namespace aqueduct::testing
