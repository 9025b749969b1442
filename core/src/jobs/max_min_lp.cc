#include "aqueduct/core/jobs/max_min_lp.h"

#include <glpk.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

namespace aqueduct::core {
namespace {

struct ProbDeleter {
  void operator()(glp_prob* p) const { glp_delete_prob(p); }
};

Status check(const MaxMinProblem& p) {
  if (p.jobs < 0 || p.types < 0) return invalid_argument("max-min LP: negative size");
  const auto cells = static_cast<std::size_t>(p.jobs) * static_cast<std::size_t>(p.types);
  if (p.value.size() != cells || p.gpus.size() != static_cast<std::size_t>(p.jobs) ||
      p.capacity.size() != static_cast<std::size_t>(p.types)) {
    return invalid_argument("max-min LP: value, gpus or capacity has the wrong size");
  }
  for (double v : p.value) {
    if (!(v >= 0) || !std::isfinite(v)) return invalid_argument("max-min LP: value must be >= 0");
  }
  for (double g : p.gpus) {
    if (!(g > 0) || !std::isfinite(g)) return invalid_argument("max-min LP: gpus must be > 0");
  }
  for (double c : p.capacity) {
    if (!(c >= 0) || !std::isfinite(c)) {
      return invalid_argument("max-min LP: capacity must be >= 0");
    }
  }
  return Status::ok();
}

Status run_simplex(glp_prob* lp, const char* stage) {
  glp_smcp parm;
  glp_init_smcp(&parm);
  parm.msg_lev = GLP_MSG_OFF;
  parm.presolve = GLP_OFF;
  const int rc = glp_simplex(lp, &parm);
  if (rc != 0 || glp_get_status(lp) != GLP_OPT) {
    return internal_error(std::string("max-min LP: GLPK's simplex found no optimum (") + stage +
                          ", code " + std::to_string(rc) + ", status " +
                          std::to_string(glp_get_status(lp)) + ")");
  }
  return Status::ok();
}

}  // namespace

Result<MaxMinAllocation> solve_max_min(const MaxMinProblem& p) {
  AQ_RETURN_IF_ERROR(check(p));
  MaxMinAllocation out;
  out.x.assign(p.value.size(), 0.0);
  auto usable = [&](int m, int j) {
    return p.value[static_cast<std::size_t>(m * p.types + j)] > 0 &&
           p.gpus[static_cast<std::size_t>(m)] <= p.capacity[static_cast<std::size_t>(j)];
  };
  std::vector<bool> counted(static_cast<std::size_t>(p.jobs), false);
  bool any = false;
  for (int m = 0; m < p.jobs; ++m) {
    for (int j = 0; j < p.types; ++j)
      counted[static_cast<std::size_t>(m)] = counted[m] || usable(m, j);
    any = any || counted[static_cast<std::size_t>(m)];
  }
  if (!any) return out;

  std::unique_ptr<glp_prob, ProbDeleter> lp(glp_create_prob());
  glp_set_obj_dir(lp.get(), GLP_MAX);
  // Columns: x[m][j] at 1 + m * types + j, then t.
  const int nx = p.jobs * p.types;
  const int t_col = nx + 1;
  glp_add_cols(lp.get(), nx + 1);
  for (int m = 0; m < p.jobs; ++m) {
    for (int j = 0; j < p.types; ++j) {
      const int c = 1 + m * p.types + j;
      if (usable(m, j)) {
        glp_set_col_bnds(lp.get(), c, GLP_LO, 0.0, 0.0);
      } else {
        glp_set_col_bnds(lp.get(), c, GLP_FX, 0.0, 0.0);
      }
    }
  }
  glp_set_col_bnds(lp.get(), t_col, GLP_LO, 0.0, 0.0);
  glp_set_obj_coef(lp.get(), t_col, 1.0);

  // Rows: per job (value - t >= 0, for counted jobs), per job (time <= 1), per type.
  std::vector<int> ia{0}, ja{0};
  std::vector<double> ar{0.0};
  auto put = [&](int row, int col, double v) {
    ia.push_back(row);
    ja.push_back(col);
    ar.push_back(v);
  };
  int row = 0;
  for (int m = 0; m < p.jobs; ++m) {
    if (!counted[static_cast<std::size_t>(m)]) continue;
    row = glp_add_rows(lp.get(), 1);
    glp_set_row_bnds(lp.get(), row, GLP_LO, 0.0, 0.0);
    for (int j = 0; j < p.types; ++j) {
      if (usable(m, j))
        put(row, 1 + m * p.types + j, p.value[static_cast<std::size_t>(m * p.types + j)]);
    }
    put(row, t_col, -1.0);
  }
  for (int m = 0; m < p.jobs; ++m) {
    row = glp_add_rows(lp.get(), 1);
    glp_set_row_bnds(lp.get(), row, GLP_UP, 0.0, 1.0);
    for (int j = 0; j < p.types; ++j) put(row, 1 + m * p.types + j, 1.0);
  }
  for (int j = 0; j < p.types; ++j) {
    row = glp_add_rows(lp.get(), 1);
    glp_set_row_bnds(lp.get(), row, GLP_UP, 0.0, p.capacity[static_cast<std::size_t>(j)]);
    for (int m = 0; m < p.jobs; ++m)
      put(row, 1 + m * p.types + j, p.gpus[static_cast<std::size_t>(m)]);
  }
  glp_load_matrix(lp.get(), static_cast<int>(ia.size()) - 1, ia.data(), ja.data(), ar.data());
  AQ_RETURN_IF_ERROR(run_simplex(lp.get(), "the minimum"));
  const double best = glp_get_obj_val(lp.get());

  // Second stage: keep the minimum (up to rounding), use what is left.
  glp_set_col_bnds(lp.get(), t_col, GLP_LO, best * (1 - 1e-9), 0.0);
  glp_set_obj_coef(lp.get(), t_col, 0.0);
  for (int m = 0; m < p.jobs; ++m) {
    for (int j = 0; j < p.types; ++j) {
      if (usable(m, j)) {
        glp_set_obj_coef(lp.get(), 1 + m * p.types + j,
                         p.value[static_cast<std::size_t>(m * p.types + j)]);
      }
    }
  }
  AQ_RETURN_IF_ERROR(run_simplex(lp.get(), "the rest"));
  for (int c = 0; c < nx; ++c) {
    out.x[static_cast<std::size_t>(c)] = std::clamp(glp_get_col_prim(lp.get(), c + 1), 0.0, 1.0);
  }
  out.min_value = best;
  return out;
}

}  // namespace aqueduct::core
