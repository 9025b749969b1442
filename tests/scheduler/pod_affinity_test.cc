// Table tests of the InterPodAffinity and PodTopologySpread plugins against
// kube-scheduler 1.20's semantics, with pods written as Kubernetes YAML (so
// the parser's affinity and spread fields are exercised too).
#include <gtest/gtest.h>

#include <set>

#include "aqueduct/core/injection/pod_json.h"
#include "aqueduct/core/yaml/yaml_json.h"
#include "aqueduct/scheduler/framework.h"
#include "support/fake_cluster.h"

namespace aqueduct::scheduler {
namespace {

using testing::FakeClusterView;
using testing::NodeBuilder;

// A pod from YAML (metadata + spec); name "p" and one 100m container unless given.
core::Pod pod_yaml(const std::string& text) {
  auto docs = core::parse_yaml_documents_as_json(text, "pod.yaml");
  EXPECT_TRUE(docs.ok()) << docs.status().message();
  core::Json j = (*docs)[0];
  if (!j.contains("metadata")) j["metadata"] = {{"name", "p"}};
  if (!j["metadata"].contains("namespace")) j["metadata"]["namespace"] = "default";
  if (!j["spec"].contains("containers")) {
    j["spec"]["containers"] =
        core::Json::array({{{"name", "main"}, {"resources", {{"requests", {{"cpu", "100m"}}}}}}});
  }
  auto pod = core::pod_model_from_json(j, "pod.yaml");
  EXPECT_TRUE(pod.ok()) << pod.status().message();
  return pod.ok() ? *pod : core::Pod{};
}

core::Pod labelled(const std::string& name, const std::string& ns,
                   std::map<std::string, std::string> labels) {
  core::Pod p = testing::PodBuilder(name).cpu(0.1).build();
  p.meta.namespace_ = ns;
  p.meta.labels = std::move(labels);
  return p;
}

// n1, n2 in zone a; n3 in zone b; n4 without a zone. All have a hostname.
FakeClusterView four_nodes() {
  FakeClusterView v;
  for (const char* n : {"n1", "n2", "n3", "n4"}) {
    NodeBuilder b(n);
    b.cpu(8).mem_gi(32).label("kubernetes.io/hostname", n);
    if (std::string(n) == "n1" || std::string(n) == "n2") b.zone("a");
    if (std::string(n) == "n3") b.zone("b");
    v.add_node(b.build());
  }
  return v;
}

Profile only(const std::string& plugin, PluginArgs args = {}) {
  return Profile{
      "t", {{"NodeResourcesFit", 1, {}}, {"NodeAffinity", 1, {}}, {plugin, 1, args}}, 100};
}

// Node names the pod may run on, and the framework's message when none.
struct Verdict {
  std::set<std::string> feasible;
  std::map<std::string, std::int64_t> scores;  // the plugin's normalized score per feasible node
  std::string reason;
};

Verdict judge(const FakeClusterView& view, const core::Pod& pod, const Profile& profile) {
  auto fw = Framework::create(profile, builtin_plugins());
  EXPECT_TRUE(fw.ok()) << fw.status().message();
  Verdict v;
  auto verdicts = (*fw)->evaluate(view, pod);
  for (std::size_t i = 0; i < view.nodes().size(); ++i) {
    if (verdicts.reasons[i].empty()) v.feasible.insert(view.nodes()[i].node->meta.name);
  }
  const core::Pod* one[] = {&pod};
  GangDecision g = (*fw)->place(view, one, /*explain=*/true);
  if (!g.placed) v.reason = g.reason;
  for (const auto& s : g.pods[0].scores) {
    v.scores[view.nodes()[s.node].node->meta.name] = s.by_plugin.back();
  }
  return v;
}

using Names = std::set<std::string>;

TEST(InterPodAffinity, RequiredAffinityNeedsAMatchingPodInTheDomain) {
  auto view = four_nodes();
  view.add_bound_pod(2, labelled("db", "default", {{"app", "db"}}));
  core::Pod p = pod_yaml(R"(
spec:
  affinity:
    podAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector: {matchLabels: {app: db}}
        topologyKey: topology.kubernetes.io/zone
)");
  EXPECT_EQ(judge(view, p, only("InterPodAffinity")).feasible, Names({"n3"}));
}

TEST(InterPodAffinity, TheFirstPodOfAGroupMayMatchItsOwnTerms) {
  auto view = four_nodes();
  const char* spec = R"(
metadata: {name: p, labels: {app: db}}
spec:
  affinity:
    podAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector: {matchExpressions: [{key: app, operator: In, values: [db]}]}
        topologyKey: topology.kubernetes.io/zone
)";
  EXPECT_EQ(judge(view, pod_yaml(spec), only("InterPodAffinity")).feasible,
            Names({"n1", "n2", "n3"}))
      << "n4 has no zone label";
  // A pod that does not match its own term has nowhere to go.
  std::string other = spec;
  other.replace(other.find("labels: {app: db}"), 17, "labels: {app: x}");
  Verdict v = judge(view, pod_yaml(other), only("InterPodAffinity"));
  EXPECT_TRUE(v.feasible.empty());
  EXPECT_EQ(v.reason,
            "0/4 nodes are available: 4 node(s) didn't match pod affinity rules, "
            "4 node(s) didn't match pod affinity/anti-affinity.");
}

TEST(InterPodAffinity, RequiredAntiAffinityByHostAndByZone) {
  auto view = four_nodes();
  view.add_bound_pod(0, labelled("web", "default", {{"app", "web"}}));
  const char* by = R"(
spec:
  affinity:
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector: {matchLabels: {app: web}}
        topologyKey: KEY
)";
  std::string host = by, zone = by;
  host.replace(host.find("KEY"), 3, "kubernetes.io/hostname");
  zone.replace(zone.find("KEY"), 3, "topology.kubernetes.io/zone");
  EXPECT_EQ(judge(view, pod_yaml(host), only("InterPodAffinity")).feasible,
            Names({"n2", "n3", "n4"}));
  // Without the key a node is not in any domain of the term: n4 passes.
  Verdict v = judge(view, pod_yaml(zone), only("InterPodAffinity"));
  EXPECT_EQ(v.feasible, Names({"n3", "n4"}));
}

