#include "aqueduct/k8s/extender.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "aqueduct/core/injection/pod_json.h"
#include "aqueduct/core/yaml/input_limits.h"
#include "aqueduct/scheduler/plugin.h"

namespace aqueduct::k8s {

namespace {
// kube-scheduler 1.20 sends Go field names ("Pod"); accept json-tag style too.
const Json* field(const Json& o, const char* upper, const char* lower) {
  if (!o.is_object()) return nullptr;
  if (o.contains(upper) && !o[upper].is_null()) return &o[upper];
  if (o.contains(lower) && !o[lower].is_null()) return &o[lower];
  return nullptr;
}

// Checks the body against the input limits, parses it and runs `fn`; any
// malformed input (too deep, not JSON, a number out of range, a field of the
// wrong type) becomes an InvalidArgument naming the problem.
template <class Fn>
core::Result<Json> parse_and_handle(const std::string& body, Fn fn) {
  AQ_RETURN_IF_ERROR(core::check_json_limits(body, "request body"));
  try {
    Json args;
    try {
      args = Json::parse(body);
    } catch (const Json::exception& e) {
      return core::invalid_argument("the body is not JSON (" + std::string(e.what()) + ")");
    }
    return fn(args);
  } catch (const Json::exception& e) {
    return core::invalid_argument("malformed ExtenderArgs: " + std::string(e.what()));
  }
}
}  // namespace

struct Extender::Request {
  std::unique_ptr<ClusterSnapshot> view;
  const core::Pod* pod = nullptr;
  bool by_name = false;            // the scheduler sent NodeNames (nodeCacheCapable)
  std::vector<const Json*> nodes;  // as sent (inside the args), when sent
  std::vector<std::string> names;  // candidate node names, in the order sent
};

core::Result<Json> Extender::answer(std::string_view verb, const std::string& body) {
  if (verb == "filter") return parse_and_handle(body, [&](const Json& a) { return filter(a); });
  if (verb == "prioritize") {
    return parse_and_handle(body, [&](const Json& a) { return prioritize(a); });
  }
  return core::invalid_argument("unknown extender verb " + std::string(verb) +
                                " (expected filter or prioritize)");
}

core::Result<std::unique_ptr<Extender>> Extender::create(const scheduler::Profile& profile,
                                                         World world) {
  scheduler::Profile p = profile;
  p.percentage_of_nodes_to_score = 100;
  std::unique_ptr<Extender> e(new Extender());
  AQ_ASSIGN_OR_RETURN(e->framework_, scheduler::Framework::create(p, scheduler::builtin_plugins()));
  e->world_ = std::move(world);
  return e;
}

core::Result<Extender::Request> Extender::read(const Json& args) {
  if (!args.is_object()) return core::invalid_argument("ExtenderArgs: expected a JSON object");
  const Json* pod = field(args, "Pod", "pod");
  if (!pod || !pod->is_object()) return core::invalid_argument("ExtenderArgs.Pod: required");
  Request r;
  SnapshotInput in = world_ ? world_() : SnapshotInput{};
  if (const Json* nodes = field(args, "Nodes", "nodes")) {
    const Json* items = field(*nodes, "Items", "items");
    if (!items || !items->is_array())
      return core::invalid_argument("ExtenderArgs.Nodes.items: expected a list");
    in.nodes.clear();
    in.node_refs.reserve(items->size());
    for (const auto& n : *items) {
      r.nodes.push_back(&n);
      const Json* meta = n.is_object() && n.contains("metadata") ? &n["metadata"] : nullptr;
      r.names.push_back(meta && meta->is_object() && meta->contains("name") &&
                                (*meta)["name"].is_string()
                            ? (*meta)["name"].get<std::string>()
                            : "");
      in.node_refs.push_back(&n);
    }
  } else if (const Json* names = field(args, "NodeNames", "nodenames")) {
    if (!names->is_array())
      return core::invalid_argument("ExtenderArgs.NodeNames: expected a list of names");
    r.by_name = true;
    std::vector<Json> known;
    for (const auto& n : *names) {
      if (!n.is_string()) return core::invalid_argument("ExtenderArgs.NodeNames: expected strings");
      r.names.push_back(n.get<std::string>());
    }
    for (const auto& n : in.nodes) {
      const std::string name = n.value("metadata", Json::object()).value("name", "");
      if (std::find(r.names.begin(), r.names.end(), name) != r.names.end()) known.push_back(n);
    }
    in.nodes = std::move(known);
  } else {
    return core::invalid_argument("ExtenderArgs: neither Nodes nor NodeNames");
  }
  // The pod being scheduled replaces any copy of it in the world.
  const std::string key = key_of(*pod);
  in.pods.erase(std::remove_if(in.pods.begin(), in.pods.end(),
                               [&](const Json& p) { return key_of(p) == key; }),
                in.pods.end());
  Json pending = *pod;
  if (pending.contains("spec") && pending["spec"].is_object()) pending["spec"].erase("nodeName");
  in.pods.push_back(pending);
  std::vector<std::string> warnings;
  r.view = ClusterSnapshot::build(in, &warnings);
  r.pod = r.view->pod(key);
  if (!r.pod) {
    std::string why = warnings.empty() ? "unreadable" : warnings.back();
    return core::invalid_argument("ExtenderArgs.Pod: " + why);
  }
  return r;
}

core::Result<Json> Extender::filter(const Json& args) {
  AQ_ASSIGN_OR_RETURN(Request r, read(args));
  std::lock_guard<std::mutex> lock(mu_);
  auto v = framework_->evaluate(*r.view, *r.pod);
  Json failed = Json::object();
  Json keep_nodes = Json::array();
  Json keep_names = Json::array();
  for (std::size_t k = 0; k < r.names.size(); ++k) {
    const std::string& name = r.names[k];
    std::size_t i = r.view->node_index(name);
    std::string why = i == core::kNoNode ? "node unknown to the extender" : v.reasons[i];
    if (!why.empty()) {
      failed[name] = why;
      continue;
    }
    if (r.by_name)
      keep_names.push_back(name);
    else
      keep_nodes.push_back(*r.nodes[k]);
  }
  Json out = Json::object();
  if (r.by_name) {
    out["Nodes"] = nullptr;
    out["NodeNames"] = keep_names;
  } else {
    out["Nodes"] = Json::object();
    out["Nodes"]["metadata"] = Json::object();
    out["Nodes"]["items"] = std::move(keep_nodes);
    out["NodeNames"] = nullptr;
  }
  out["FailedNodes"] = failed;
  out["Error"] = "";
  return out;
}

core::Result<Json> Extender::prioritize(const Json& args) {
  AQ_ASSIGN_OR_RETURN(Request r, read(args));
  std::lock_guard<std::mutex> lock(mu_);
  auto v = framework_->evaluate(*r.view, *r.pod);
  std::int64_t lo = 0, hi = 0;
  bool first = true;
  for (const auto& name : r.names) {
    std::size_t i = r.view->node_index(name);
    if (i == core::kNoNode || !v.reasons[i].empty()) continue;
    lo = first ? v.scores[i] : std::min(lo, v.scores[i]);
    hi = first ? v.scores[i] : std::max(hi, v.scores[i]);
    first = false;
  }
  Json out = Json::array();
  for (const auto& name : r.names) {
    std::size_t i = r.view->node_index(name);
    std::int64_t score = 0;
    if (i != core::kNoNode && v.reasons[i].empty() && hi > lo) {
      score = (v.scores[i] - lo) * kMaxExtenderPriority / (hi - lo);
    }
    out.push_back(Json{{"Host", name}, {"Score", score}});
  }
  return out;
}

struct ExtenderServer::Impl {
  std::unique_ptr<HttpServer> server;
};

core::Result<std::unique_ptr<ExtenderServer>> ExtenderServer::start(Extender& extender,
                                                                    ExtenderServerConfig config) {
  auto s = std::unique_ptr<ExtenderServer>(new ExtenderServer());
  s->impl_ = std::make_unique<Impl>();
  if (config.cert_file.empty() != config.key_file.empty()) {
    return core::invalid_argument("--tls-cert and --tls-key go together");
  }
  HttpServerConfig hc;
  hc.name = "extender";
  hc.host = config.host;
  hc.port = config.port;
  hc.cert_file = config.cert_file;
  hc.key_file = config.key_file;
  hc.max_body_bytes = 64u << 20;  // a NodeList of thousands of nodes
  hc.deadline = config.deadline;
  hc.max_connections = config.max_connections;
  hc.threads = std::max(1, config.threads);
  hc.log = config.log;
  // The scheduler reads Error from a filter result; a plain message otherwise.
  hc.error_body = [](const std::string& message) {
    return Json{{"Error", message}}.dump(-1, ' ', false, Json::error_handler_t::replace);
  };
  auto log = config.log;
  std::vector<HttpRoute> routes;
  for (const char* verb : {"filter", "prioritize"}) {
    routes.push_back(
        {"POST", std::string("/") + verb, [&extender, log, verb](const HttpRequest& req) {
           auto t0 = std::chrono::steady_clock::now();
           core::Result<Json> out = extender.answer(verb, req.body);
           HttpResponse res;
           if (!out.ok()) {
             res.status = 400;
             res.body = Json{{"Error", out.status().message()}}.dump(
                 -1, ' ', false, Json::error_handler_t::replace);
           } else {
             res.body = out->dump(-1, ' ', false, Json::error_handler_t::replace);
           }
           if (log) {
             auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                 std::chrono::steady_clock::now() - t0);
             log(std::string(verb) + " " + std::to_string(res.status) + " " +
                 std::to_string(us.count()) + "us" +
                 (out.ok() ? "" : " " + out.status().message()));
           }
           return res;
         }});
  }
  routes.push_back({"GET", "/healthz", [](const HttpRequest&) {
                      return HttpResponse{200, "ok\n", "text/plain"};
                    }});
  auto server = HttpServer::start(std::move(hc), std::move(routes));
  if (!server.ok()) {
    if (server.status().code() == core::StatusCode::kUnavailable) {
      return core::Status(core::StatusCode::kUnavailable,
                          "--listen " + config.host + ":" + std::to_string(config.port) +
                              ": cannot listen there (" + server.status().message() + ")");
    }
    return server.status();
  }
  s->impl_->server = std::move(*server);
  return s;
}

ExtenderServer::~ExtenderServer() { stop(); }
int ExtenderServer::port() const { return impl_->server->port(); }
void ExtenderServer::stop() {
  if (impl_ && impl_->server) impl_->server->stop();
}
void ExtenderServer::wait() { impl_->server->wait(); }
std::string ExtenderServer::metrics_text() const { return impl_->server->metrics_text(); }
HttpServerStats ExtenderServer::stats() const { return impl_->server->stats(); }

}  // namespace aqueduct::k8s
