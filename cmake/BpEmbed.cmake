# Turns a data file into a C++ source defining
#   std::string_view <SYMBOL>() -- the file's bytes.
# Invoked as a build step so edits to the file rebuild only this source:
#   cmake -DINPUT=... -DOUTPUT=... -DSYMBOL=ns::Name -P BpEmbed.cmake
file(READ "${INPUT}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "::[^:]*$" "" ns "${SYMBOL}")
string(REGEX REPLACE "^.*::" "" fn "${SYMBOL}")
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT}; do not edit.\n#include <string_view>\nnamespace ${ns} {\n"
  "namespace { const char kData[] = {${bytes} 0}; }\n"
  "std::string_view ${fn}() { return std::string_view(kData, sizeof(kData) - 1); }\n}\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
