// Tests of grouping pages by site and learning each site's spinner
// (pipeline/site_channels.h, what `scan --adapt` does first).
#include "unspin/pipeline/site_channels.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/wordnet_text.h"
#include "unspin/simulate/spinner.h"

namespace unspin::pipeline {
namespace {

namespace fs = std::filesystem;

TEST(DocumentSiteTest, HostOfTheUrlOrANamedField) {
  extract::Document doc;
  doc.url = "https://user@WWW.Daily-Ledger.example:8080/story/1?x=2";
  EXPECT_EQ(DocumentSite(doc, ""), "daily-ledger.example");
  doc.url = "http://[::1]:80/a";
  EXPECT_EQ(DocumentSite(doc, ""), "[::1]");
  doc.url = "not a url";
  EXPECT_EQ(DocumentSite(doc, ""), "");
  doc.metadata = R"({"site": "farm-7", "n": 12, "tags": ["a"]})";
  EXPECT_EQ(DocumentSite(doc, "site"), "farm-7");
  EXPECT_EQ(DocumentSite(doc, "n"), "12");
  EXPECT_EQ(DocumentSite(doc, "tags"), "");
  EXPECT_EQ(DocumentSite(doc, "missing"), "");
}

// Two sites in one crawl: a farm whose pages one dictionary spun, and a
// newsroom's originals; a third site has too few pages to learn from.
TEST(LearnSiteChannelsTest, EachSiteLearnsItsOwnSpinner) {
  Result<std::unique_ptr<model::Model>> model = model::Model::Open(UNSPIN_DEFAULT_MODEL);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  simulate::SpinOptions spin;
  spin.consistent = true;
  Result<simulate::Spinner> spinner = simulate::Spinner::Create(**model, spin);
  ASSERT_TRUE(spinner.ok());
  const std::vector<std::string>& examples = test_data::WordNetExamples();
  ASSERT_GE(examples.size(), 600u * 8);
  fs::path dir = fs::temp_directory_path() / ("unspin_sites_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string crawl = (dir / "crawl.jsonl").string();
  {
    std::ofstream out(crawl);
    for (size_t k = 0; k < 600; ++k) {
      std::string paragraph;
      for (size_t j = 0; j < 8; ++j) paragraph += (j > 0 ? " " : "") + examples[k * 8 + j];
      const bool farm = k % 2 == 0;
      if (farm) {
        Result<simulate::SpinResult> spun = spinner->Spin(paragraph, k);
        ASSERT_TRUE(spun.ok());
        paragraph = spun->text;
      }
      nlohmann::json line = {
          {"url", std::string(farm ? "http://farm.example/" : "https://www.news.example/") +
                      std::to_string(k)},
          {"text", paragraph}};
      out << line.dump() << "\n";
    }
    for (int k = 0; k < 5; ++k) {
      out << nlohmann::json{{"url", "http://tiny.example/" + std::to_string(k)},
                            {"text", examples[k]}}
                 .dump()
          << "\n";
    }
  }
  Result<std::vector<SiteChannel>> sites = LearnSiteChannels(**model, {crawl}, {});
  ASSERT_TRUE(sites.ok()) << sites.status().ToString();
  ASSERT_EQ(sites->size(), 3u);
  EXPECT_EQ((*sites)[0].site, "farm.example");
  EXPECT_EQ((*sites)[0].documents, 300u);
  EXPECT_GE((*sites)[0].learned.substitutions.size(), 5u);
  EXPECT_EQ((*sites)[1].site, "news.example");
  EXPECT_LE((*sites)[1].learned.substitutions.size(), 2u);
  EXPECT_TRUE((*sites)[1].not_learned.empty());
  EXPECT_EQ((*sites)[2].site, "tiny.example");
  EXPECT_EQ((*sites)[2].not_learned, "5 documents, fewer than 20");

  // By a field of the records instead: none has it, so no site.
  SiteChannelOptions by_field;
  by_field.field = "site";
  Result<std::vector<SiteChannel>> none = LearnSiteChannels(**model, {crawl}, by_field);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(LearnSiteChannels(**model, {(dir / "missing").string()}, {}).status().code(),
            StatusCode::kNotFound);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace unspin::pipeline
