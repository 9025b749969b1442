#include "aqueduct/core/text/csv_quote.h"

#include <gtest/gtest.h>

namespace aqueduct::core {
namespace {

TEST(CsvQuote, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(csv_quote("plain-1.5"), "plain-1.5");
  EXPECT_EQ(csv_quote(""), "");
  EXPECT_EQ(csv_quote("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_quote("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_quote("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_quote("cr\r"), "\"cr\r\"");
}

}  // namespace
}  // namespace aqueduct::core
