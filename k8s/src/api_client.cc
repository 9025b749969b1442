#include "aqueduct/k8s/api_client.h"

#include <httplib.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

namespace aqueduct::k8s {
namespace {

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

// All certificates in a PEM text, as a store; null when there are none.
X509_STORE* store_of(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509_STORE* store = X509_STORE_new();
  int n = 0;
  while (X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    X509_STORE_add_cert(store, x);
    X509_free(x);
    ++n;
  }
  BIO_free(bio);
  if (n == 0) {
    X509_STORE_free(store);
    return nullptr;
  }
  return store;
}

std::string message_of(const Json& body) {
  if (body.is_object() && body.contains("message") && body["message"].is_string()) {
    return body["message"].get<std::string>();
  }
  return body.is_null() ? std::string("(no body)") : body.dump().substr(0, 300);
}

std::string reason_of(const Json& body) {
  if (body.is_object() && body.contains("reason") && body["reason"].is_string()) {
    return body["reason"].get<std::string>();
  }
  return "";
}

Json parse_body(const std::string& text) {
  if (text.empty()) return Json();
  Json j = Json::parse(text, nullptr, false);
  return j.is_discarded() ? Json() : j;
}

}  // namespace

core::Status api_error(int http, const Json& body, const std::string& method,
                       const std::string& path) {
  const std::string msg =
      method + " " + path + ": HTTP " + std::to_string(http) + ": " + message_of(body);
  core::StatusCode code = core::StatusCode::kInternal;
  if (http == 404)
    code = core::StatusCode::kNotFound;
  else if (http == 409)
    code = reason_of(body) == "AlreadyExists" ? core::StatusCode::kAlreadyExists
                                              : core::StatusCode::kAborted;
  else if (http == 400 || http == 422 || http == 415)
    code = core::StatusCode::kInvalidArgument;
  else if (http == 401 || http == 403 || http == 405 || http == 410)
    code = core::StatusCode::kFailedPrecondition;
  else if (http == 429 || http >= 500)
    code = core::StatusCode::kUnavailable;
  return core::Status(code, msg);
}

void WatchCancel::cancel() {
  cancelled_ = true;
  std::lock_guard<std::mutex> lock(mu_);
  if (closer_) closer_();
}

struct ApiClient::Connection {
  std::unique_ptr<httplib::ClientImpl> http;
  httplib::Headers headers;
};

core::Result<std::unique_ptr<ApiClient>> ApiClient::create(ClusterConfig config) {
  // OpenSSL writes to sockets with write(2): a watch closed by the server or
  // by WatchCancel would otherwise kill the process with SIGPIPE.
  ::signal(SIGPIPE, SIG_IGN);
  std::unique_ptr<ApiClient> c(new ApiClient());
  std::string rest = config.server;
  if (rest.rfind("https://", 0) == 0) {
    c->tls_ = true;
    rest = rest.substr(8);
  } else if (rest.rfind("http://", 0) == 0) {
    c->tls_ = false;
    rest = rest.substr(7);
  } else {
    return core::invalid_argument("server \"" + config.server + "\": expected https://host:port");
  }
  rest = rest.substr(0, rest.find('/'));
  auto colon = rest.rfind(':');
  if (colon != std::string::npos && rest.find(']') != std::string::npos && colon < rest.find(']')) {
    colon = std::string::npos;  // [v6] without a port
  }
  c->host_ = colon == std::string::npos ? rest : rest.substr(0, colon);
  c->port_ =
      colon == std::string::npos ? (c->tls_ ? 443 : 80) : std::atoi(rest.c_str() + colon + 1);
  if (c->host_.size() > 1 && c->host_.front() == '[')
    c->host_ = c->host_.substr(1, c->host_.size() - 2);
  if (c->host_.empty() || c->port_ <= 0 || c->port_ > 65535) {
    return core::invalid_argument("server \"" + config.server + "\": no host or a bad port");
  }
  if (!config.token_file.empty()) {
    std::ifstream in(config.token_file);
    std::string t;
    std::getline(in, t);
    if (!t.empty()) config.token = t;
  }
  if (!config.ca_pem.empty()) {
    X509_STORE* s = store_of(config.ca_pem);
    if (!s) return core::invalid_argument("certificate-authority: no PEM certificate in it");
    X509_STORE_free(s);
  }
  c->config_ = std::move(config);
  if (c->config_.exec) AQ_RETURN_IF_ERROR(c->refresh_credential());
  AQ_ASSIGN_OR_RETURN(auto first, c->connect(60));  // checks the TLS material once
  c->idle_.push_back(std::move(first));
  c->open_ = 1;
  return c;
}

ApiClient::~ApiClient() = default;

core::Status ApiClient::refresh_credential() {
  AQ_ASSIGN_OR_RETURN(ExecCredential fresh,
                      run_exec_plugin(*config_.exec, config_.server, config_.ca_pem));
  {
    std::lock_guard<std::mutex> lock(cred_mu_);
    cred_ = std::move(fresh);
  }
  // Kept connections carry the old credential.
  std::lock_guard<std::mutex> lock(mu_);
  open_ -= idle_.size();
  idle_.clear();
  free_cv_.notify_all();
  return core::Status::ok();
}

void ApiClient::refresh_if_expiring() {
  if (!config_.exec) return;
  {
    std::lock_guard<std::mutex> lock(cred_mu_);
    // A little early, so a request in flight does not carry a stale token.
    if (!cred_.expires ||
        std::chrono::system_clock::now() + std::chrono::seconds(10) < *cred_.expires) {
      return;
    }
  }
  core::Status st = refresh_credential();
  if (!st.is_ok()) log_.warn("exec credential: " + st.message());
}

core::Result<std::unique_ptr<ApiClient::Connection>> ApiClient::connect(int read_timeout_s) const {
  auto conn = std::make_unique<Connection>();
  // The kubeconfig's credential, or the exec plugin's when it gave one.
  std::string token = config_.token, cert_pem = config_.client_cert_pem,
              key_pem = config_.client_key_pem;
  if (config_.exec) {
    std::lock_guard<std::mutex> lock(cred_mu_);
    if (!cred_.token.empty()) token = cred_.token;
    if (!cred_.client_cert_pem.empty()) {
      cert_pem = cred_.client_cert_pem;
      key_pem = cred_.client_key_pem;
    }
  }
  if (tls_) {
    std::unique_ptr<httplib::SSLClient> ssl;
    if (!cert_pem.empty()) {
      BIO* cb = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
      std::unique_ptr<X509, X509Deleter> cert(PEM_read_bio_X509(cb, nullptr, nullptr, nullptr));
      BIO_free(cb);
      BIO* kb = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
      std::unique_ptr<EVP_PKEY, KeyDeleter> key(
          PEM_read_bio_PrivateKey(kb, nullptr, nullptr, nullptr));
      BIO_free(kb);
      if (!cert) return core::invalid_argument("client-certificate: not a PEM certificate");
      if (!key) return core::invalid_argument("client-key: not a PEM private key");
      ssl = std::make_unique<httplib::SSLClient>(host_, port_, cert.get(), key.get());
    } else {
      ssl = std::make_unique<httplib::SSLClient>(host_, port_);
    }
    if (config_.insecure_skip_tls_verify) {
      ssl->enable_server_certificate_verification(false);
    } else {
      ssl->enable_server_certificate_verification(true);
      if (!config_.ca_pem.empty()) ssl->set_ca_cert_store(store_of(config_.ca_pem));
    }
    conn->http = std::move(ssl);
  } else {
    conn->http = std::make_unique<httplib::ClientImpl>(host_, port_);
  }
  conn->http->set_connection_timeout(5, 0);
  conn->http->set_read_timeout(read_timeout_s, 0);
  conn->http->set_write_timeout(30, 0);
  conn->http->set_keep_alive(true);
  conn->headers.emplace("Accept", "application/json");
  conn->headers.emplace("User-Agent", "aqueduct");
  if (!token.empty()) conn->headers.emplace("Authorization", "Bearer " + token);
  return conn;
}

std::unique_ptr<ApiClient::Connection> ApiClient::take_connection() {
  std::unique_lock<std::mutex> lock(mu_);
  free_cv_.wait(lock, [&] { return !idle_.empty() || open_ < kMaxConnections; });
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return c;
  }
  ++open_;
  lock.unlock();
  auto c = connect(60);
  if (c.ok()) return std::move(*c);
  lock.lock();
  --open_;
  free_cv_.notify_one();
  return nullptr;
}

