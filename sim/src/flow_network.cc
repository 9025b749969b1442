#include "aqueduct/sim/flow_network.h"

#include <algorithm>
#include <cmath>

#include "aqueduct/core/check.h"

namespace aqueduct::sim {

FlowNetwork::ResourceId FlowNetwork::add_resource(double capacity) {
  AQ_CHECK(capacity > 0);
  res_.push_back(Resource{capacity, {}, 0, 0, 0});
  return static_cast<ResourceId>(res_.size() - 1);
}

void FlowNetwork::set_capacity(ResourceId r, double capacity) {
  AQ_CHECK(capacity > 0);
  bool was_finite = finite(r);
  res_[r].capacity = capacity;
  if (res_[r].flows.empty()) return;
  if (!was_finite || finite(r)) {
    resolve(std::span<const ResourceId>(&r, 1));
  } else {
    // Became unlimited: its flows are no longer coupled through it; re-solve
    // each flow's own component.
    std::vector<ResourceId> seeds;
    for (FlowId f : res_[r].flows) {
      for (std::uint8_t h = 0; h < flows_[f].hops; ++h) seeds.push_back(flows_[f].path[h]);
    }
    resolve(seeds);
  }
}

core::Result<FlowNetwork::FlowId> FlowNetwork::start(std::span<const ResourceId> path,
                                                     double bytes, double cap,
                                                     std::uint64_t tag) {
  if (path.size() > kMaxPath) {
    return core::invalid_argument("flow path of " + std::to_string(path.size()) +
                                  " resources: at most " + std::to_string(kMaxPath));
  }
  if (!(bytes > 0) || !std::isfinite(bytes))
    return core::invalid_argument("flow size must be a positive number of bytes");
  if (!(cap > 0)) return core::invalid_argument("flow cap must be positive");
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] >= res_.size()) return core::invalid_argument("flow path: unknown resource");
    for (std::size_t k = 0; k < i; ++k) {
      if (path[k] == path[i]) return core::invalid_argument("flow path: a resource repeats");
    }
  }
  FlowId f;
  if (!free_.empty()) {
    f = free_.back();
    free_.pop_back();
  } else {
    f = static_cast<FlowId>(flows_.size());
    flows_.emplace_back();
  }
  Flow& fl = flows_[f];
  std::uint64_t version = fl.version + 1;
  fl = Flow{};
  fl.version = version;
  fl.active = true;
  fl.cap = cap;
  fl.left = bytes;
  fl.since = sim_->now();
  fl.tag = tag;
  fl.hops = static_cast<std::uint8_t>(path.size());
  for (std::size_t i = 0; i < path.size(); ++i) {
    fl.path[i] = path[i];
    auto& list = res_[path[i]].flows;
    fl.slot[i] = static_cast<std::uint32_t>(list.size());
    list.push_back(f);
  }
  ++active_count_;
  bool coupled = false;
  for (std::size_t i = 0; i < path.size(); ++i) coupled = coupled || finite(path[i]);
  if (coupled) {
    resolve(path);
  } else {
    // Alone: its rate is its own cap.
    fl.rate = cap;
    plan(f);
  }
  arm_timer();
  return f;
}

void FlowNetwork::detach(FlowId f) {
  Flow& fl = flows_[f];
  for (std::uint8_t h = 0; h < fl.hops; ++h) {
    auto& list = res_[fl.path[h]].flows;
    std::uint32_t s = fl.slot[h];
    FlowId moved = list.back();
    list[s] = moved;
    list.pop_back();
    if (moved != f) {
      Flow& m = flows_[moved];
      for (std::uint8_t k = 0; k < m.hops; ++k) {
        if (m.path[k] == fl.path[h]) m.slot[k] = s;
      }
    }
  }
  fl.active = false;
  ++fl.version;  // invalidates its planned completion
  --active_count_;
  free_.push_back(f);
}

void FlowNetwork::abort(FlowId f) {
  if (!active(f)) return;
  std::array<ResourceId, kMaxPath> path = flows_[f].path;
  std::uint8_t hops = flows_[f].hops;
  detach(f);
  resolve(std::span<const ResourceId>(path.data(), hops));
  arm_timer();
}

double FlowNetwork::remaining(FlowId f) const {
  const Flow& fl = flows_[f];
  if (!fl.active) return 0;
  double moved = fl.rate * core::to_seconds(sim_->now() - fl.since);
  return std::max(0.0, fl.left - moved);
}

double FlowNetwork::load(ResourceId r) const {
  double sum = 0;
  for (FlowId f : res_[r].flows) sum += flows_[f].rate;
  return sum;
}

void FlowNetwork::plan(FlowId f) {
  Flow& fl = flows_[f];
  ++fl.version;
  ++stats_.replans;
  fl.planned = true;
  if (fl.rate >= kUnlimited || fl.left <= 0) {
    fl.finish = fl.since;
  } else if (fl.rate <= 0) {
    fl.finish = core::Time::max();
    return;  // never completes until re-rated
  } else {
    double ns = std::ceil(fl.left / fl.rate * 1e9);
    fl.finish = ns >= 9e18 ? core::Time::max() : fl.since + core::Duration(static_cast<std::int64_t>(ns));
  }
  due_.push(Due{fl.finish, f, fl.version});
}