TEST(InterPodAffinity, RunningPodsAntiAffinityKeepsMatchingPodsAway) {
  auto view = four_nodes();
  core::Pod guard = pod_yaml(R"(
metadata: {name: guard, namespace: team}
spec:
  affinity:
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector: {matchLabels: {app: batch}}
        topologyKey: topology.kubernetes.io/zone
)");
  view.add_bound_pod(2, guard);
  core::Pod batch =
      pod_yaml("metadata: {name: b, namespace: team, labels: {app: batch}}\nspec: {}\n");
  Verdict v = judge(view, batch, only("InterPodAffinity"));
  EXPECT_EQ(v.feasible, Names({"n1", "n2", "n4"}));
  // The guard's term covers its own namespace only.
  core::Pod elsewhere =
      pod_yaml("metadata: {name: b, namespace: other, labels: {app: batch}}\nspec: {}\n");
  EXPECT_EQ(judge(view, elsewhere, only("InterPodAffinity")).feasible,
            Names({"n1", "n2", "n3", "n4"}));
}

TEST(InterPodAffinity, NamespacesAndAbsentSelectors) {
  auto view = four_nodes();
  view.add_bound_pod(2, labelled("db", "data", {{"app", "db"}}));
  // namespaces: [data] reaches the pod in another namespace.
  core::Pod p = pod_yaml(R"(
spec:
  affinity:
    podAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector: {matchLabels: {app: db}}
        namespaces: [data]
        topologyKey: kubernetes.io/hostname
)");
  EXPECT_EQ(judge(view, p, only("InterPodAffinity")).feasible, Names({"n3"}));
  // An anti-affinity term without a labelSelector selects no pod.
  core::Pod none = pod_yaml(R"(
spec:
  affinity:
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - topologyKey: kubernetes.io/hostname
)");
  EXPECT_EQ(judge(view, none, only("InterPodAffinity")).feasible.size(), 4u);
  // An empty one ({}) selects every pod of the namespace: n3 holds one of data's.
  core::Pod every = pod_yaml(R"(
metadata: {name: p, namespace: data}
spec:
  affinity:
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector: {}
        topologyKey: kubernetes.io/hostname
)");
  EXPECT_EQ(judge(view, every, only("InterPodAffinity")).feasible, Names({"n1", "n2", "n4"}));
}