void ApiClient::give_back(std::unique_ptr<Connection> c) {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(c));
  free_cv_.notify_one();
}

core::Result<ApiResponse> ApiClient::request(const std::string& method, const std::string& path,
                                             const std::string& body,
                                             const std::string& content_type) {
  refresh_if_expiring();
  httplib::Request req;
  req.method = method;
  req.path = path;
  req.body = body;
  httplib::Response res;
  // A 401 with an exec plugin: its credential was revoked or rotated early;
  // fetch a new one and try once more.
  for (int auth = 0; auth < 2; ++auth) {
    std::unique_ptr<Connection> conn = take_connection();
    if (!conn) {
      return core::Status(core::StatusCode::kUnavailable,
                          method + " " + config_.server + path + ": cannot set up a connection");
    }
    req.headers = conn->headers;
    if (!body.empty()) req.headers.emplace("Content-Type", content_type);
    httplib::Error err = httplib::Error::Success;
    // One retry on a broken keep-alive connection.
    for (int attempt = 0; attempt < 2; ++attempt) {
      res = httplib::Response();
      if (conn->http->send(req, res, err)) break;
    }
    give_back(std::move(conn));
    if (err != httplib::Error::Success) {
      return core::Status(core::StatusCode::kUnavailable,
                          method + " " + config_.server + path + ": " + httplib::to_string(err));
    }
    if (res.status != 401 || !config_.exec || auth == 1) break;
    AQ_RETURN_IF_ERROR(refresh_credential());
  }
  return ApiResponse{res.status, parse_body(res.body)};
}