void FlowNetwork::resolve(std::span<const ResourceId> seeds) {
  ++stats_.solves;
  const std::uint64_t stamp = ++stamp_;
  const core::Time now = sim_->now();
  comp_flows_.clear();
  comp_res_.clear();
  // The component: flows and finite resources reachable through finite resources.
  for (ResourceId r : seeds) {
    if (!finite(r) || res_[r].mark == stamp) continue;
    res_[r].mark = stamp;
    comp_res_.push_back(r);
  }
  for (std::size_t i = 0; i < comp_res_.size(); ++i) {
    for (FlowId f : res_[comp_res_[i]].flows) {
      Flow& fl = flows_[f];
      if (fl.mark == stamp) continue;
      fl.mark = stamp;
      comp_flows_.push_back(f);
      for (std::uint8_t h = 0; h < fl.hops; ++h) {
        ResourceId q = fl.path[h];
        if (!finite(q) || res_[q].mark == stamp) continue;
        res_[q].mark = stamp;
        comp_res_.push_back(q);
      }
    }
  }
  stats_.flows_touched += comp_flows_.size();
  // Bring every flow of the component to `now` at its old rate.
  for (FlowId f : comp_flows_) {
    Flow& fl = flows_[f];
    if (fl.since != now) {
      fl.left = std::max(0.0, fl.left - fl.rate * core::to_seconds(now - fl.since));
      fl.since = now;
    }
    fl.fixed = false;
  }
  // Progressive filling. Shares of resources only grow as flows are fixed at
  // the current level, so a lazy min-heap of (share, resource) suffices.
  using Entry = std::pair<double, ResourceId>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
  for (ResourceId r : comp_res_) {
    Resource& rs = res_[r];
    rs.left = rs.capacity;
    rs.unfixed = static_cast<std::int32_t>(rs.flows.size());
    if (rs.unfixed > 0) heap.push({rs.left / rs.unfixed, r});
  }
  capped_.clear();
  for (FlowId f : comp_flows_) {
    if (flows_[f].cap < kUnlimited) capped_.push_back({flows_[f].cap, f});
  }
  std::sort(capped_.begin(), capped_.end());
  std::size_t ci = 0;
  old_rate_.clear();
  for (FlowId f : comp_flows_) old_rate_.push_back(flows_[f].rate);
  auto fix = [&](FlowId f, double rate) {
    Flow& fl = flows_[f];
    fl.fixed = true;
    fl.rate = rate;
    for (std::uint8_t h = 0; h < fl.hops; ++h) {
      ResourceId q = fl.path[h];
      if (!finite(q)) continue;
      Resource& rs = res_[q];
      rs.left = std::max(0.0, rs.left - rate);
      if (--rs.unfixed > 0) heap.push({rs.left / rs.unfixed, q});
    }
  };
  std::size_t fixed_count = 0;
  while (fixed_count < comp_flows_.size()) {
    while (!heap.empty()) {
      auto [share, r] = heap.top();
      const Resource& rs = res_[r];
      if (rs.unfixed > 0 && share == rs.left / rs.unfixed) break;
      heap.pop();  // stale
    }
    while (ci < capped_.size() && flows_[capped_[ci].second].fixed) ++ci;
    double best_share = heap.empty() ? kUnlimited : heap.top().first;
    if (ci < capped_.size() && capped_[ci].first <= best_share) {
      fix(capped_[ci].second, capped_[ci].first);
      ++ci;
      ++fixed_count;
      continue;
    }
    if (heap.empty()) break;  // cannot happen: every component flow has a finite resource
    ResourceId r = heap.top().second;
    heap.pop();
    // Fix every unfixed flow on the bottleneck at its share (copy: fix() may push).
    double level = best_share;
    for (std::size_t i = 0; i < res_[r].flows.size(); ++i) {
      FlowId f = res_[r].flows[i];
      if (flows_[f].fixed) continue;
      fix(f, level);
      ++fixed_count;
    }
  }
  for (std::size_t i = 0; i < comp_flows_.size(); ++i) {
    FlowId f = comp_flows_[i];
    if (!flows_[f].planned || flows_[f].rate != old_rate_[i]) plan(f);
  }
}

void FlowNetwork::arm_timer() {
  while (!due_.empty()) {
    const Due& d = due_.top();
    const Flow& fl = flows_[d.flow];
    if (fl.active && fl.version == d.version) break;
    due_.pop();
  }
  core::Time next = due_.empty() ? core::Time::max() : due_.top().at;
  if (next == timer_at_) return;
  if (timer_at_ != core::Time::max()) sim_->cancel(timer_);
  timer_at_ = next;
  if (next != core::Time::max()) timer_ = sim_->schedule_at(next, [this] { on_timer(); });
}

void FlowNetwork::on_timer() {
  timer_at_ = core::Time::max();
  const core::Time now = sim_->now();
  std::vector<ResourceId>& seeds = seeds_;
  seeds.clear();
  // Callbacks may start flows (and re-enter the network): hand them a copy.
  std::vector<std::uint64_t> tags;
  while (!due_.empty() && due_.top().at <= now) {
    Due d = due_.top();
    due_.pop();
    Flow& fl = flows_[d.flow];
    if (!fl.active || fl.version != d.version) continue;
    for (std::uint8_t h = 0; h < fl.hops; ++h) seeds.push_back(fl.path[h]);
    tags.push_back(fl.tag);
    detach(d.flow);
  }
  if (!seeds.empty()) resolve(seeds);
  arm_timer();
  for (std::uint64_t t : tags) {
    if (done_) done_(t);
  }
}

}  // namespace aqueduct::sim
