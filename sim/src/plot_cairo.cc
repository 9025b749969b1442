// plots.png: left, the CDF of job completion times; right, the cache hit
// ratio (and GPU utilization) over simulated time. Drawn with cairo.
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "aqueduct/sim/results.h"

namespace aqueduct::sim {
namespace {

struct Frame {
  double x, y, w, h;      // plot area in pixels
  double x0, x1, y0, y1;  // data ranges
  double px(double v) const { return x + (v - x0) / (x1 - x0) * w; }
  double py(double v) const { return y + h - (v - y0) / (y1 - y0) * h; }
};

void text(cairo_t* cr, double x, double y, const std::string& s, double size, bool center = false,
          bool rotate = false) {
  cairo_set_font_size(cr, size);
  cairo_text_extents_t ext;
  cairo_text_extents(cr, s.c_str(), &ext);
  cairo_save(cr);
  cairo_move_to(cr, x, y);
  if (rotate) cairo_rotate(cr, -M_PI / 2);
  if (center) cairo_rel_move_to(cr, -ext.width / 2, 0);
  cairo_show_text(cr, s.c_str());
  cairo_restore(cr);
}

std::string tick_label(double v) {
  char buf[32];
  if (std::fabs(v) >= 10000) {
    std::snprintf(buf, sizeof buf, "%.0fk", v / 1000);
  } else if (std::fabs(v) >= 10 || v == 0) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.2g", v);
  }
  return buf;
}

void axes(cairo_t* cr, const Frame& f, const std::string& title, const std::string& xl,
          const std::string& yl) {
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, f.x, f.y, f.w, f.h);
  cairo_fill(cr);
  cairo_set_line_width(cr, 1);
  for (int i = 0; i <= 5; ++i) {
    double gx = f.x + f.w * i / 5.0, gy = f.y + f.h * i / 5.0;
    cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
    cairo_move_to(cr, gx, f.y);
    cairo_line_to(cr, gx, f.y + f.h);
    cairo_move_to(cr, f.x, gy);
    cairo_line_to(cr, f.x + f.w, gy);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    text(cr, gx, f.y + f.h + 16, tick_label(f.x0 + (f.x1 - f.x0) * i / 5.0), 11, true);
    text(cr, f.x - 40, f.y + f.h - f.h * i / 5.0 + 4, tick_label(f.y0 + (f.y1 - f.y0) * i / 5.0),
         11);
  }
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  cairo_rectangle(cr, f.x, f.y, f.w, f.h);
  cairo_stroke(cr);
  text(cr, f.x + f.w / 2, f.y - 10, title, 14, true);
  text(cr, f.x + f.w / 2, f.y + f.h + 36, xl, 12, true);
  text(cr, f.x - 48, f.y + f.h / 2 + 30, yl, 12, false, true);
}

// A step CDF of sorted values in the current source colour.
void draw_cdf(cairo_t* cr, const Frame& f, const std::vector<double>& v) {
  cairo_set_line_width(cr, 2);
  const double n = static_cast<double>(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    double fy = static_cast<double>(i + 1) / n;
    if (i == 0) cairo_move_to(cr, f.px(v[i]), f.py(0));
    cairo_line_to(cr, f.px(v[i]), f.py(fy - 1.0 / n));
    cairo_line_to(cr, f.px(v[i]), f.py(fy));
  }
  cairo_stroke(cr);
}

// A light-grey RGB canvas with the plot font selected; saved as PNG.
struct Canvas {
  cairo_surface_t* surf;
  cairo_t* cr;
  Canvas(int w, int h)
      : surf(cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h)), cr(cairo_create(surf)) {
    cairo_set_source_rgb(cr, 0.97, 0.97, 0.97);
    cairo_paint(cr);
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  }
  Canvas(const Canvas&) = delete;
  Canvas& operator=(const Canvas&) = delete;
  ~Canvas() {
    cairo_destroy(cr);
    cairo_surface_destroy(surf);
  }
  core::Status save(const std::string& path) {
    cairo_status_t st = cairo_surface_write_to_png(surf, path.c_str());
    if (st != CAIRO_STATUS_SUCCESS) {
      return core::io_error(path + ": cannot write PNG: " + cairo_status_to_string(st));
    }
    return core::Status::ok();
  }
};

}  // namespace

bool plotting_available() { return true; }