namespace {
core::Result<Json> ok_or_error(core::Result<ApiResponse> r, const std::string& method,
                               const std::string& path) {
  if (!r.ok()) return r.status();
  if (r->status < 200 || r->status >= 300) return api_error(r->status, r->body, method, path);
  return std::move(r->body);
}
}  // namespace

core::Result<Json> ApiClient::get(const std::string& path) {
  return ok_or_error(request("GET", path), "GET", path);
}

core::Result<Json> ApiClient::create(const std::string& collection_path, const Json& object) {
  return ok_or_error(request("POST", collection_path, object.dump()), "POST", collection_path);
}

core::Result<Json> ApiClient::replace(const std::string& path, const Json& object) {
  return ok_or_error(request("PUT", path, object.dump()), "PUT", path);
}

core::Result<Json> ApiClient::patch(const std::string& path, const Json& patch, PatchType type) {
  const char* ct = type == PatchType::kMerge            ? "application/merge-patch+json"
                   : type == PatchType::kStrategicMerge ? "application/strategic-merge-patch+json"
                                                        : "application/json-patch+json";
  return ok_or_error(request("PATCH", path, patch.dump(), ct), "PATCH", path);
}

core::Result<Json> ApiClient::apply(const std::string& path, const Json& object,
                                    const std::string& field_manager, bool force) {
  const std::string full = path + (path.find('?') == std::string::npos ? "?" : "&") +
                           "fieldManager=" + field_manager + (force ? "&force=true" : "");
  return ok_or_error(request("PATCH", full, object.dump(), "application/apply-patch+yaml"), "PATCH",
                     full);
}

core::Status ApiClient::remove(const std::string& path) {
  auto r = request("DELETE", path);
  if (!r.ok()) return r.status();
  if (r->status == 404) return core::Status::ok();  // already gone
  if (r->status < 200 || r->status >= 300) return api_error(r->status, r->body, "DELETE", path);
  return core::Status::ok();
}

core::Result<Json> ApiClient::update(const std::string& path,
                                     const std::function<core::Status(Json&)>& mutate,
                                     int attempts) {
  core::Status last = core::internal_error("update " + path + ": no attempt made");
  for (int i = 0; i < std::max(attempts, 1); ++i) {
    AQ_ASSIGN_OR_RETURN(Json obj, get(path));
    core::Status st = mutate(obj);
    if (!st.is_ok()) return st;
    auto put = replace(path, obj);
    if (put.ok() || put.status().code() != core::StatusCode::kAborted) return put;
    last = put.status();
  }
  return last.with_context("gave up after " + std::to_string(attempts) + " conflicts");
}

