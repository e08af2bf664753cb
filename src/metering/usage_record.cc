#include "metering/usage_record.h"

namespace bp::metering {

std::string_view OperationName(Operation op) {
  switch (op) {
    case Operation::kInvokeModel:
      return "InvokeModel";
    case Operation::kInvokeModelWithResponseStream:
      return "InvokeModelWithResponseStream";
    case Operation::kConverse:
      return "Converse";
    case Operation::kConverseStream:
      return "ConverseStream";
    case Operation::kCountTokens:
      return "CountTokens";
  }
  return "Converse";
}

std::optional<Operation> OperationFromName(std::string_view name) {
  for (Operation op : {Operation::kInvokeModel, Operation::kInvokeModelWithResponseStream,
                       Operation::kConverse, Operation::kConverseStream, Operation::kCountTokens}) {
    if (OperationName(op) == name) return op;
  }
  return std::nullopt;
}

}  // namespace bp::metering
