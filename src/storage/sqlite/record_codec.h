#pragma once
// A usage record as bytes, for the ledger's queue (private to
// bp_storage_sqlite). The runtime's loops append each record to one byte
// buffer that the writer thread takes whole, so a record crosses threads as
// bytes: its strings and tag map are freed on the loop that made them and
// rebuilt into one reused record on the writer, and the buffer's capacity
// survives every batch (docs/performance.md, "What the profile shows").
//
// The format is this process's only (never stored, never read from
// elsewhere): per string a varint length and the bytes, per integer its
// 8 bytes in host order, per list a varint count.

#include <string>
#include <string_view>

#include "metering/usage_record.h"

namespace bp::storage::sqlite {

// Appends `record` to `out`.
void AppendRecord(const metering::UsageRecord& record, std::string& out);

// Reads the record at the front of `in` into `out` (reusing its strings'
// capacity) and advances `in` past it. False when `in` does not start with
// a whole record (then `in` and `out` hold anything).
bool ReadRecord(std::string_view& in, metering::UsageRecord& out);

}  // namespace bp::storage::sqlite
