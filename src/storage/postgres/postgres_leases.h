#pragma once
// The database's side of the shared limits' leases (metering/lease_slot.h:
// budgets and quotas): one exchange of every limit's lease in ONE
// transaction. For each limit, in key order (instances lock the rows in the
// same order): the report is added to its period's use (an upsert that locks
// the row until commit, so exchanges of one limit take turns across
// instances); the live leases of the other instances are summed; and this
// instance's lease is set to metering::GrantLease of those, live for
// metering::kLeaseTtlMs by the database's clock. So the use plus every live
// lease never exceeds a limit. A lease whose instance died is counted until
// it expires.
// Public header of bp_storage_postgres (named only by the composition root
// and tests).
//
// Not thread-safe: one caller at a time (metering::Leaser serializes).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "metering/lease_slot.h"

namespace bp::storage {

namespace postgres {
class Connection;
}

class PostgresLeases final {
 public:
  // Connects lazily (the first Exchange); `instance_id` names this
  // instance's leases (its usage ledger's id).
  PostgresLeases(std::string conninfo, std::string instance_id);
  ~PostgresLeases();
  PostgresLeases(const PostgresLeases&) = delete;
  PostgresLeases& operator=(const PostgresLeases&) = delete;

  // One lease per request, in their order. kServiceUnavailable naming the
  // database (no password) when it cannot be reached; kIo for other errors.
  // Nothing of a failed exchange is kept.
  Result<std::vector<metering::Lease>> Exchange(
      const std::vector<metering::LeaseRequest>& requests);

 private:
  const std::string conninfo_;
  const std::string instance_id_;
  std::unique_ptr<postgres::Connection> conn_;
  int64_t last_cleanup_ms_ = 0;  // the database's clock
};

}  // namespace bp::storage