core::Status write_plot(const RunResult& r, const std::string& path) {
  Canvas canvas(1200, 500);
  cairo_t* cr = canvas.cr;

  // JCT CDF.
  std::vector<double> jct;
  for (const auto& j : r.jobs) {
    if (j.completed()) jct.push_back(j.jct_s() / 3600.0);
  }
  std::sort(jct.begin(), jct.end());
  Frame a{80, 50, 460, 340, 0, jct.empty() ? 1.0 : std::max(jct.back(), 1e-6), 0, 1};
  axes(cr, a, "JCT distribution (" + r.summary.scenario + ")", "job completion time (hours)",
       "fraction of jobs");
  cairo_set_source_rgb(cr, 0.12, 0.47, 0.71);
  draw_cdf(cr, a, jct);

  // Hit ratio and GPU utilization over time.
  double tmax = r.samples.empty() ? 1.0 : std::max(r.samples.back().time_s / 3600.0, 1e-6);
  Frame b{680, 50, 460, 340, 0, tmax, 0, 1};
  axes(cr, b, "cache hit ratio and GPU utilization", "simulated time (hours)", "ratio");
  cairo_set_line_width(cr, 2);
  cairo_set_source_rgb(cr, 0.84, 0.15, 0.16);
  bool drawing = false;
  for (const auto& s : r.samples) {
    if (s.hit_ratio < 0) {
      drawing = false;
      continue;
    }
    double x = b.px(s.time_s / 3600.0), y = b.py(s.hit_ratio);
    if (!drawing)
      cairo_move_to(cr, x, y);
    else
      cairo_line_to(cr, x, y);
    drawing = true;
  }
  cairo_stroke(cr);
  cairo_set_source_rgb(cr, 0.17, 0.63, 0.17);
  cairo_set_line_width(cr, 1.5);
  for (std::size_t i = 0; i < r.samples.size(); ++i) {
    double x = b.px(r.samples[i].time_s / 3600.0), y = b.py(r.samples[i].gpu_utilization);
    if (i == 0)
      cairo_move_to(cr, x, y);
    else
      cairo_line_to(cr, x, y);
  }
  cairo_stroke(cr);
  // Legend.
  cairo_set_source_rgb(cr, 0.84, 0.15, 0.16);
  cairo_rectangle(cr, 700, 447, 14, 4);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  text(cr, 720, 454, "hit ratio (bytes, per interval)", 11);
  cairo_set_source_rgb(cr, 0.17, 0.63, 0.17);
  cairo_rectangle(cr, 930, 447, 14, 4);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  text(cr, 950, 454, "GPU allocation", 11);
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s / %s: %lld of %lld jobs, mean JCT %.0fs, hit ratio %.1f%%",
                r.summary.experiment.c_str(), r.summary.scenario.c_str(),
                static_cast<long long>(r.summary.completed), static_cast<long long>(r.summary.jobs),
                r.summary.mean_jct_s, 100 * r.summary.hit_ratio);
  text(cr, 80, 488, buf, 12);

  return canvas.save(path);
}

core::Status write_comparison_plot(const std::vector<RunResult>& runs, const std::string& path) {
  Canvas canvas(860, 480);
  cairo_t* cr = canvas.cr;
  double xmax = 1e-6;
  std::vector<std::vector<double>> cdfs;
  for (const auto& r : runs) {
    std::vector<double> v;
    for (const auto& j : r.jobs) {
      if (j.completed()) v.push_back(j.jct_s() / 3600.0);
    }
    std::sort(v.begin(), v.end());
    if (!v.empty()) xmax = std::max(xmax, v.back());
    cdfs.push_back(std::move(v));
  }
  Frame a{80, 50, 720, 340, 0, xmax, 0, 1};
  axes(cr, a, "JCT distribution by scenario", "job completion time (hours)", "fraction of jobs");
  static const double kColors[][3] = {{0.84, 0.15, 0.16}, {0.12, 0.47, 0.71}, {0.17, 0.63, 0.17},
                                      {1.0, 0.5, 0.05},   {0.58, 0.4, 0.74},  {0.55, 0.34, 0.29}};
  for (std::size_t k = 0; k < cdfs.size(); ++k) {
    const auto& c = kColors[k % 6];
    cairo_set_source_rgb(cr, c[0], c[1], c[2]);
    draw_cdf(cr, a, cdfs[k]);
    cairo_rectangle(cr, 90 + 200 * static_cast<double>(k % 4),
                    440 + 18 * static_cast<double>(k / 4), 14, 4);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s (mean %.0fs)", runs[k].summary.scenario.c_str(),
                  runs[k].summary.mean_jct_s);
    text(cr, 110 + 200 * static_cast<double>(k % 4), 447 + 18 * static_cast<double>(k / 4), buf,
         11);
  }
  return canvas.save(path);
}

core::Status write_line_plot(const std::string& title, const std::string& x_label,
                             const std::string& y_label, const std::vector<LineSeries>& series,
                             const std::string& path) {
  Canvas canvas(860, 500);
  cairo_t* cr = canvas.cr;
  double x0 = 0, x1 = 1e-9, y1 = 1e-9;
  bool first = true;
  for (const auto& s : series) {
    for (const auto& [x, y] : s.points) {
      if (first) x0 = x;
      first = false;
      x0 = std::min(x0, x);
      x1 = std::max(x1, x);
      y1 = std::max(y1, y);
    }
  }
  if (x1 <= x0) x1 = x0 + 1;
  Frame a{80, 50, 720, 340, x0, x1, 0, y1 <= 1.0 ? std::min(1.0, y1 * 1.05) : y1 * 1.1};
  if (a.y1 <= 0) a.y1 = 1;
  axes(cr, a, title, x_label, y_label);
  static const double kColors[][3] = {{0.84, 0.15, 0.16}, {0.12, 0.47, 0.71}, {0.17, 0.63, 0.17},
                                      {1.0, 0.5, 0.05},   {0.58, 0.4, 0.74},  {0.55, 0.34, 0.29},
                                      {0.89, 0.47, 0.76}, {0.5, 0.5, 0.5},    {0.74, 0.74, 0.13}};
  for (std::size_t k = 0; k < series.size(); ++k) {
    const auto& c = kColors[k % 9];
    cairo_set_source_rgb(cr, c[0], c[1], c[2]);
    cairo_set_line_width(cr, 2);
    for (std::size_t i = 0; i < series[k].points.size(); ++i) {
      double x = a.px(series[k].points[i].first), y = a.py(series[k].points[i].second);
      if (i == 0) {
        cairo_move_to(cr, x, y);
      } else {
        cairo_line_to(cr, x, y);
      }
    }
    cairo_stroke(cr);
    for (const auto& [px, py] : series[k].points) {
      cairo_arc(cr, a.px(px), a.py(py), 4, 0, 2 * M_PI);
      cairo_fill(cr);
    }
    double lx = 90 + 160 * static_cast<double>(k % 5), ly = 447 + 18 * static_cast<double>(k / 5);
    cairo_rectangle(cr, lx, ly, 14, 4);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    text(cr, lx + 20, ly + 7, series[k].name, 11);
  }
  return canvas.save(path);
}

}  // namespace aqueduct::sim
