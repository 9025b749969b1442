// The webhook's AdmissionReview handling, in process and over real HTTPS.
#include "aqueduct/k8s/admission.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <random>
#include <thread>

#include "aqueduct/k8s/json_patch.h"
#include "aqueduct/k8s/webhook_server.h"
#include "support/temp_dir.h"

namespace aqueduct::k8s {
namespace {

using J = core::Json;

std::string base64_decode(const std::string& in) {
  static const std::string chars =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int val = 0, bits = -8;
  for (char c : in) {
    if (c == '=') break;
    auto pos = chars.find(c);
    if (pos == std::string::npos) continue;
    val = (val << 6) + static_cast<int>(pos);
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((val >> bits) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

core::FuseTemplate small_template() {
  core::FuseTemplate t;
  t.fs_type = "juicefs";
  t.host_mount_path = "/runtime-mnt/juicefs/team/ds/juicefs-fuse";
  t.container_mount_path = "/runtime-mnt/juicefs/team/ds";
  t.arches = {core::Arch::kAmd64, core::Arch::kArm64};
  t.container = J::parse(R"({"name": "juicefs-fuse", "image": "juicefs:1"})");
  return t;
}

core::DatasetResolver resolver() {
  return [](std::string_view ns, std::string_view claim) -> std::optional<core::DatasetBinding> {
    if (ns != "team" || claim != "ds") return std::nullopt;
    core::DatasetBinding b;
    b.mounted.ns = "team";
    b.mounted.name = "ds";
    b.mounted.has_runtime = true;
    b.fuse = small_template();
    return b;
  };
}

J pod(const std::string& ns = "") {
  J p = J::parse(R"({"apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "p", "labels": {"serverless.fluid.io/inject": "true"}},
    "spec": {"containers": [{"name": "c", "image": "i", "volumeMounts": [{"name": "d", "mountPath": "/d"}]}],
             "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "ds"}}]}})");
  if (!ns.empty()) p["metadata"]["namespace"] = ns;
  return p;
}

J review(const J& object, const std::string& ns = "team", const std::string& uid = "uid-1") {
  return {{"apiVersion", "admission.k8s.io/v1"},
          {"kind", "AdmissionReview"},
          {"request",
           {{"uid", uid},
            {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
            {"resource", {{"group", ""}, {"version", "v1"}, {"resource", "pods"}}},
            {"namespace", ns},
            {"operation", "CREATE"},
            {"object", object}}}};
}

AdmissionOutcome handle(const J& r) {
  return handle_admission_review(r.dump(), resolver(), core::InjectionOptions{});
}

// The HTTP status of a raw request body and, for a 400, its error message.
std::pair<int, std::string> status_and_error(std::string_view body) {
  auto out = handle_admission_review(body, resolver(), {});
  std::string err = out.http_status == 400 ? J::parse(out.body).value("error", "") : "";
  return {out.http_status, err};
}

TEST(Admission, PatchAppliedGivesTheInjectedPod) {
  AdmissionOutcome out = handle(review(pod()));
  ASSERT_EQ(out.http_status, 200) << out.body;
  J resp = J::parse(out.body);
  EXPECT_EQ(resp["apiVersion"], "admission.k8s.io/v1");
  EXPECT_EQ(resp["kind"], "AdmissionReview");
  EXPECT_EQ(resp["response"]["uid"], "uid-1");
  EXPECT_EQ(resp["response"]["allowed"], true);
  EXPECT_EQ(resp["response"]["patchType"], "JSONPatch");
  J patch = J::parse(base64_decode(resp["response"]["patch"]));
  J patched = pod().patch(patch);
  // What `aqueduct inject` gives for the same pod in the same namespace,
  // without the namespace the request supplied.
  J with_ns = pod("team");
  auto direct = core::inject_pod(with_ns, resolver(), {});
  ASSERT_TRUE(direct.ok());
  J expected = direct->pod;
  expected["metadata"].erase("namespace");
  EXPECT_EQ(patched, expected);
  EXPECT_FALSE(patched["metadata"].contains("namespace"));
  EXPECT_EQ(patched["spec"]["containers"][0]["name"], "fluid-fuse-0");
  EXPECT_NE(out.log_line.find("uid=uid-1 team/p CREATE serverless-with-dataset"), std::string::npos)
      << out.log_line;
}

TEST(Admission, NothingToDoMeansNoPatch) {
  J p = pod();
  p["metadata"]["labels"]["fluid.io/enable-injection"] = "false";
  J resp = J::parse(handle(review(p)).body);
  EXPECT_EQ(resp["response"]["allowed"], true);
  EXPECT_FALSE(resp["response"].contains("patch"));
}

TEST(Admission, NamespaceMismatchIsDenied) {
  J resp = J::parse(handle(review(pod("other"))).body);
  EXPECT_EQ(resp["response"]["uid"], "uid-1");
  EXPECT_EQ(resp["response"]["allowed"], false);
  EXPECT_EQ(resp["response"]["status"]["code"], 403);
  EXPECT_NE(resp["response"]["status"]["message"].get<std::string>().find("\"other\""),
            std::string::npos);
}

TEST(Admission, MalformedRequestsGetClearAnswers) {
  std::string full = review(pod()).dump();
  auto [s1, e1] = status_and_error(full.substr(0, full.size() / 2));
  EXPECT_EQ(s1, 400);
  EXPECT_NE(e1.find("not valid JSON"), std::string::npos);
  J wrong = review(pod());
  wrong["kind"] = "TokenReview";
  auto [s2, e2] = status_and_error(wrong.dump());
  EXPECT_EQ(s2, 400);
  EXPECT_NE(e2.find("expected kind AdmissionReview"), std::string::npos);
  J no_uid = review(pod());
  no_uid["request"].erase("uid");
  auto [s3, e3] = status_and_error(no_uid.dump());
  EXPECT_EQ(s3, 400);
  EXPECT_NE(e3.find("request.uid"), std::string::npos);
  auto [s4, e4] = status_and_error("[]");
  EXPECT_EQ(s4, 400);
  auto [s5, e5] = status_and_error("");
  EXPECT_EQ(s5, 400);
}

// Regressions: each of these once crashed the webhook or got an HTTP 500.
TEST(Admission, HostileRequestsGetA400ThatNamesTheProblem) {
  // 20,000 nested arrays in the pod (40 KB): refused before parsing, quickly.
  std::string deep = review(pod()).dump();
  std::string nest = std::string(20000, '[') + std::string(20000, ']');
  deep.replace(deep.find("\"CREATE\""), 8, nest);
  auto [s1, e1] = status_and_error(deep);
  EXPECT_EQ(s1, 400);
  EXPECT_NE(e1.find("nesting deeper than 512"), std::string::npos) << e1;
  // A field of the wrong type.
  J bad_api = review(pod());
  bad_api["apiVersion"] = 5;
  auto [s2, e2] = status_and_error(bad_api.dump());
  EXPECT_EQ(s2, 400);
  EXPECT_NE(e2.find("malformed AdmissionReview"), std::string::npos) << e2;
  J null_op = review(pod());
  null_op["request"]["operation"] = nullptr;
  auto [s3, e3] = status_and_error(null_op.dump());
  EXPECT_EQ(s3, 400) << e3;
  // A number out of range and a string that is not UTF-8.
  std::string big = review(pod()).dump();
  big.replace(big.find("\"CREATE\""), 8, "1e400");
  auto [s4, e4] = status_and_error(big);
  EXPECT_EQ(s4, 400);
  EXPECT_NE(e4.find("not valid JSON"), std::string::npos) << e4;
  std::string utf = review(pod()).dump();
  utf.replace(utf.find("uid-1"), 5, "uid-\xff\xfe");
  auto [s5, e5] = status_and_error(utf);
  EXPECT_EQ(s5, 400);
  // A bracket inside a string does not count as nesting.
  J strings = review(pod());
  strings["request"]["object"]["metadata"]["annotations"]["x"] = std::string(2000, '[');
  EXPECT_EQ(handle(strings).http_status, 200);
}

TEST(Admission, BadPodFieldIsDeniedWithThePath) {
  J p = pod();
  p["spec"]["volumes"][0]["persistentVolumeClaim"] = "not-an-object";
  J resp = J::parse(handle(review(p)).body);
  EXPECT_EQ(resp["response"]["allowed"], false);
  EXPECT_EQ(resp["response"]["status"]["code"], 400);
  EXPECT_NE(resp["response"]["status"]["message"].get<std::string>().find("volumes[0]"),
            std::string::npos)
      << resp.dump();
}

TEST(Admission, NonPodAndNonCreateAreLeftAlone) {
  J r = review(pod());
  r["request"]["kind"]["kind"] = "Service";
  J resp = J::parse(handle(r).body);
  EXPECT_EQ(resp["response"]["allowed"], true);
  EXPECT_FALSE(resp["response"].contains("patch"));
  EXPECT_EQ(resp["response"]["warnings"].size(), 1u);
  J del = review(pod());
  del["request"]["operation"] = "DELETE";
  EXPECT_EQ(J::parse(handle(del).body)["response"]["allowed"], true);
}

TEST(Admission, PodWithAThousandVolumes) {
  J p = pod();
  for (int i = 0; i < 1000; ++i) {
    p["spec"]["volumes"].push_back(
        {{"name", "v" + std::to_string(i)},
         {"persistentVolumeClaim", {{"claimName", "pvc" + std::to_string(i)}}}});
    p["spec"]["containers"][0]["volumeMounts"].push_back(
        {{"name", "v" + std::to_string(i)}, {"mountPath", "/m" + std::to_string(i)}});
  }
  AdmissionOutcome out = handle(review(p));
  J resp = J::parse(out.body);
  ASSERT_EQ(resp["response"]["allowed"], true) << out.body.substr(0, 500);
  J patched = p.patch(J::parse(base64_decode(resp["response"]["patch"])));
  // 1001 volumes, the dataset one swapped for a hostPath, plus the check-mount ConfigMap.
  EXPECT_EQ(patched["spec"]["volumes"].size(), 1002u);
  EXPECT_EQ(patched["spec"]["volumes"][0]["hostPath"]["path"],
            "/runtime-mnt/juicefs/team/ds/juicefs-fuse");
  EXPECT_EQ(patched["spec"]["containers"].size(), 2u);
}

TEST(Base64, KnownVectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(WebhookServer, ServesOverHttps) {
  testing::TempDir dir;
  std::string cert = dir.file("tls.crt"), key = dir.file("tls.key");
  ASSERT_TRUE(write_self_signed_certificate(cert, key, {"localhost"}, {"127.0.0.1"}).is_ok());
  WebhookConfig cfg;
  cfg.cert_file = cert;
  cfg.key_file = key;
  cfg.host = "127.0.0.1";
  cfg.port = 0;
  cfg.threads = 4;
  std::vector<std::string> lines;
  std::mutex m;
  cfg.log = [&](const std::string& l) {
    std::lock_guard<std::mutex> lock(m);
    lines.push_back(l);
  };
  auto server = WebhookServer::create(cfg, resolver());
  ASSERT_TRUE(server.ok()) << server.status().to_string();
  std::thread t([&] { (*server)->serve(); });
  httplib::SSLClient cli("127.0.0.1", (*server)->port());
  cli.set_ca_cert_path(cert.c_str());
  cli.enable_server_certificate_verification(true);
  auto health = cli.Get("/healthz");
  ASSERT_TRUE(health) << httplib::to_string(health.error());
  EXPECT_EQ(health->status, 200);
  auto res = cli.Post("/mutate-fluid-pods", review(pod()).dump(), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(J::parse(res->body)["response"]["uid"], "uid-1");
  std::string huge(10u << 20, 'x');
  auto big = cli.Post("/mutate-fluid-pods", huge, "application/json");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_NE(big->body.find("exceeds"), std::string::npos);
  (*server)->stop();
  t.join();
  std::lock_guard<std::mutex> lock(m);
  ASSERT_EQ(lines.size(), 2u);  // mutate + 413 (health checks are not logged)
  EXPECT_NE(lines[0].find("uid=uid-1"), std::string::npos);
}

TEST(WebhookServer, BadCertificateAndAddress) {
  WebhookConfig cfg;
  cfg.cert_file = "/nonexistent/tls.crt";
  cfg.key_file = "/nonexistent/tls.key";
  auto s = WebhookServer::create(cfg, resolver());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("/nonexistent/tls.crt"), std::string::npos);
  EXPECT_FALSE(parse_listen_address("8443").ok());
  EXPECT_FALSE(parse_listen_address(":99999").ok());
  auto a = parse_listen_address(":8443");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->first, "0.0.0.0");
  EXPECT_EQ(a->second, 8443);
}

}  // namespace
}  // namespace aqueduct::k8s

namespace aqueduct::k8s {
namespace {

// Random documents: the patch between any two, applied, gives the second.
J random_doc(std::mt19937& rng, int depth) {
  std::uniform_int_distribution<int> kind(0, depth > 2 ? 2 : 5);
  switch (kind(rng)) {
    case 0:
      return static_cast<int>(rng() % 5);
    case 1:
      return std::string(1, static_cast<char>('a' + rng() % 4));
    case 2:
      return nullptr;
    case 3: {
      J a = J::array();
      for (int i = static_cast<int>(rng() % 5); i > 0; --i) a.push_back(random_doc(rng, depth + 1));
      return a;
    }
    default: {
      J o = J::object();
      const char* keys[] = {"name", "a/b", "c~d", "x", "y"};
      for (int i = static_cast<int>(rng() % 5); i > 0; --i) {
        o[keys[rng() % 5]] = random_doc(rng, depth + 1);
      }
      return o;
    }
  }
}

TEST(JsonPatch, RandomPairsRoundTrip) {
  std::mt19937 rng(7);
  for (int i = 0; i < 3000; ++i) {
    J a = random_doc(rng, 0), b = random_doc(rng, 0);
    if (i % 3 == 0 && b.is_array() && !b.empty()) {  // prepends and appends, as injection does
      a = b;
      a.erase(a.begin());
    }
    J patch = json_patch_diff(a, b);
    ASSERT_EQ(nlohmann::json::parse(a.dump()).patch(nlohmann::json::parse(patch.dump())),
              nlohmann::json::parse(b.dump()))
        << "a=" << a.dump() << " b=" << b.dump() << " patch=" << patch.dump();
  }
}

TEST(JsonPatch, PrependIsOneAdd) {
  J a = J::parse(R"({"spec": {"containers": [{"name": "app"}]}})");
  J b =
      J::parse(R"({"spec": {"containers": [{"name": "fluid-fuse-0"}, {"name": "app", "x": 1}]}})");
  EXPECT_EQ(json_patch_diff(a, b), J::parse(R"([
    {"op": "add", "path": "/spec/containers/0", "value": {"name": "fluid-fuse-0"}},
    {"op": "add", "path": "/spec/containers/1/x", "value": 1}])"));
  EXPECT_EQ(json_pointer_escape("done.sidecar.fluid.io/inject"), "done.sidecar.fluid.io~1inject");
  EXPECT_TRUE(json_patch_diff(a, a).empty());
}

}  // namespace
}  // namespace aqueduct::k8s
