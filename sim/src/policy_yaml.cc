#include "aqueduct/sim/policy_yaml.h"
#include "aqueduct/core/jobs/job_policy.h"
#include "aqueduct/core/text/suggest.h"

namespace aqueduct::sim {
using core::YamlCursor;

void parse_scheduler_profile(YamlCursor& sc, scheduler::Profile& out) {
  if (sc.is_scalar()) {
    auto p = scheduler::preset_profile(sc.node().Scalar());
    if (!p.ok()) {
      sc.error("", p.status().message());
    } else {
      out = *p;
    }
    return;
  }
  if (!sc.expect_map("a profile name or {profile, plugins, percentageOfNodesToScore}")) return;
  if (auto base = sc.str("profile")) {
    auto p = scheduler::preset_profile(*base);
    if (!p.ok()) {
      sc.error(sc.field_path("profile"), p.status().message());
    } else {
      out = *p;
    }
  }
  if (sc.has("plugins")) {
    out.plugins.clear();
    out.name = "custom";
    auto known = scheduler::builtin_plugins();
    sc.each("plugins", [&](YamlCursor& pc) {
      if (!pc.expect_map("a plugin {name, weight, args}")) return;
      scheduler::PluginConfig cfg;
      cfg.name = pc.str("name", true).value_or("");
      cfg.weight = pc.integer("weight", false, 0, 100).value_or(1);
      cfg.args = pc.string_map("args");
      pc.finish_unknown("a plugin entry");
      if (!cfg.name.empty() && !known.contains(cfg.name)) {
        pc.error(pc.field_path("name"), "unknown scheduler plugin \"" + cfg.name +
                                            "\": expected one of " + known.joined_names() +
                                            core::did_you_mean(cfg.name, known.names()));
        return;
      }
      out.plugins.push_back(std::move(cfg));
    });
  }
  out.percentage_of_nodes_to_score =
      static_cast<int>(sc.integer("percentageOfNodesToScore", false, 0, 100)
                           .value_or(out.percentage_of_nodes_to_score));
  sc.finish_unknown("the scheduler section");
  // Catch bad plugin arguments now, with the position.
  auto fw = scheduler::Framework::create(out, scheduler::builtin_plugins());
  if (!fw.ok()) sc.error("", fw.status().message());
}

void parse_tiered_locality(YamlCursor& tl, core::TieredLocality& out) {
  if (!tl.expect_map("{preferred: [{name, weight}], required: [names]}")) return;
  if (tl.has("preferred")) {
    out.preferred.clear();
    tl.each("preferred", [&](YamlCursor& p) {
      if (!p.expect_map("{name, weight}")) return;
      auto name = p.str("name", true);
      auto w = p.integer("weight", true, 1, 100);
      p.finish_unknown("a preferred locality");
      if (name && w) out.preferred.emplace_back(*name, static_cast<std::int32_t>(*w));
    });
  }
  if (tl.has("required")) out.required = tl.string_list("required");
  tl.finish_unknown("tieredLocality");
}

void parse_job_policy(YamlCursor& jc, PolicySpec::Jobs& out) {
  if (!jc.expect_map("{policy, args, round, checkpoint, restart}")) return;
  out.policy = jc.str("policy", true).value_or("");
  out.args = jc.string_map("args");
  for (auto [key, field] :
       {std::pair{"round", &out.round}, std::pair{"checkpoint", &out.checkpoint},
        std::pair{"restart", &out.restart}}) {
    if (auto d = jc.duration(key)) {
      if (d->count() < 0) {
        jc.error(jc.field_path(key), "expected a duration of 0 or more");
      } else {
        *field = *d;
      }
    }
  }
  jc.finish_unknown("the jobs section");
  if (out.policy == "gavel" && out.round.count() == 0) {
    jc.error(jc.field_path("round"),
             "job policy gavel reallocates at rounds: set policies.jobs.round (Gavel's is 6m)");
  }
  // A built-in policy's arguments are checked here, with the position; other
  // names may be Python policies, resolved against the run's registry.
  auto builtin = core::builtin_job_policies();
  if (out.policy.empty() || !builtin.contains(out.policy)) return;
  auto probe = builtin.create(out.policy, out.args);
  if (!probe.ok()) jc.error(jc.field_path("policy"), probe.status().message());
}

}  // namespace aqueduct::sim
