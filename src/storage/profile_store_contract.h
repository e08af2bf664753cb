#pragma once
// The ProfileStore contract as a value-parameterized GoogleTest suite. Every
// implementation runs it from its own test binary:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, ProfileStoreContractTest,
//                            ::testing::Values(StoreFactory{"Sqlite", &MakeSqliteStore}),
//                            StoreFactoryName);
//
// Link target: bp_storage_contract (an OBJECT library, so the TEST_Ps are
// linked in even though nothing references them). Test-only code.

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "core/status.h"
#include "storage/profile_store.h"
#include "testing/testing.h"

namespace bp::storage {

struct StoreFactory {
  std::string name;  // a valid test-name suffix: letters and digits
  // Makes a fresh, empty store that may keep files under `dir` (an empty,
  // writable temporary directory that outlives the store).
  std::function<Result<std::unique_ptr<ProfileStore>>(const std::filesystem::path& dir)> make;
};

// Prints the factory's name in test output instead of its bytes.
void PrintTo(const StoreFactory& factory, std::ostream* os);

// For INSTANTIATE_TEST_SUITE_P's name generator.
std::string StoreFactoryName(const ::testing::TestParamInfo<StoreFactory>& info);

class ProfileStoreContractTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override;

  ::bp::testing::TempDir temp_dir_;  // declared first: outlives store_
  std::unique_ptr<ProfileStore> store_;
};

// A complete, valid record: name "rd-<id>", three model ARNs, two tags,
// a description, created/updated at the same fixed time.
ProfileRecord SampleProfile(const std::string& id);

}  // namespace bp::storage
