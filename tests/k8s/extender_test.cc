// The scheduler extender: kube-scheduler's ExtenderArgs in, filter results
// and priorities out, decided by scheduler/'s plugins.
#include <gtest/gtest.h>
#include <httplib.h>

#include "aqueduct/k8s/extender.h"
#include "support/extender_world.h"

namespace aqueduct::k8s {
namespace {

Json node(const std::string& name, const std::string& cpu, const std::string& arch,
          std::map<std::string, std::string> extra = {}) {
  Json labels = {{"kubernetes.io/arch", arch}, {"kubernetes.io/hostname", name}};
  for (auto& [k, v] : extra) labels[k] = v;
  return Json{{"apiVersion", "v1"},
              {"kind", "Node"},
              {"metadata", {{"name", name}, {"labels", labels}}},
              {"status", {{"allocatable", {{"cpu", cpu}, {"memory", "64Gi"}, {"pods", "110"}}}}}};
}

Json pod(const std::string& name, const std::string& cpu, const std::string& claim = "") {
  Json spec = {{"containers", Json::array({{{"name", "app"},
                                            {"image", "busybox"},
                                            {"resources", {{"requests", {{"cpu", cpu}}}}}}})}};
  if (!claim.empty()) {
    spec["volumes"] =
        Json::array({{{"name", "data"}, {"persistentVolumeClaim", {{"claimName", claim}}}}});
  }
  return Json{{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", name}, {"namespace", "default"}}},
              {"spec", spec}};
}

SnapshotInput fluid_world() { return aqueduct::testing::images_dataset_world(); }

Json args_with_nodes(const Json& p, const std::vector<Json>& nodes) {
  return Json{{"Pod", p},
              {"Nodes", {{"metadata", Json::object()}, {"items", nodes}}},
              {"NodeNames", nullptr}};
}

std::unique_ptr<Extender> data_aware(Extender::World world) {
  auto profile = scheduler::preset_profile("data-aware");
  EXPECT_TRUE(profile.ok());
  auto e = Extender::create(*profile, std::move(world));
  EXPECT_TRUE(e.ok()) << e.status().to_string();
  return std::move(*e);
}

TEST(Extender, FilterDropsNodesThatCannotRunThePodWithTheReason) {
  auto e = data_aware(fluid_world);
  std::vector<Json> nodes = {node("small", "1", "amd64"), node("big", "16", "amd64"),
                             node("arm", "16", "arm64")};
  Json p = pod("train", "4");
  p["spec"]["nodeSelector"] = {{"kubernetes.io/arch", "amd64"}};
  auto r = e->filter(args_with_nodes(p, nodes));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ((*r)["Nodes"]["items"].size(), 1u);
  EXPECT_EQ((*r)["Nodes"]["items"][0]["metadata"]["name"], "big");
  EXPECT_EQ((*r)["FailedNodes"].size(), 2u);
  EXPECT_NE((*r)["FailedNodes"]["small"].get<std::string>().find("cpu"), std::string::npos)
      << (*r)["FailedNodes"].dump();
  EXPECT_TRUE((*r)["FailedNodes"].contains("arm"));
  EXPECT_EQ((*r)["Error"], "");
}

TEST(Extender, PrioritizeSendsPodsToTheNodesHoldingTheirCache) {
  auto e = data_aware(fluid_world);
  std::vector<Json> nodes = {node("a", "16", "amd64"),
                             node("b", "16", "amd64", {{"fluid.io/s-default-images", "true"}}),
                             node("c", "16", "amd64")};
  auto r = e->prioritize(args_with_nodes(pod("train", "2", "images"), nodes));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(r->size(), 3u);
  std::map<std::string, std::int64_t> score;
  for (const auto& h : *r) score[h["Host"]] = h["Score"];
  EXPECT_EQ(score["b"], kMaxExtenderPriority);
  EXPECT_LT(score["a"], score["b"]);
  EXPECT_LT(score["c"], score["b"]);
  // A pod without the dataset has no reason to prefer b.
  auto plain = e->prioritize(args_with_nodes(pod("web", "2"), nodes));
  ASSERT_TRUE(plain.ok());
  for (const auto& h : *plain) EXPECT_EQ(h["Score"], (*plain)[0]["Score"]);
}

TEST(Extender, NodeNamesModeUsesTheNodesItKnowsAndTheBoundPods) {
  auto world = [] {
    SnapshotInput w = fluid_world();
    w.nodes = {node("a", "4", "amd64"), node("b", "4", "amd64")};
    Json bound = pod("busy", "3");
    bound["spec"]["nodeName"] = "a";
    w.pods.push_back(bound);
    return w;
  };
  auto e = data_aware(world);
  Json args{{"Pod", pod("train", "2")}, {"NodeNames", Json::array({"a", "b", "ghost"})}};
  auto r = e->filter(args);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ((*r)["NodeNames"], Json::array({"b"}));
  EXPECT_TRUE((*r)["FailedNodes"].contains("a")) << "3 of 4 cpus are taken by a bound pod";
  EXPECT_EQ((*r)["FailedNodes"]["ghost"], "node unknown to the extender");
}

TEST(Extender, MalformedArgsAreErrorsNamingTheField) {
  auto e = data_aware(fluid_world);
  EXPECT_FALSE(e->filter(Json::array()).ok());
  auto no_pod = e->filter(Json{{"Nodes", {{"items", Json::array()}}}});
  ASSERT_FALSE(no_pod.ok());
  EXPECT_NE(no_pod.status().message().find("ExtenderArgs.Pod"), std::string::npos);
  auto no_nodes = e->filter(Json{{"Pod", pod("p", "1")}});
  ASSERT_FALSE(no_nodes.ok());
  EXPECT_NE(no_nodes.status().message().find("neither Nodes nor NodeNames"), std::string::npos);
  Json bad_pod = pod("p", "1");
  bad_pod["spec"]["containers"] = "not a list";
  auto r = e->filter(args_with_nodes(bad_pod, {node("a", "4", "amd64")}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("containers"), std::string::npos) << r.status().message();
  // Lower-case keys (json tags) are read too.
  EXPECT_TRUE(e->filter(Json{{"pod", pod("p", "1")},
                             {"nodes", {{"items", Json::array({node("a", "4", "amd64")})}}}})
                  .ok());
}

TEST(ExtenderServer, AnswersOverHttpAndRefusesGarbage) {
  auto e = data_aware(fluid_world);
  ExtenderServerConfig cfg;
  cfg.host = "127.0.0.1";
  cfg.port = 0;
  std::vector<std::string> lines;
  std::mutex mu;
  cfg.log = [&](const std::string& l) {
    std::lock_guard<std::mutex> lock(mu);
    lines.push_back(l);
  };
  auto s = ExtenderServer::start(*e, cfg);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  httplib::Client c("127.0.0.1", (*s)->port());
  auto r = c.Post("/prioritize", args_with_nodes(pod("p", "1"), {node("a", "4", "amd64")}).dump(),
                  "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(Json::parse(r->body)[0]["Host"], "a");
  auto bad = c.Post("/filter", "{not json", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(Json::parse(bad->body)["Error"].get<std::string>().find("not JSON"), std::string::npos);
  EXPECT_EQ(c.Get("/healthz")->status, 200);
  // Regressions: 20,000 nested arrays once overflowed the stack; a field of
  // the wrong type got a 500.
  auto deep =
      c.Post("/filter", std::string(20000, '[') + std::string(20000, ']'), "application/json");
  ASSERT_TRUE(deep);
  EXPECT_EQ(deep->status, 400);
  EXPECT_NE(Json::parse(deep->body)["Error"].get<std::string>().find("nesting deeper"),
            std::string::npos);
  auto huge = c.Post("/filter", "[1e400]", "application/json");
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 400);
  auto missing = c.Post("/nowhere", "{}", "application/json");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(Json::parse(missing->body)["Error"].get<std::string>().find("POST /filter"),
            std::string::npos);
  (*s)->stop();
  EXPECT_EQ(lines.size(), 4u);
}

}  // namespace
}  // namespace aqueduct::k8s
