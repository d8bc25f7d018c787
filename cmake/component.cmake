# sluice_component(NAME SOURCES ... DEPS ...): one static library per folder
# under src/, linked as sluice::NAME. Tests beside the code (*_test.cc) are
# added with sluice_component_test().
function(sluice_component name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(sluice_${name} STATIC ${ARG_SOURCES})
  add_library(sluice::${name} ALIAS sluice_${name})
  target_include_directories(sluice_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(sluice_${name} PUBLIC ${ARG_DEPS} PRIVATE sluice_warnings)
endfunction()

# sluice_component_test(NAME SOURCES ... DEPS ...): a GoogleTest executable
# registered with CTest, one CTest entry per test case.
function(sluice_component_test name)
  if(NOT SLUICE_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest_main sluice_warnings)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60)
endfunction()
