#pragma once
// The database's side of the shared budgets' leases (metering/budgets.h
// "Shared budgets"): one exchange of every budget's lease in ONE transaction.
// For each budget, in key order (instances lock the rows in the same order):
// the report is added to its month's spend (an upsert that locks the row
// until commit, so exchanges of one budget take turns across instances);
// the live leases of the other instances are summed; and this instance's
// lease is set to metering::GrantBudgetLease of those, live for kLeaseTtlMs
// by the database's clock. So the spend plus every live lease never exceeds
// a budget. A lease whose instance died is counted until it expires.
// Public header of bp_storage_postgres (named only by the composition root
// and tests).
//
// Not thread-safe: one caller at a time (the BudgetLeaser serializes).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "metering/budgets.h"

namespace bp::storage {

namespace postgres {
class Connection;
}

class PostgresBudgetLeases final {
 public:
  // Longer than Budgets::kLeaseValidityMs: an instance stops using a lease
  // before the others may take it over.
  static constexpr int64_t kLeaseTtlMs = 30'000;

  // Connects lazily (the first Exchange); `instance_id` names this
  // instance's leases (its usage ledger's id).
  PostgresBudgetLeases(std::string conninfo, std::string instance_id);
  ~PostgresBudgetLeases();
  PostgresBudgetLeases(const PostgresBudgetLeases&) = delete;
  PostgresBudgetLeases& operator=(const PostgresBudgetLeases&) = delete;

  // One lease per request, in their order. kServiceUnavailable naming the
  // database (no password) when it cannot be reached; kIo for other errors.
  // Nothing of a failed exchange is kept.
  Result<std::vector<metering::BudgetLease>> Exchange(
      const std::vector<metering::BudgetLeaseRequest>& requests);

 private:
  const std::string conninfo_;
  const std::string instance_id_;
  std::unique_ptr<postgres::Connection> conn_;
};

}  // namespace bp::storage