core::Result<WatchEnd> ApiClient::watch(const std::string& collection_path,
                                        const std::string& resource_version, int timeout_seconds,
                                        const std::function<bool(const WatchEvent&)>& on_event,
                                        WatchCancel* cancel) {
  refresh_if_expiring();
  AQ_ASSIGN_OR_RETURN(auto conn, connect(timeout_seconds + 30));
  const std::string path =
      collection_path + (collection_path.find('?') == std::string::npos ? "?" : "&") +
      "watch=1&allowWatchBookmarks=true&timeoutSeconds=" + std::to_string(timeout_seconds) +
      (resource_version.empty() ? "" : "&resourceVersion=" + resource_version);
  if (cancel) {
    std::lock_guard<std::mutex> lock(cancel->mu_);
    if (cancel->cancelled_) return WatchEnd{resource_version, false};
    httplib::ClientImpl* http = conn->http.get();
    cancel->closer_ = [http] { http->stop(); };
  }
  WatchEnd end{resource_version, false};
  std::string pending;
  bool stopped_by_handler = false;
  core::Status bad = core::Status::ok();
  int http_status = 0;
  std::string error_body;
  auto receiver = [&](const char* data, std::size_t n) {
    if (http_status != 200) {
      error_body.append(data, n);
      return true;
    }
    pending.append(data, n);
    std::size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      std::string line = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      if (line.empty()) continue;
      Json ev = Json::parse(line, nullptr, false);
      if (ev.is_discarded() || !ev.is_object() || !ev.contains("type") || !ev.contains("object")) {
        bad = core::Status(core::StatusCode::kUnavailable,
                           "watch " + collection_path + ": a malformed event");
        return false;
      }
      WatchEvent e{ev["type"].is_string() ? ev["type"].get<std::string>() : "",
                   std::move(ev["object"])};
      if (e.type == "ERROR") {
        int code = e.object.value("code", 0);
        if (code == 410) {
          end.gone = true;
        } else {
          bad = core::Status(core::StatusCode::kUnavailable,
                             "watch " + collection_path + ": " + message_of(e.object));
        }
        return false;
      }
      if (e.object.contains("metadata") && e.object["metadata"].contains("resourceVersion")) {
        end.resource_version = e.object["metadata"]["resourceVersion"].get<std::string>();
      }
      if (!on_event(e)) {
        stopped_by_handler = true;
        return false;
      }
    }
    return true;
  };
  httplib::Request req;
  req.method = "GET";
  req.path = path;
  req.headers = conn->headers;
  req.response_handler = [&](const httplib::Response& r) {
    http_status = r.status;
    return true;
  };
  req.content_receiver = [&](const char* data, std::size_t n, uint64_t, uint64_t) {
    return receiver(data, n);
  };
  httplib::Response res;
  httplib::Error err = httplib::Error::Success;
  conn->http->send(req, res, err);
  if (cancel) {
    std::lock_guard<std::mutex> lock(cancel->mu_);
    cancel->closer_ = nullptr;
  }
  if (cancel && cancel->cancelled()) return end;
  if (http_status == 410) {
    end.gone = true;
    return end;
  }
  if (http_status != 0 && http_status != 200) {
    return api_error(http_status, parse_body(error_body), "GET", path);
  }
  if (!bad.is_ok()) return bad;
  if (end.gone || stopped_by_handler) return end;
  if (err != httplib::Error::Success && err != httplib::Error::Canceled) {
    return core::Status(core::StatusCode::kUnavailable,
                        "watch " + collection_path + ": " + httplib::to_string(err));
  }
  return end;
}

// Paths.
std::string ResourceType::collection(const std::string& ns) const {
  std::string base = group_version.find('/') == std::string::npos ? "/api/" + group_version
                                                                  : "/apis/" + group_version;
  if (namespaced && !ns.empty()) base += "/namespaces/" + ns;
  return base + "/" + plural;
}

std::string ResourceType::object(const std::string& ns, const std::string& name,
                                 const std::string& subresource) const {
  return collection(ns) + "/" + name + (subresource.empty() ? "" : "/" + subresource);
}

namespace resources {
#define AQ_RESOURCE(fn, gv, plural, ns)          \
  const ResourceType& fn() {                     \
    static const ResourceType r{gv, plural, ns}; \
    return r;                                    \
  }
AQ_RESOURCE(nodes, "v1", "nodes", false)
AQ_RESOURCE(pods, "v1", "pods", true)
AQ_RESOURCE(persistent_volumes, "v1", "persistentvolumes", false)
AQ_RESOURCE(persistent_volume_claims, "v1", "persistentvolumeclaims", true)
AQ_RESOURCE(config_maps, "v1", "configmaps", true)
AQ_RESOURCE(secrets, "v1", "secrets", true)
AQ_RESOURCE(events, "v1", "events", true)
AQ_RESOURCE(services, "v1", "services", true)
AQ_RESOURCE(stateful_sets, "apps/v1", "statefulsets", true)
AQ_RESOURCE(daemon_sets, "apps/v1", "daemonsets", true)
AQ_RESOURCE(jobs, "batch/v1", "jobs", true)
AQ_RESOURCE(leases, "coordination.k8s.io/v1", "leases", true)
AQ_RESOURCE(datasets, "data.fluid.io/v1alpha1", "datasets", true)
AQ_RESOURCE(data_loads, "data.fluid.io/v1alpha1", "dataloads", true)
AQ_RESOURCE(thin_runtime_profiles, "data.fluid.io/v1alpha1", "thinruntimeprofiles", false)
#undef AQ_RESOURCE

core::Result<ResourceType> runtime(const std::string& kind) {
  static const char* kKinds[] = {"AlluxioRuntime", "JuiceFSRuntime", "JindoRuntime",
                                 "ThinRuntime",    "GooseFSRuntime", "AqueductRuntime"};
  for (const char* k : kKinds) {
    if (kind == k) {
      std::string plural;
      for (char c : kind) plural += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return ResourceType{"data.fluid.io/v1alpha1", plural + "s", true};
    }
  }
  return core::invalid_argument("kind \"" + kind + "\": not a runtime kind this controller knows");
}
}  // namespace resources

}  // namespace aqueduct::k8s
