#pragma once
// Test-only helpers shared by the ledger's test files: calls over a few
// keys, a ledger written through SqliteLedger or made at an older schema
// version, roll-ups read back with ScanUsageRollups and compared with those
// summed from the raw records.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string_view>
#include <vector>

#include "metering/usage_record.h"
#include "metering/usage_rollup.h"
#include "storage/sqlite/sqlite_ledger.h"

namespace bp::storage::sqlite::ledger_test {

inline constexpr int64_t kStart = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
extern const char* const kPrincipals[3];

// `n` calls from `from_ms` on, `step_ms` apart, over 2 profiles, 3
// principals, 2 regions and 2 operations; every 9th throttled, every 13th
// an other error.
std::vector<metering::UsageRecord> Calls(int n, int64_t from_ms, int64_t step_ms, uint64_t seed);

// Writes `records` through a SqliteLedger opened on `dir` (migrating it).
void Write(const std::filesystem::path& dir, const std::vector<metering::UsageRecord>& records,
           LedgerOptions options = {});

// Makes `dir`'s ledger at schema `version` (2 or later) holding `records`
// and the roll-ups that version's writer kept (hourly; by the minute from
// v5 on), without migrating it further.
void WriteAtVersion(const std::filesystem::path& dir,
                    const std::vector<metering::UsageRecord>& records, int version);

// The schema version of `dir`'s ledger; -1 (and a failure) when unreadable.
int VersionOf(const std::filesystem::path& dir);

std::vector<metering::UsageRollup> Scan(const std::filesystem::path& dir, RollupGrain grain,
                                        int64_t from, int64_t to, std::string_view principal = "");

// The roll-ups at `width_ms` of the records with start in [from, to).
std::map<metering::UsageRollupKey, metering::UsageRollup> Expected(
    const std::vector<metering::UsageRecord>& records, int64_t width_ms, int64_t from, int64_t to);

// Each roll-up equal to the one wanted of its key (every figure, both
// histograms); as many roll-ups as wanted.
void ExpectSame(const std::vector<metering::UsageRollup>& got,
                const std::map<metering::UsageRollupKey, metering::UsageRollup>& want);

void ExpectOldestFirst(const std::vector<metering::UsageRollup>& rollups);

}  // namespace bp::storage::sqlite::ledger_test
