#include "aqueduct/scheduler/framework.h"
#include "aqueduct/core/text/suggest.h"

#include <algorithm>

namespace aqueduct::scheduler {

void Plugin::normalize(std::span<std::int64_t> scores) {
  for (auto& s : scores) s = std::clamp<std::int64_t>(s, 0, 100);
}

void normalize_by_max(std::span<std::int64_t> scores, bool reverse) {
  std::int64_t max = 0;
  for (auto s : scores) max = std::max(max, s);
  for (auto& s : scores) {
    std::int64_t v = max > 0 ? s * 100 / max : 0;
    s = reverse ? 100 - v : v;
  }
}

Profile default_profile() {
  Profile p;
  p.name = "default";
  p.plugins = {{"NodeResourcesFit", 1, {}}, {"NodeAffinity", 2, {}},
               {"TaintToleration", 3, {}},  {"NodeResourcesBalancedAllocation", 1, {}},
               {"InterPodAffinity", 2, {}}, {"PodTopologySpread", 2, {}},
               {"NodeArch", 1, {}}};
  return p;
}

std::vector<std::string> preset_names() {
  return {"data-aware", "default", "kube-1.20", "least-allocated", "most-allocated"};
}

core::Result<Profile> preset_profile(std::string_view name) {
  Profile p = default_profile();
  if (name == "default" || name == "least-allocated") {
    p.name = std::string(name);
    return p;
  }
  if (name == "kube-1.20") {
    // kube-scheduler 1.20's default score weights (its algorithm provider).
    p.name = "kube-1.20";
    for (auto& pc : p.plugins) {
      pc.weight = pc.name == "PodTopologySpread" ? 2 : 1;
    }
    return p;
  }
  if (name == "most-allocated") {
    p.name = "most-allocated";
    p.plugins[0].args["strategy"] = "MostAllocated";
    return p;
  }
  if (name == "data-aware") {
    p.name = "data-aware";
    p.plugins.push_back({"DataLocality", 5, {}});
    p.plugins.push_back({"BandwidthPressure", 1, {}});
    p.plugins.push_back({"Cost", 1, {}});
    return p;
  }
  std::string known;
  std::vector<std::string> names;
  for (const auto& n : preset_names()) {
    known += (known.empty() ? "" : ", ") + n;
    names.emplace_back(n);
  }
  return core::invalid_argument("unknown scheduler profile \"" + std::string(name) +
                                "\": expected one of " + known + " (or a plugin list)" +
                                core::did_you_mean(name, names));
}

core::Result<std::unique_ptr<Framework>> Framework::create(const Profile& profile,
                                                           const PluginRegistry& registry,
                                                           Stopwatch stopwatch,
                                                           std::uint64_t tie_seed) {
  std::unique_ptr<Framework> f(new Framework());
  f->profile_ = profile;
  f->tie_state_ = tie_seed;
  f->stopwatch_ = std::move(stopwatch);
  if (profile.percentage_of_nodes_to_score < 0 || profile.percentage_of_nodes_to_score > 100) {
    return core::invalid_argument("percentageOfNodesToScore: expected 0 (adaptive) to 100, got " +
                                  std::to_string(profile.percentage_of_nodes_to_score));
  }
  for (const auto& pc : profile.plugins) {
    for (const auto& p : f->plugins_) {
      if (p->name() == pc.name)
        return core::invalid_argument("plugin " + pc.name + " is listed twice");
    }
    if (pc.weight < 0 || pc.weight > 100) {
      return core::invalid_argument("plugin " + pc.name + ": weight must be in [0, 100], got " +
                                    std::to_string(pc.weight));
    }
    AQ_ASSIGN_OR_RETURN(auto plugin, registry.create(pc.name, pc.args));
    std::size_t i = f->plugins_.size();
    std::uint32_t pts = plugin->points();
    if (pts & kPreFilter) f->pre_filter_.push_back(i);
    if (pts & kFilter) f->filter_.push_back(i);
    if ((pts & kScore) && pc.weight > 0) f->score_.push_back(i);
    if (pts & kReserve) f->reserve_.push_back(i);
    f->weights_.push_back(pc.weight);
    f->stats_.push_back(PluginStats{std::string(plugin->name()), 0, 0, 0});
    f->plugins_.push_back(std::move(plugin));
  }
  return f;
}

std::uint64_t Framework::next_random() {
  std::uint64_t z = (tie_state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::vector<std::string> Framework::score_plugin_names() const {
  std::vector<std::string> out;
  for (std::size_t i : score_) out.emplace_back(plugins_[i]->name());
  return out;
}

std::size_t Framework::nodes_to_find(std::size_t all) const {
  const std::size_t kMinFeasible = 100;
  if (all < kMinFeasible || profile_.percentage_of_nodes_to_score >= 100) return all;
  long pct = profile_.percentage_of_nodes_to_score;
  if (pct == 0) {
    pct = 50 - static_cast<long>(all) / 125;
    if (pct < 5) pct = 5;
  }
  std::size_t n = all * static_cast<std::size_t>(pct) / 100;
  return std::max(n, kMinFeasible);
}

PodInfo Framework::pod_info(const core::ClusterView& view, const core::Pod& pod) const {
  PodInfo info;
  info.pod = &pod;
  info.requests = pod.requests();
  auto ds = view.datasets();
  for (const auto& v : pod.volumes) {
    if (v.pvc_claim_name.empty()) continue;
    for (std::size_t i = 0; i < ds.size(); ++i) {
      if (ds[i].meta.name == v.pvc_claim_name && ds[i].meta.namespace_ == pod.meta.namespace_) {
        info.datasets.push_back(i);
        break;
      }
    }
  }
  return info;
}

PodDecision Framework::place_one(const CycleContext& ctx, const PodInfo& info, bool explain) {
  PodDecision d;
  const std::size_t n = ctx.view->nodes().size();
  auto timed = [&](std::size_t p, auto&& fn) {
    ++stats_[p].calls;
    if (!stopwatch_) return fn();
    std::uint64_t t0 = stopwatch_();
    auto r = fn();
    stats_[p].nanos += stopwatch_() - t0;
    return r;
  };
  std::vector<std::pair<std::string, int>> reasons;
  auto fail_one = [&](std::string_view why) {
    for (auto& [r, c] : reasons) {
      if (r == why) {
        ++c;
        return;
      }
    }
    reasons.emplace_back(std::string(why), 1);
  };
  auto fail = [&](std::string_view why) {
    for (std::size_t nl; (nl = why.find('\n')) != std::string_view::npos; why.remove_prefix(nl + 1))
      fail_one(why.substr(0, nl));
    fail_one(why);
  };
  auto finish_reason = [&](std::string prefix_reason) {
    // kube-scheduler's FitError: "<count> <reason>" strings, sorted as strings.
    std::vector<std::string> counted;
    for (const auto& [r, c] : reasons) counted.push_back(std::to_string(c) + " " + r);
    std::sort(counted.begin(), counted.end());
    d.reason = "0/" + std::to_string(n) + " nodes are available";
    if (!prefix_reason.empty()) {
      d.reason += ": " + prefix_reason;
    } else if (n == 0) {
      d.reason += ": no nodes";
    }
    std::string sep = prefix_reason.empty() ? ": " : ", ";
    for (const auto& r : counted) {
      d.reason += sep + r;
      sep = ", ";
    }
    d.reason += ".";
  };

  std::vector<std::size_t> hint;
  for (std::size_t p : pre_filter_) {
    std::string why = timed(p, [&] { return plugins_[p]->pre_filter(ctx, info, hint); });
    if (!why.empty()) {
      finish_reason(why);
      return d;
    }
  }
  if (n == 0) {
    finish_reason("");
    return d;
  }
  if (visited_.size() != n) visited_.assign(n, 0);
  if (++epoch_ == 0) {
    std::fill(visited_.begin(), visited_.end(), 0);
    epoch_ = 1;
  }
  feasible_.clear();
  auto evaluate = [&](std::size_t i) {
    for (std::size_t p : filter_) {
      std::string_view why = timed(p, [&] { return plugins_[p]->filter(ctx, info, i); });
      if (!why.empty()) {
        ++stats_[p].rejections;
        fail(why);
        return;
      }
    }
    feasible_.push_back(i);
  };
  const std::size_t want = nodes_to_find(n);
  for (std::size_t i : hint) {
    if (i >= n || visited_[i] == epoch_) continue;
    visited_[i] = epoch_;
    evaluate(i);
  }
  std::size_t processed = 0;
  for (; processed < n && feasible_.size() < want; ++processed) {
    std::size_t i = (next_start_ + processed) % n;
    if (visited_[i] == epoch_) continue;
    visited_[i] = epoch_;
    evaluate(i);
  }
  next_start_ = (next_start_ + processed) % n;
  if (feasible_.empty()) {
    finish_reason("");
    return d;
  }
  const std::size_t f = feasible_.size();
  std::vector<std::int64_t> total(f, 0);
  std::vector<std::vector<std::int64_t>> per_plugin;
  if (explain) per_plugin.assign(score_.size(), std::vector<std::int64_t>(f, 0));
  raw_.resize(f);
  for (std::size_t k = 0; k < score_.size(); ++k) {
    std::size_t p = score_[k];
    // PreScore is timed with the plugin but not counted as a call.
    const std::uint64_t t0 = stopwatch_ ? stopwatch_() : 0;
    plugins_[p]->pre_score(ctx, info, feasible_);
    if (stopwatch_) stats_[p].nanos += stopwatch_() - t0;
    for (std::size_t j = 0; j < f; ++j) {
      raw_[j] = timed(p, [&] { return plugins_[p]->score(ctx, info, feasible_[j]); });
    }
    plugins_[p]->normalize(std::span<std::int64_t>(raw_.data(), f));
    for (std::size_t j = 0; j < f; ++j) {
      total[j] += raw_[j] * weights_[p];
      if (explain) per_plugin[k][j] = raw_[j];
    }
  }
  // The best node; among equal bests, a uniform choice (reservoir sampling).
  std::size_t best = 0;
  std::uint64_t ties = 1;
  for (std::size_t j = 1; j < f; ++j) {
    if (total[j] > total[best]) {
      best = j;
      ties = 1;
    } else if (total[j] == total[best]) {
      ++ties;
      if (next_random() % ties == 0) best = j;
    }
  }
  d.placed = true;
  d.node = feasible_[best];
  if (explain) {
    for (std::size_t j = 0; j < f; ++j) {
      NodeScore ns{feasible_[j], total[j], {}};
      for (std::size_t k = 0; k < score_.size(); ++k) ns.by_plugin.push_back(per_plugin[k][j]);
      d.scores.push_back(std::move(ns));
    }
    std::stable_sort(d.scores.begin(), d.scores.end(),
                     [](const NodeScore& a, const NodeScore& b) { return a.total > b.total; });
  }
  return d;
}

std::vector<std::size_t> Framework::feasible_nodes(const core::ClusterView& view,
                                                   std::span<const core::Resources> reserved,
                                                   const core::Pod& pod) {
  std::vector<std::size_t> out;
  CycleContext ctx{&view, reserved, {}};
  PodInfo info = pod_info(view, pod);
  std::vector<std::size_t> hint;
  for (std::size_t p : pre_filter_) {
    if (!plugins_[p]->pre_filter(ctx, info, hint).empty()) return out;
  }
  for (std::size_t i = 0; i < view.nodes().size(); ++i) {
    bool ok = true;
    for (std::size_t p : filter_) {
      if (!plugins_[p]->filter(ctx, info, i).empty()) {
        ok = false;
        break;
      }
    }
    if (ok) out.push_back(i);
  }
  return out;
}

Framework::NodeVerdicts Framework::evaluate(const core::ClusterView& view, const core::Pod& pod) {
  for (auto& p : plugins_) p->begin_round();
  const std::size_t n = view.nodes().size();
  NodeVerdicts v;
  v.reasons.assign(n, "");
  v.scores.assign(n, 0);
  std::vector<core::Resources> reserved(n);
  for (std::size_t i = 0; i < n; ++i) reserved[i] = view.nodes()[i].requested;
  CycleContext ctx{&view, reserved, {}};
  PodInfo info = pod_info(view, pod);
  std::vector<std::size_t> hint;
  for (std::size_t p : pre_filter_) {
    std::string why = plugins_[p]->pre_filter(ctx, info, hint);
    if (!why.empty()) {
      v.reasons.assign(n, why);
      return v;
    }
  }
  std::vector<std::size_t> feasible;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t p : filter_) {
      std::string_view why = plugins_[p]->filter(ctx, info, i);
      if (!why.empty()) {
        v.reasons[i] = std::string(why);
        std::replace(v.reasons[i].begin(), v.reasons[i].end(), '\n', ',');
        break;
      }
    }
    if (v.reasons[i].empty()) feasible.push_back(i);
  }
  std::vector<std::int64_t> raw(feasible.size());
  for (std::size_t p : score_) {
    plugins_[p]->pre_score(ctx, info, feasible);
    for (std::size_t j = 0; j < feasible.size(); ++j)
      raw[j] = plugins_[p]->score(ctx, info, feasible[j]);
    plugins_[p]->normalize(std::span<std::int64_t>(raw.data(), raw.size()));
    for (std::size_t j = 0; j < feasible.size(); ++j) v.scores[feasible[j]] += raw[j] * weights_[p];
  }
  return v;
}

GangDecision Framework::place(const core::ClusterView& view, std::span<const core::Pod* const> pods,
                              bool explain) {
  GangDecision g;
  for (auto& p : plugins_) p->begin_round();
  auto nodes = view.nodes();
  std::vector<core::Resources> reserved(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) reserved[i] = nodes[i].requested;
  std::vector<ReservedPod> reserved_pods;
  reserved_pods.reserve(pods.size());
  CycleContext ctx{&view, reserved, {}};
  std::vector<PodInfo> infos;
  for (const core::Pod* pod : pods) infos.push_back(pod_info(view, *pod));
  for (std::size_t k = 0; k < pods.size(); ++k) {
    PodDecision d = place_one(ctx, infos[k], explain);
    if (!d.placed) {
      // Roll the gang back.
      for (std::size_t b = g.nodes.size(); b-- > 0;) {
        for (std::size_t p : reserve_) plugins_[p]->unreserve(ctx, infos[b], g.nodes[b]);
      }
      g.placed = false;
      g.reason = d.reason;
      if (pods.size() > 1) {
        g.reason +=
            " (pod " + std::to_string(k + 1) + " of a gang of " + std::to_string(pods.size()) + ")";
      }
      g.nodes.clear();
      g.pods.push_back(std::move(d));
      return g;
    }
    reserved[d.node] += infos[k].requests;
    reserved_pods.push_back({d.node, pods[k]});
    ctx.reserved_pods = reserved_pods;
    for (std::size_t p : reserve_) plugins_[p]->reserve(ctx, infos[k], d.node);
    g.nodes.push_back(d.node);
    g.pods.push_back(std::move(d));
  }
  g.placed = true;
  return g;
}

core::Status Framework::bind(core::ActionSink& sink, const core::ClusterView& view,
                             std::span<const core::Pod* const> pods, const GangDecision& d) {
  if (!d.placed || d.nodes.size() != pods.size()) {
    return core::failed_precondition("bind: the gang was not placed");
  }
  for (std::size_t k = 0; k < pods.size(); ++k) {
    core::Status s =
        sink.bind(core::object_key(pods[k]->meta), view.nodes()[d.nodes[k]].node->meta.name);
    if (!s.is_ok()) {
      CycleContext ctx{&view, {}, {}};
      for (std::size_t b = pods.size(); b-- > k;) {
        PodInfo info = pod_info(view, *pods[b]);
        for (std::size_t p : reserve_) plugins_[p]->unreserve(ctx, info, d.nodes[b]);
      }
      return s.with_context("binding " + core::object_key(pods[k]->meta));
    }
  }
  return core::Status::ok();
}

}  // namespace aqueduct::scheduler
