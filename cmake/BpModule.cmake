# bp_add_module(): one static library per src/ folder (STYLE.md A.1, H.36).
#
#   bp_add_module(config
#     SOURCES hcl_lexer.cc ...        explicit list, no GLOB
#     DEPS bp_core bp_json            PUBLIC: the allowed dependency directions
#     PRIVATE_DEPS ...
#     TESTS hcl_parser_test.cc ...    -> bp_config_test, one ctest entry
#     TEST_DEPS ...)
#
# bp_add_fuzzer(): a libFuzzer target that compiles the decoder's sources
# itself, so they are coverage-instrumented without rebuilding every library.

add_library(bp_warnings INTERFACE)
target_compile_options(bp_warnings INTERFACE -Wall -Wextra -Wpedantic)
if(BP_WERROR)
  target_compile_options(bp_warnings INTERFACE -Werror)
endif()
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  target_compile_options(bp_warnings INTERFACE -Wthread-safety)
endif()
# BP_SANITIZE (scripts/test-sanitizers): every report is fatal, none is
# recovered from and the run carries on.
if(BP_SANITIZE)
  add_compile_options(-fsanitize=${BP_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${BP_SANITIZE})
endif()

function(bp_add_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS;TESTS;TEST_DEPS" ${ARGN})
  add_library(bp_${name} STATIC ${ARG_SOURCES})
  target_include_directories(bp_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(bp_${name} PUBLIC ${ARG_DEPS} PRIVATE bp_warnings ${ARG_PRIVATE_DEPS})
  if(BP_BUILD_TESTS AND ARG_TESTS)
    add_executable(bp_${name}_test ${ARG_TESTS})
    target_link_libraries(bp_${name}_test PRIVATE bp_${name} bp_testing bp_warnings
                          GTest::gmock_main ${ARG_TEST_DEPS})
    add_test(NAME bp_${name}_test COMMAND bp_${name}_test)
    set_tests_properties(bp_${name}_test PROPERTIES LABELS unit
                         ENVIRONMENT "BP_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
  endif()
endfunction()

# bp_release_suite(<target>...): what `make test` builds in build/ (target
# bp_release_suite): the binary and every suite that runs it or needs the
# release build (integration, SDK, bench smoke, lint). The unit, golden and
# fuzz smoke suites run in the ASan build (docs/testing.md, "Time budget").
function(bp_release_suite)
  set_property(GLOBAL APPEND PROPERTY BP_RELEASE_SUITE_TARGETS ${ARGN})
endfunction()

function(bp_add_fuzzer name)
  cmake_parse_arguments(ARG "" "CORPUS" "SOURCES;DEPS" ${ARGN})
  if(NOT BP_BUILD_FUZZERS OR NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined -g)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(${name} PRIVATE bp_warnings ${ARG_DEPS})
  if(BP_BUILD_TESTS)
    add_test(NAME ${name}
             COMMAND ${PROJECT_SOURCE_DIR}/tests/fuzz/run_fuzzer.sh $<TARGET_FILE:${name}>
                     ${ARG_CORPUS} 10)
    set_tests_properties(${name} PROPERTIES LABELS fuzz)
  endif()
endfunction()

# bp_embed_file(<out-var> <input> <symbol>): generated source defining
# std::string_view <symbol>() with the input file's bytes.
function(bp_embed_file out_var input symbol)
  string(REGEX REPLACE "[^A-Za-z0-9]" "_" stem "${symbol}")
  set(output ${CMAKE_CURRENT_BINARY_DIR}/embed_${stem}.cc)
  add_custom_command(OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DINPUT=${input} -DOUTPUT=${output} -DSYMBOL=${symbol}
            -P ${PROJECT_SOURCE_DIR}/cmake/BpEmbed.cmake
    DEPENDS ${input} ${PROJECT_SOURCE_DIR}/cmake/BpEmbed.cmake
    COMMENT "Embedding ${input}")
  set(${out_var} ${output} PARENT_SCOPE)
endfunction()
