#include "aqueduct/k8s/admission.h"

#include <openssl/evp.h>

#include "aqueduct/core/yaml/input_limits.h"
#include "aqueduct/k8s/json_patch.h"

#include <chrono>
#include <cstdio>

namespace aqueduct::k8s {
namespace {

using Json = core::Json;

AdmissionOutcome bad_request(std::string message) {
  AdmissionOutcome out;
  out.http_status = 400;
  // Replace, not throw, on invalid UTF-8: messages may quote the request.
  out.body = Json{{"error", message}}.dump(-1, ' ', false, Json::error_handler_t::replace);
  out.log_line = "rejected: " + message;
  return out;
}

std::string ms_since(std::chrono::steady_clock::time_point t0) {
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fms", ms);
  return buf;
}

}  // namespace

std::string base64_encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// The handler proper, on a body already checked against the input limits; a
// field of the wrong type throws Json::type_error, which the caller answers.
AdmissionOutcome handle_checked(std::string_view body, const core::DatasetResolver& resolve,
                                const core::InjectionOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  Json review;
  try {
    review = Json::parse(body.begin(), body.end());
  } catch (const Json::exception& e) {
    // parse_error, and out_of_range for numbers such as 1e400.
    return bad_request("request body is not valid JSON (" + std::string(e.what()) + ")");
  }
  if (!review.is_object()) return bad_request("expected an AdmissionReview object");
  const std::string api = review.value("apiVersion", ""), kind = review.value("kind", "");
  if (kind != "AdmissionReview" ||
      (api != "admission.k8s.io/v1" && api != "admission.k8s.io/v1beta1")) {
    return bad_request(
        "expected kind AdmissionReview, apiVersion admission.k8s.io/v1; got kind \"" + kind +
        "\", apiVersion \"" + api + "\"");
  }
  if (!review.contains("request") || !review["request"].is_object()) {
    return bad_request("request: required (the AdmissionRequest)");
  }
  const Json& req = review["request"];
  if (!req.contains("uid") || !req["uid"].is_string() || req["uid"].get<std::string>().empty()) {
    return bad_request("request.uid: required (a non-empty string)");
  }
  const std::string uid = req["uid"];
  const std::string op = req.value("operation", "");
  const std::string req_ns = req.contains("namespace") && req["namespace"].is_string()
                                 ? req["namespace"].get<std::string>()
                                 : "";
  std::string req_kind;
  if (req.contains("kind") && req["kind"].is_object()) req_kind = req["kind"].value("kind", "");

  Json response = {{"uid", uid}, {"allowed", true}};
  Json warnings = Json::array();
  std::string summary;
  auto finish = [&](int code_for_denial = 0, const std::string& message = "") {
    if (code_for_denial) {
      response["allowed"] = false;
      response["status"] = {{"code", code_for_denial}, {"message", message}};
    }
    if (!warnings.empty()) response["warnings"] = warnings;
    AdmissionOutcome out;
    out.body =
        Json{{"apiVersion", api}, {"kind", "AdmissionReview"}, {"response", response}}.dump();
    out.log_line = "uid=" + uid + " " + summary + (code_for_denial ? " denied: " + message : "") +
                   " " + ms_since(t0);
    return out;
  };

  if (req_kind != "Pod" || (op != "CREATE" && !op.empty())) {
    summary = (req_kind.empty() ? "?" : req_kind) + " " + (op.empty() ? "?" : op) + " unchanged";
    warnings.push_back("aqueduct mutates Pods on CREATE only; this " +
                       (req_kind.empty() ? std::string("object") : req_kind) +
                       " was left unchanged");
    return finish();
  }
  if (!req.contains("object") || !req["object"].is_object()) {
    summary = req_ns + "/? CREATE";
    return finish(400, "request.object: expected the Pod being created");
  }
  Json pod = req["object"];
  std::string pod_ns;
  if (pod.contains("metadata") && pod["metadata"].is_object() &&
      pod["metadata"].contains("namespace") && pod["metadata"]["namespace"].is_string()) {
    pod_ns = pod["metadata"]["namespace"];
  }
  std::string name;
  if (pod.contains("metadata") && pod["metadata"].is_object()) {
    name = pod["metadata"].value("name", "");
    if (name.empty()) name = pod["metadata"].value("generateName", "") + "*";
  }
  summary = (pod_ns.empty() ? req_ns : pod_ns) + "/" + name + " CREATE";
  if (!pod_ns.empty() && pod_ns != req_ns) {
    return finish(403, "pod.metadata.namespace \"" + pod_ns +
                           "\" must be empty or equal request.namespace \"" + req_ns + "\"");
  }
  if (pod_ns.empty() && req_ns.empty()) {
    return finish(400, "neither pod.metadata.namespace nor request.namespace is set");
  }
  // Injection looks datasets up in the request's namespace; the namespace is
  // not added to the pod itself.
  Json work = pod;
  if (pod_ns.empty()) work["metadata"]["namespace"] = req_ns;
  core::InjectionOptions per_review = options;
  per_review.unique_token = uid;  // random-suffix host folders, stable per review
  auto result = core::inject_pod(work, resolve, per_review, "request.object");
  if (!result) return finish(400, result.status().message());
  Json mutated = std::move(result->pod);
  if (pod_ns.empty()) mutated["metadata"].erase("namespace");
  if (!pod.contains("metadata") && mutated["metadata"].empty()) mutated.erase("metadata");
  Json patch = json_patch_diff(pod, mutated);
  summary += " " + result->profile;
  if (!result->applied.empty()) {
    summary += " [";
    for (std::size_t i = 0; i < result->applied.size(); ++i) {
      summary += (i ? "," : "") + result->applied[i];
    }
    summary += "]";
  }
  summary += " patch_ops=" + std::to_string(patch.size());
  for (const auto& w : result->warnings) warnings.push_back(w);
  if (!patch.empty()) {
    response["patchType"] = "JSONPatch";
    response["patch"] = base64_encode(patch.dump());
  }
  return finish();
}

AdmissionOutcome handle_admission_review(std::string_view body,
                                         const core::DatasetResolver& resolve,
                                         const core::InjectionOptions& options) {
  if (core::Status st = core::check_json_limits(body, "request body"); !st.is_ok()) {
    return bad_request(st.message());
  }
  try {
    return handle_checked(body, resolve, options);
  } catch (const Json::exception& e) {
    // A field of the wrong type ("apiVersion": 5, "operation": null) or a string
    // that is not UTF-8: the request is malformed, not the webhook.
    return bad_request("malformed AdmissionReview: " + std::string(e.what()));
  }
}

}  // namespace aqueduct::k8s
