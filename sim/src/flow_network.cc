#include "aqueduct/sim/flow_network.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "aqueduct/core/check.h"

namespace aqueduct::sim {

namespace {
constexpr FlowNetwork::ResourceId kNoResource = 0xffffffffu;
}  // namespace

std::size_t FlowNetwork::KeyHash::operator()(const std::pair<Path, double>& k) const {
  std::uint64_t h = std::bit_cast<std::uint64_t>(k.second) * 0x9e3779b97f4a7c15ull;
  for (ResourceId r : k.first) h = (h ^ r) * 0x100000001b3ull;
  return static_cast<std::size_t>(h ^ (h >> 29));
}

FlowNetwork::ResourceId FlowNetwork::add_resource(double capacity) {
  AQ_CHECK(capacity > 0);
  Resource r;
  r.capacity = capacity;
  res_.push_back(std::move(r));
  return static_cast<ResourceId>(res_.size() - 1);
}

void FlowNetwork::set_capacity(ResourceId r, double capacity) {
  AQ_CHECK(capacity > 0);
  flush();
  released_.clear();
  std::vector<std::uint32_t> on_r = res_[r].bundles;
  for (std::uint32_t b : on_r) add_bound(b, -static_cast<double>(bundles_[b].count), &released_);
  res_[r].capacity = capacity;
  std::vector<ResourceId> seeds;
  for (std::uint32_t b : on_r) {
    Bundle& bd = bundles_[b];
    bd.upper = bd.cap;
    for (std::uint8_t h = 0; h < bd.hops; ++h) {
      bd.upper = std::min(bd.upper, res_[bd.path[h]].capacity);
      seeds.push_back(bd.path[h]);
    }
    add_bound(b, static_cast<double>(bd.count), nullptr);
    bd.dirty = true;
  }
  std::vector<ResourceId> released = released_;
  resolve(seeds, on_r, released);
  arm_timer();
}

void FlowNetwork::add_bound(std::uint32_t b, double delta, std::vector<ResourceId>* released) {
  Bundle& bd = bundles_[b];
  if (!(bd.upper < kUnlimited)) return;
  for (std::uint8_t h = 0; h < bd.hops; ++h) {
    ResourceId q = bd.path[h];
    if (!finite(q)) continue;
    bool before = coupling(q);
    res_[q].bound = std::max(0.0, res_[q].bound + delta * bd.upper);
    if (res_[q].bundles.size() == 1 && delta < 0 && bd.count == 0) res_[q].bound = 0;
    if (released && before && !coupling(q)) released->push_back(q);
  }
}

std::uint32_t FlowNetwork::bundle_for(std::span<const ResourceId> path, double cap) {
  Path key;
  key.fill(kNoResource);
  std::copy(path.begin(), path.end(), key.begin());
  auto it = by_key_.find({key, cap});
  if (it != by_key_.end()) return it->second;
  std::uint32_t b;
  if (!free_bundles_.empty()) {
    b = free_bundles_.back();
    free_bundles_.pop_back();
  } else {
    b = static_cast<std::uint32_t>(bundles_.size());
    bundles_.emplace_back();
  }
  Bundle& bd = bundles_[b];
  std::uint64_t version = bd.version + 1;
  bd = Bundle{};
  bd.version = version;
  bd.path = key;
  bd.hops = static_cast<std::uint8_t>(path.size());
  bd.cap = cap;
  bd.upper = cap;
  bd.since = sim_->now();
  for (std::size_t i = 0; i < path.size(); ++i) {
    bd.upper = std::min(bd.upper, res_[path[i]].capacity);
    auto& list = res_[path[i]].bundles;
    bd.slot[i] = static_cast<std::uint32_t>(list.size());
    list.push_back(b);
  }
  by_key_.emplace(std::make_pair(key, cap), b);
  return b;
}

void FlowNetwork::retire(std::uint32_t b) {
  Bundle& bd = bundles_[b];
  for (std::uint8_t h = 0; h < bd.hops; ++h) {
    auto& list = res_[bd.path[h]].bundles;
    std::uint32_t s = bd.slot[h];
    std::uint32_t moved = list.back();
    list[s] = moved;
    list.pop_back();
    if (moved != b) {
      Bundle& m = bundles_[moved];
      for (std::uint8_t k = 0; k < m.hops; ++k) {
        if (m.path[k] == bd.path[h]) m.slot[k] = s;
      }
    }
  }
  by_key_.erase({bd.path, bd.cap});
  if (bd.cls != kNoResource) {
    --res_[bd.cls].members;
    bd.cls = kNoResource;
  }
  ++bd.version;  // invalidates its planned completion
  bd.targets = {};
  bd.count = 0;
  free_bundles_.push_back(b);
}

double FlowNetwork::clock_at(const Bundle& b, core::Time t) const {
  if (b.cls != kNoResource) {
    const Resource& r = res_[b.cls];
    double v = r.vclock;
    if (r.level > 0 && r.level < kUnlimited) v += r.level * core::to_seconds(t - r.vsince);
    return v + b.offset;
  }
  double c = b.clock;
  if (b.rate > 0 && b.rate < kUnlimited) c += b.rate * core::to_seconds(t - b.since);
  return c;
}

void FlowNetwork::advance(Bundle& b, core::Time now) {
  if (b.cls == kNoResource && b.since == now) return;
  b.clock = clock_at(b, now);
  b.since = now;
}

void FlowNetwork::advance_class(Resource& r, core::Time now) {
  if (r.vsince == now) return;
  if (r.level > 0 && r.level < kUnlimited) r.vclock += r.level * core::to_seconds(now - r.vsince);
  r.vsince = now;
}

void FlowNetwork::leave_class(Bundle& b) {
  if (b.cls == kNoResource) return;
  const core::Time now = sim_->now();
  b.clock = clock_at(b, now);
  b.since = now;
  --res_[b.cls].members;
  b.cls = kNoResource;
}

// REQUIRES: the bundle in no class, its clock and the class clock at now.
void FlowNetwork::join_class(std::uint32_t b, ResourceId r) {
  Bundle& bd = bundles_[b];
  Resource& rs = res_[r];
  bd.cls = r;
  bd.offset = bd.clock - rs.vclock;
  bd.queued = -1;
  ++rs.members;
}

bool FlowNetwork::member_entry_valid(ResourceId r, const Target& t) {
  Bundle& bd = bundles_[t.flow];
  if (bd.cls != r || bd.count == 0 || bd.queued != t.at) return false;
  drop_dead_targets(bd);
  return !bd.targets.empty() && bd.targets.top().at - bd.offset == t.at;
}

void FlowNetwork::mark_class(ResourceId r) {
  if (res_[r].class_dirty) return;
  res_[r].class_dirty = true;
  marked_classes_.push_back(r);
}

void FlowNetwork::plan_marked_classes() {
  for (ResourceId r : marked_classes_) {
    res_[r].class_dirty = false;
    plan_class(r);
  }
  marked_classes_.clear();
}

void FlowNetwork::plan_class(ResourceId r) {
  Resource& rs = res_[r];
  ++rs.cversion;
  ++stats_.replans;
  auto& q = rs.member_due;
  // Re-planned members leave stale entries; keep the queue near its live size.
  if (q.size() > 64 + 4 * static_cast<std::size_t>(rs.members)) {
    std::vector<Target> live;
    while (!q.empty()) {
      if (member_entry_valid(r, q.top())) live.push_back(q.top());
      q.pop();
    }
    q = decltype(rs.member_due)(std::greater<>(), std::move(live));
  }
  while (!q.empty() && !member_entry_valid(r, q.top())) q.pop();
  if (q.empty() || !(rs.level > 0)) return;
  const core::Time now = sim_->now();
  double left =
      q.top().at -
      (rs.vclock + (rs.level < kUnlimited ? rs.level * core::to_seconds(now - rs.vsince) : 0.0));
  core::Time finish = now;
  if (left > 0 && rs.level < kUnlimited) {
    double ns = std::ceil(left / rs.level * 1e9);
    if (ns >= 9e18) return;
    finish = now + core::Duration(static_cast<std::int64_t>(ns));
  }
  due_.push(Due{finish, r | kClassBit, rs.cversion});
}

bool FlowNetwork::due_valid(const Due& d) const {
  if (d.bundle & kClassBit) return res_[d.bundle & ~kClassBit].cversion == d.version;
  const Bundle& bd = bundles_[d.bundle];
  return bd.count > 0 && bd.version == d.version && bd.cls == kNoResource;
}

void FlowNetwork::drop_dead_targets(Bundle& b) {
  while (!b.targets.empty()) {
    const Target& t = b.targets.top();
    const Flow& f = flows_[t.flow];
    if (f.active && f.target == t.at && &bundles_[f.bundle] == &b) return;
    b.targets.pop();
  }
}

core::Result<FlowNetwork::FlowId> FlowNetwork::start(std::span<const ResourceId> path, double bytes,
                                                     double cap, std::uint64_t tag) {
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
  const core::Time now = sim_->now();
  std::uint32_t b = bundle_for(path, cap);
  Bundle& bd = bundles_[b];
  advance(bd, now);
  FlowId f;
  if (!free_flows_.empty()) {
    f = free_flows_.back();
    free_flows_.pop_back();
  } else {
    f = static_cast<FlowId>(flows_.size());
    flows_.emplace_back();
  }
  Flow& fl = flows_[f];
  fl.bundle = b;
  fl.target = bd.clock + bytes;
  fl.tag = tag;
  fl.active = true;
  bd.targets.push(Target{fl.target, f});
  ++bd.count;
  bd.dirty = true;
  ++active_count_;
  add_bound(b, 1, nullptr);
  pending_seeds_.insert(pending_seeds_.end(), path.begin(), path.end());
  pending_extra_.push_back(b);
  if (!flush_scheduled_) {
    flush_scheduled_ = true;
    // An event at this instant, after those already due now: flows their
    // handlers start join the same solve.
    sim_->schedule_at(now, [this] {
      flush_scheduled_ = false;
      ++stats_.flushes;
      flush();
    });
  }
  return f;
}

void FlowNetwork::flush(bool arm) {
  if (pending_extra_.empty()) return;
  std::vector<ResourceId> seeds;
  std::vector<std::uint32_t> extra;
  seeds.swap(pending_seeds_);
  extra.swap(pending_extra_);
  resolve(seeds, extra);
  if (arm) arm_timer();
  seeds.clear();
  extra.clear();
  pending_seeds_.swap(seeds);  // keep the capacity
  pending_extra_.swap(extra);
}

void FlowNetwork::abort(FlowId f) {
  if (!active(f)) return;
  flush();
  Flow& fl = flows_[f];
  std::uint32_t b = fl.bundle;
  fl.active = false;
  free_flows_.push_back(f);
  --active_count_;
  Bundle& bd = bundles_[b];
  advance(bd, sim_->now());
  --bd.count;
  bd.dirty = true;
  released_.clear();
  add_bound(b, -1, &released_);
  Path path = bd.path;
  std::uint8_t hops = bd.hops;
  const bool alive = bd.count > 0;
  if (!alive) retire(b);
  std::vector<ResourceId> released = released_;
  resolve(std::span<const ResourceId>(path.data(), hops),
          alive ? std::span<const std::uint32_t>(&b, 1) : std::span<const std::uint32_t>(),
          released);
  arm_timer();
}

double FlowNetwork::rate(FlowId f) {
  flush();
  return active(f) ? bundles_[flows_[f].bundle].rate : 0.0;
}

double FlowNetwork::remaining(FlowId f) {
  if (!active(f)) return 0;
  flush();
  const Bundle& bd = bundles_[flows_[f].bundle];
  return std::max(0.0, flows_[f].target - clock_at(bd, sim_->now()));
}

double FlowNetwork::load(ResourceId r) {
  flush();
  double sum = 0;
  for (std::uint32_t b : res_[r].bundles) sum += bundles_[b].rate * bundles_[b].count;
  return sum;
}

void FlowNetwork::plan(std::uint32_t b) {
  Bundle& bd = bundles_[b];
  ++bd.version;
  ++stats_.replans;
  bd.dirty = false;
  drop_dead_targets(bd);
  if (bd.cls != kNoResource) {
    // One live entry per member: pushed only when its next target moved.
    if (!bd.targets.empty() && bd.targets.top().at - bd.offset != bd.queued) {
      bd.queued = bd.targets.top().at - bd.offset;
      res_[bd.cls].member_due.push(Target{bd.queued, b});
      mark_class(bd.cls);
    }
    return;
  }
  if (bd.targets.empty() || bd.rate <= 0) return;  // nothing to finish, or stalled
  double left = bd.targets.top().at - bd.clock;
  core::Time finish;
  if (bd.rate >= kUnlimited || left <= 0) {
    finish = bd.since;
  } else {
    double ns = std::ceil(left / bd.rate * 1e9);
    if (ns >= 9e18) return;
    finish = bd.since + core::Duration(static_cast<std::int64_t>(ns));
  }
  due_.push(Due{finish, b, bd.version});
}

void FlowNetwork::resolve(std::span<const ResourceId> seeds, std::span<const std::uint32_t> extra,
                          std::span<const ResourceId> released) {
  ++stats_.solves;
  const std::uint64_t stamp = ++stamp_;
  const core::Time now = sim_->now();
  comp_bundles_.clear();
  comp_res_.clear();
  // The component: bundles and the resources that could saturate, reachable
  // from the seeds through such resources.
  auto add_res = [&](ResourceId q) {
    if (res_[q].mark == stamp || !coupling(q)) return;
    res_[q].mark = stamp;
    comp_res_.push_back(q);
  };
  auto add_bundle = [&](std::uint32_t b) {
    if (bundles_[b].mark == stamp || bundles_[b].count == 0) return;
    bundles_[b].mark = stamp;
    comp_bundles_.push_back(b);
  };
  for (ResourceId r : seeds) add_res(r);
  for (std::uint32_t b : extra) add_bundle(b);
  for (ResourceId r : released) {
    for (std::uint32_t b : res_[r].bundles) add_bundle(b);
  }
  std::size_t ir = 0, ib = 0;
  while (ir < comp_res_.size() || ib < comp_bundles_.size()) {
    for (; ir < comp_res_.size(); ++ir) {
      for (std::uint32_t b : res_[comp_res_[ir]].bundles) add_bundle(b);
    }
    for (; ib < comp_bundles_.size(); ++ib) {
      const Bundle& bd = bundles_[comp_bundles_[ib]];
      for (std::uint8_t h = 0; h < bd.hops; ++h) add_res(bd.path[h]);
    }
  }
  stats_.bundles_touched += comp_bundles_.size();
  old_rate_.clear();
  old_cls_.clear();
  for (std::uint32_t b : comp_bundles_) {
    Bundle& bd = bundles_[b];
    advance(bd, now);  // at its old rate
    bd.fixed = false;
    bd.new_cls = kNoResource;
    old_rate_.push_back(bd.rate);
    old_cls_.push_back(bd.cls);
  }
  for (ResourceId r : comp_res_) {
    advance_class(res_[r], now);  // at its old level
    res_[r].new_level = -1;
  }
  // Progressive filling, each bundle weighing its flow count. Shares of
  // resources only grow as bundles are fixed at the current level, so a lazy
  // min-heap of (share, resource) suffices.
  using Entry = std::pair<double, ResourceId>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
  for (ResourceId r : comp_res_) {
    Resource& rs = res_[r];
    rs.left = rs.capacity;
    rs.unfixed = 0;
    for (std::uint32_t b : rs.bundles) rs.unfixed += bundles_[b].count;
    if (rs.unfixed > 0) heap.push({rs.left / rs.unfixed, r});
  }
  // Bundles with caps of their own, as a min-heap: most end at a resource's
  // level before their cap is reached, so a heap (built in linear time) beats
  // sorting them all.
  capped_.clear();
  for (std::uint32_t b : comp_bundles_) {
    if (bundles_[b].cap < kUnlimited) capped_.push_back({bundles_[b].cap, b});
  }
  const auto cap_order = std::greater<>();
  std::make_heap(capped_.begin(), capped_.end(), cap_order);
  auto pop_capped = [&] {
    std::pop_heap(capped_.begin(), capped_.end(), cap_order);
    capped_.pop_back();
  };
  // Fixes a bundle's rate and takes it off its resources; their new shares
  // go on the heap now, or once per resource when `touched` collects them.
  auto fix = [&](std::uint32_t b, double rate, ResourceId cls, std::vector<ResourceId>* touched) {
    Bundle& bd = bundles_[b];
    bd.fixed = true;
    bd.rate = rate;
    bd.new_cls = cls;
    for (std::uint8_t h = 0; h < bd.hops; ++h) {
      ResourceId q = bd.path[h];
      if (res_[q].mark != stamp) continue;  // cannot saturate: not a constraint
      Resource& rs = res_[q];
      rs.left = std::max(0.0, rs.left - rate * bd.count);
      rs.unfixed -= bd.count;
      if (touched) {
        if (rs.touch != touch_stamp_) {
          rs.touch = touch_stamp_;
          touched->push_back(q);
        }
      } else if (rs.unfixed > 0.5) {
        heap.push({rs.left / rs.unfixed, q});
      }
    }
  };
  std::size_t fixed_count = 0;
  while (fixed_count < comp_bundles_.size()) {
    while (!heap.empty()) {
      auto [share, r] = heap.top();
      const Resource& rs = res_[r];
      if (rs.unfixed > 0.5 && share == rs.left / rs.unfixed) break;
      heap.pop();  // stale
    }
    while (!capped_.empty() && bundles_[capped_.front().second].fixed) pop_capped();
    double best_share = heap.empty() ? kUnlimited : heap.top().first;
    if (!capped_.empty() && capped_.front().first <= best_share) {
      auto [cap, b] = capped_.front();
      pop_capped();
      fix(b, cap, kNoResource, nullptr);
      ++fixed_count;
      continue;
    }
    if (heap.empty()) {
      // Bundles that no resource can limit and that have no cap of their own.
      for (std::uint32_t b : comp_bundles_) {
        if (!bundles_[b].fixed) fix(b, bundles_[b].cap, kNoResource, nullptr);
      }
      break;
    }
    ResourceId r = heap.top().second;
    heap.pop();
    double level = best_share;
    res_[r].new_level = level;
    touched_.clear();
    ++touch_stamp_;  // marks the resources this level touches
    for (std::uint32_t b : res_[r].bundles) {
      if (bundles_[b].fixed) continue;
      fix(b, level, r, &touched_);
      ++fixed_count;
    }
    for (ResourceId q : touched_) {
      const Resource& rs = res_[q];
      if (rs.unfixed > 0.5) heap.push({rs.left / rs.unfixed, q});
    }
  }
  // Classes take their new levels (clocks are at now, so no progress moves).
  for (ResourceId r : comp_res_) {
    Resource& rs = res_[r];
    double level = std::max(0.0, rs.new_level);
    if (level != rs.level) {
      rs.level = level;
      mark_class(r);
    }
  }
  // A bundle that stays in its class needs nothing unless its flows changed;
  // one that joins or leaves a class, or runs at a rate of its own that
  // changed, is re-planned.
  for (std::size_t i = 0; i < comp_bundles_.size(); ++i) {
    std::uint32_t b = comp_bundles_[i];
    Bundle& bd = bundles_[b];
    const ResourceId to = bd.new_cls;
    if (to != old_cls_[i]) {
      leave_class(bd);
      if (to != kNoResource) join_class(b, to);
      plan(b);
    } else if (bd.dirty || (to == kNoResource && bd.rate != old_rate_[i])) {
      plan(b);
    }
  }
  plan_marked_classes();
}

void FlowNetwork::arm_timer() {
  // Re-planned bundles leave stale entries behind; when they outnumber the
  // live ones, keep only the live ones (amortized O(1) per plan).
  if (due_.size() > 64 + 4 * (bundles_.size() - free_bundles_.size())) {
    std::vector<Due> live;
    live.reserve(bundles_.size());
    while (!due_.empty()) {
      if (due_valid(due_.top())) live.push_back(due_.top());
      due_.pop();
    }
    due_ = decltype(due_)(std::greater<>(), std::move(live));
  }
  while (!due_.empty() && !due_valid(due_.top())) due_.pop();
  core::Time next = due_.empty() ? core::Time::max() : due_.top().at;
  if (next == timer_at_) return;
  if (timer_at_ != core::Time::max()) sim_->cancel(timer_);
  timer_at_ = next;
  if (next != core::Time::max()) timer_ = sim_->schedule_at(next, [this] { on_timer(); });
}

void FlowNetwork::finish_due(std::uint32_t b, core::Time now, bool force_first,
                             std::vector<std::uint64_t>& tags,
                             std::vector<std::uint32_t>& changed) {
  Bundle& bd = bundles_[b];
  advance(bd, now);
  // The planned flow ends now; so does any other whose target the clock
  // has reached (to rounding).
  bool first = force_first;
  bool ended = false;
  for (;;) {
    drop_dead_targets(bd);
    if (bd.targets.empty()) break;
    Target t = bd.targets.top();
    double tol = 1e-9 * std::max(1.0, std::abs(t.at));
    if (!first && t.at > bd.clock + tol && bd.rate < kUnlimited) break;
    first = false;
    ended = true;
    bd.targets.pop();
    Flow& fl = flows_[t.flow];
    fl.active = false;
    free_flows_.push_back(t.flow);
    --active_count_;
    tags.push_back(fl.tag);
    --bd.count;
    add_bound(b, -1, &released_);
    if (bd.count == 0) break;
  }
  if (!ended) return;
  for (std::uint8_t h = 0; h < bd.hops; ++h) seeds_.push_back(bd.path[h]);
  bd.dirty = true;
  ++bd.version;  // its plan is spent
  if (bd.count == 0) {
    retire(b);
  } else {
    changed.push_back(b);
  }
}

void FlowNetwork::on_timer() {
  timer_at_ = core::Time::max();
  flush(false);  // flows started at this instant: the loop below re-arms
  const core::Time now = sim_->now();
  seeds_.clear();
  released_.clear();
  // Callbacks may start flows (and re-enter the network): collect tags first.
  std::vector<std::uint64_t> tags;
  std::vector<std::uint32_t> changed;
  std::vector<ResourceId> fired;
  while (!due_.empty() && due_.top().at <= now) {
    Due d = due_.top();
    due_.pop();
    if (!due_valid(d)) continue;
    if (!(d.bundle & kClassBit)) {
      finish_due(d.bundle, now, true, tags, changed);
      continue;
    }
    // A class: every member whose next target its clock has reached.
    const ResourceId r = d.bundle & ~kClassBit;
    Resource& rs = res_[r];
    ++rs.cversion;  // its plan is spent
    advance_class(rs, now);
    fired.push_back(r);
    while (!rs.member_due.empty()) {
      Target t = rs.member_due.top();
      if (!member_entry_valid(r, t)) {
        rs.member_due.pop();
        continue;
      }
      if (t.at > rs.vclock + 1e-9 * std::max(1.0, std::abs(t.at))) break;
      rs.member_due.pop();
      bundles_[t.flow].queued = -1;  // no longer queued
      // Its next flow is due by the class clock: it ends even if the
      // bundle's own clock (class clock + offset) rounds a hair short.
      finish_due(t.flow, now, true, tags, changed);
    }
  }
  if (!seeds_.empty()) {
    std::vector<ResourceId> seeds = seeds_;
    std::vector<ResourceId> released = released_;
    resolve(seeds, changed, released);
  }
  for (std::uint32_t b : changed) {
    if (bundles_[b].count > 0 && bundles_[b].dirty) plan(b);
  }
  for (ResourceId r : fired) mark_class(r);
  plan_marked_classes();
  arm_timer();
  for (std::uint64_t t : tags) {
    if (done_) done_(t);
  }
}

}  // namespace aqueduct::sim