TEST(InterPodAffinity, GangMembersSeeEachOther) {
  FakeClusterView view;
  view.add_node(NodeBuilder("a").cpu(8).label("kubernetes.io/hostname", "a").build());
  view.add_node(NodeBuilder("b").cpu(8).label("kubernetes.io/hostname", "b").build());
  const char* spread = R"(
metadata: {name: NAME, labels: {app: w}}
spec:
  affinity:
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector: {matchLabels: {app: w}}
        topologyKey: kubernetes.io/hostname
)";
  std::vector<core::Pod> pods;
  for (const char* n : {"w0", "w1", "w2"}) {
    std::string s = spread;
    s.replace(s.find("NAME"), 4, n);
    pods.push_back(pod_yaml(s));
  }
  auto fw = std::move(Framework::create(default_profile(), builtin_plugins())).value();
  const core::Pod* two[] = {&pods[0], &pods[1]};
  GangDecision g = fw->place(view, two);
  ASSERT_TRUE(g.placed) << g.reason;
  EXPECT_NE(g.nodes[0], g.nodes[1]);
  const core::Pod* three[] = {&pods[0], &pods[1], &pods[2]};
  g = fw->place(view, three);
  EXPECT_FALSE(g.placed);
  EXPECT_NE(g.reason.find("didn't match pod anti-affinity rules"), std::string::npos) << g.reason;
}

TEST(InterPodAffinity, PreferredTermsScoreDomains) {
  auto view = four_nodes();
  view.add_bound_pod(2, labelled("cache", "default", {{"app", "cache"}}));
  view.add_bound_pod(0, labelled("web", "default", {{"app", "web"}}));
  core::Pod near_cache = pod_yaml(R"(
spec:
  affinity:
    podAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 10
        podAffinityTerm:
          labelSelector: {matchLabels: {app: cache}}
          topologyKey: topology.kubernetes.io/zone
)");
  Verdict v = judge(view, near_cache, only("InterPodAffinity"));
  EXPECT_EQ(v.scores,
            (std::map<std::string, std::int64_t>{{"n1", 0}, {"n2", 0}, {"n3", 100}, {"n4", 0}}));
  // Anti-affinity subtracts: the lowest score is -5 and becomes 0.
  core::Pod away = pod_yaml(R"(
spec:
  affinity:
    podAntiAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 5
        podAffinityTerm:
          labelSelector: {matchLabels: {app: web}}
          topologyKey: kubernetes.io/hostname
)");
  v = judge(view, away, only("InterPodAffinity"));
  EXPECT_EQ(v.scores, (std::map<std::string, std::int64_t>{
                          {"n1", 0}, {"n2", 100}, {"n3", 100}, {"n4", 100}}));
}

TEST(InterPodAffinity, RunningPodsTermsAttractTheIncomingPod) {
  auto view = four_nodes();
  core::Pod friendly = pod_yaml(R"(
metadata: {name: f}
spec:
  affinity:
    podAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 20
        podAffinityTerm:
          labelSelector: {matchLabels: {app: x}}
          topologyKey: topology.kubernetes.io/zone
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector: {matchLabels: {app: y}}
        topologyKey: kubernetes.io/hostname
)");
  view.add_bound_pod(1, friendly);
  core::Pod x = pod_yaml("metadata: {name: x, labels: {app: x}}\nspec: {}\n");
  EXPECT_EQ(judge(view, x, only("InterPodAffinity")).scores,
            (std::map<std::string, std::int64_t>{{"n1", 100}, {"n2", 100}, {"n3", 0}, {"n4", 0}}));
  // A running pod's required affinity counts hardPodAffinityWeight (1 by default; 0: off).
  core::Pod y = pod_yaml("metadata: {name: y, labels: {app: y}}\nspec: {}\n");
  EXPECT_EQ(judge(view, y, only("InterPodAffinity")).scores,
            (std::map<std::string, std::int64_t>{{"n1", 0}, {"n2", 100}, {"n3", 0}, {"n4", 0}}));
  EXPECT_EQ(judge(view, y, only("InterPodAffinity", {{"hardPodAffinityWeight", "0"}})).scores,
            (std::map<std::string, std::int64_t>{{"n1", 0}, {"n2", 0}, {"n3", 0}, {"n4", 0}}));
  EXPECT_FALSE(Framework::create(only("InterPodAffinity", {{"hardPodAffinityWeight", "101"}}),
                                 builtin_plugins())
                   .ok());
}

