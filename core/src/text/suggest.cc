#include "aqueduct/core/text/suggest.h"

#include <algorithm>
#include <cctype>

namespace aqueduct::core {

namespace {

// Lower case, '-' and '_' dropped: "node_pools" and "nodePools" compare equal.
std::string fold(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '-' || c == '_') continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

int allowed_distance(std::size_t length) {
  if (length <= 4) return 1;
  if (length <= 8) return 2;
  return 3;
}

}  // namespace

int edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  // Three rows: two back for the transposition step.
  std::vector<int> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (std::size_t j = 0; j <= m; ++j) prev[j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = static_cast<int>(i);
    for (std::size_t j = 1; j <= m; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      }
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return static_cast<int>(prev[m]);
}

std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates) {
  const std::string w = fold(word);
  const int limit = allowed_distance(w.size());
  std::optional<std::string> best;
  int best_d = limit + 1;
  for (const auto& c : candidates) {
    if (c == word) continue;
    const int d = edit_distance(w, fold(c));
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  if (best) return best;
  // Another form of the same word ("policies" for "policy", "seeds" for
  // "seed"): a long shared stem covering most of both.
  std::size_t best_stem = 0;
  for (const auto& c : candidates) {
    const std::string f = fold(c);
    std::size_t stem = 0;
    while (stem < f.size() && stem < w.size() && f[stem] == w[stem]) ++stem;
    const std::size_t longer = std::max(f.size(), w.size());
    if (c != word && stem >= 4 && stem * 5 >= longer * 3 && stem > best_stem) {
      best_stem = stem;
      best = c;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  auto m = closest_match(word, candidates);
  return m ? " (did you mean \"" + *m + "\"?)" : "";
}

}  // namespace aqueduct::core
