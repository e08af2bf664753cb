// Names the concrete in-memory store for the bp_api_control tests (see
// control_test_fixture.h). Holds no tests itself.
#include "api/control/control_test_fixture.h"
#include "storage/memory/memory_profile_store.h"

namespace bp::api::control {

std::unique_ptr<storage::ProfileStore> NewMemoryStore() {
  return std::make_unique<storage::MemoryProfileStore>();
}

}  // namespace bp::api::control