const char* kSpread = R"(
metadata: {name: s, labels: {app: s}}
spec:
  topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: KEY
    whenUnsatisfiable: WHEN
    labelSelector: {matchLabels: {app: s}}
)";

core::Pod spread(const std::string& key, const std::string& when, const std::string& extra = "") {
  std::string s = kSpread;
  s.replace(s.find("KEY"), 3, key);
  s.replace(s.find("WHEN"), 4, when);
  return pod_yaml(s + extra);
}

TEST(PodTopologySpread, DoNotScheduleKeepsTheSkewWithinMaxSkew) {
  auto view = four_nodes();
  view.add_bound_pod(0, labelled("s1", "default", {{"app", "s"}}));
  view.add_bound_pod(0, labelled("s2", "default", {{"app", "s"}}));
  view.add_bound_pod(2, labelled("other-ns", "other", {{"app", "s"}}));  // another namespace
  Verdict v = judge(view, spread("topology.kubernetes.io/zone", "DoNotSchedule"),
                    only("PodTopologySpread"));
  EXPECT_EQ(v.feasible, Names({"n3"}));
  // Zone a: 2 + 1 - 0 > 1; n4 has no zone.
  auto fw = std::move(Framework::create(only("PodTopologySpread"), builtin_plugins())).value();
  auto verdicts = fw->evaluate(view, spread("topology.kubernetes.io/zone", "DoNotSchedule"));
  EXPECT_EQ(verdicts.reasons[0], "node(s) didn't match pod topology spread constraints");
  EXPECT_EQ(verdicts.reasons[3],
            "node(s) didn't match pod topology spread constraints (missing required label)");
}

TEST(PodTopologySpread, OnlyDomainsOfEligibleNodesCount) {
  auto view = four_nodes();
  view.add_bound_pod(0, labelled("s1", "default", {{"app", "s"}}));
  view.add_bound_pod(0, labelled("s2", "default", {{"app", "s"}}));
  // Node affinity to zone a: zone b is no domain of this pod, the minimum is 2.
  core::Pod p = spread("topology.kubernetes.io/zone", "DoNotSchedule",
                       "  nodeSelector: {topology.kubernetes.io/zone: a}\n");
  EXPECT_EQ(judge(view, p, only("PodTopologySpread")).feasible, Names({"n1", "n2"}));
  // A pod its own selector does not match adds nothing to the skew.
  core::Pod q = spread("topology.kubernetes.io/zone", "DoNotSchedule");
  q.meta.labels = {{"app", "other"}};
  view.add_bound_pod(2, labelled("s3", "default", {{"app", "s"}}));
  EXPECT_EQ(judge(view, q, only("PodTopologySpread")).feasible, Names({"n1", "n2", "n3"}));
}

TEST(PodTopologySpread, ScheduleAnywayScoresFewerMatchesHigher) {
  auto view = four_nodes();
  view.add_bound_pod(0, labelled("s1", "default", {{"app", "s"}}));
  view.add_bound_pod(0, labelled("s2", "default", {{"app", "s"}}));
  view.add_bound_pod(1, labelled("s3", "default", {{"app", "s"}}));
  // Hostname: weight log(4 + 2); raw n1 = 2*1.79 = 3, n2 = 1, n3 = n4 = 0;
  // 100 * (3 + 0 - raw) / 3.
  Verdict v =
      judge(view, spread("kubernetes.io/hostname", "ScheduleAnyway"), only("PodTopologySpread"));
  EXPECT_EQ(v.feasible.size(), 4u);
  EXPECT_EQ(v.scores,
            (std::map<std::string, std::int64_t>{{"n1", 0}, {"n2", 66}, {"n3", 100}, {"n4", 100}}));
  // Zone: n4 has no zone and scores 0; zones a (3 pods) and b (0), weight log(4).
  v = judge(view, spread("topology.kubernetes.io/zone", "ScheduleAnyway"),
            only("PodTopologySpread"));
  EXPECT_EQ(v.scores,
            (std::map<std::string, std::int64_t>{{"n1", 0}, {"n2", 0}, {"n3", 100}, {"n4", 0}}));
  // No soft constraint: every node scores the maximum.
  v = judge(view, spread("kubernetes.io/hostname", "DoNotSchedule"), only("PodTopologySpread"));
  for (const auto& [n, s] : v.scores) EXPECT_EQ(s, 100) << n;
}

