// The mutating admission webhook's request handling, without the network:
// an admission.k8s.io/v1 AdmissionReview body in, the HTTP status and
// AdmissionReview body out (RFC 6902 JSONPatch, base64), plus one log line.
// The same core::inject_pod as `aqueduct inject` and the simulator.
#pragma once

#include <string>
#include <string_view>

#include "aqueduct/core/injection/pod_injection.h"

namespace aqueduct::k8s {

struct AdmissionOutcome {
  int http_status = 200;  // 400 when the body is not an AdmissionReview at all
  std::string body;       // JSON: an AdmissionReview, or {"error": ...} for 400s
  std::string log_line;   // "uid=... default/pod-a CREATE serverless-with-dataset ..."
};

// Never throws and never crashes on any input. Rules (docs/webhook.md):
//  - not JSON, not an AdmissionReview, or no request.uid: HTTP 400 with a message;
//  - a non-Pod or non-CREATE request: allowed unchanged, with a warning;
//  - pod.metadata.namespace set and different from request.namespace: denied (403);
//  - a pod injection cannot handle (bad field, no FUSE template): denied (400);
//  - otherwise allowed, with the patch when injection changed the pod.
AdmissionOutcome handle_admission_review(std::string_view body,
                                         const core::DatasetResolver& resolve,
                                         const core::InjectionOptions& options);

// Standard base64 (with padding) of `data`.
std::string base64_encode(std::string_view data);

}  // namespace aqueduct::k8s