TEST(PodSchedulingTerms, ParserRefusesWhatTheApiserverRefuses) {
  struct Case {
    const char* spec;
    const char* error;
  } cases[] = {
      {"topologySpreadConstraints: [{maxSkew: 0, topologyKey: z, whenUnsatisfiable: "
       "DoNotSchedule}]",
       "maxSkew"},
      {"topologySpreadConstraints: [{maxSkew: 1, whenUnsatisfiable: DoNotSchedule}]",
       "topologyKey"},
      {"topologySpreadConstraints: [{maxSkew: 1, topologyKey: z, whenUnsatisfiable: Sometimes}]",
       "whenUnsatisfiable"},
      {"topologySpreadConstraints: [{maxSkew: 1, topologyKey: z, whenUnsatisfiable: DoNotSchedule},"
       " {maxSkew: 2, topologyKey: z, whenUnsatisfiable: DoNotSchedule}]",
       "duplicate"},
      {"affinity: {podAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{labelSelector: "
       "{}}]}}",
       "topologyKey"},
      {"affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 0, "
       "podAffinityTerm: {topologyKey: z}}]}}",
       "weight"},
      {"affinity: {podAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{topologyKey: z, "
       "labelSelector: {matchExpressions: [{key: a, operator: Gt, values: ['1']}]}}]}}",
       "operator"},
      {"affinity: {podAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{topologyKey: z, "
       "labelSelector: {matchExpressions: [{key: a, operator: Exists, values: [x]}]}}]}}",
       "takes no values"},
      {"affinity: {podAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{topologyKey: "
       "''}]}}",
       "must not be empty"},
  };
  for (const auto& c : cases) {
    auto docs = core::parse_yaml_documents_as_json(
        std::string("metadata: {name: p}\nspec:\n  containers: [{name: c}]\n  ") + c.spec,
        "p.yaml");
    ASSERT_TRUE(docs.ok()) << c.spec;
    auto pod = core::pod_model_from_json((*docs)[0], "p.yaml");
    ASSERT_FALSE(pod.ok()) << c.spec;
    EXPECT_NE(pod.status().message().find(c.error), std::string::npos)
        << c.spec << " -> " << pod.status().message();
  }
}

TEST(PodSchedulingTerms, SurviveTheRoundTripThroughPodJson) {
  core::Pod p = pod_yaml(R"(
metadata: {name: p, labels: {app: s}}
spec:
  affinity:
    podAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector: {matchExpressions: [{key: app, operator: NotIn, values: [a, b]}]}
        namespaces: [x, y]
        topologyKey: z
    podAntiAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 7
        podAffinityTerm: {labelSelector: {matchLabels: {k: v}}, topologyKey: h}
  topologySpreadConstraints:
  - {maxSkew: 3, topologyKey: z, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: s}}}
)");
  auto back = core::pod_model_from_json(core::pod_to_json(p), "again");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(core::pod_to_json(*back).dump(), core::pod_to_json(p).dump());
  ASSERT_EQ(back->pod_affinity.required.size(), 1u);
  EXPECT_EQ(back->pod_affinity.required[0].namespaces, (std::vector<std::string>{"x", "y"}));
  ASSERT_EQ(back->pod_anti_affinity.preferred.size(), 1u);
  EXPECT_EQ(back->pod_anti_affinity.preferred[0].weight, 7);
  ASSERT_EQ(back->topology_spread.size(), 1u);
  EXPECT_EQ(back->topology_spread[0].max_skew, 3);
  EXPECT_FALSE(back->topology_spread[0].do_not_schedule);
}

}  // namespace
}  // namespace aqueduct::scheduler
