# Helpers that keep each target's CMakeLists short and alike.

# cairn_add_library(NAME SOURCES ... [LIBS ...])
function(cairn_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_link_libraries(${name} PUBLIC ${ARG_LIBS})
  target_include_directories(${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
endfunction()

# cairn_add_test(NAME SOURCES ... LIBS ... [LABELS ...] [ENV ...])
function(cairn_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;LABELS;ENV" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE Qt6::Test ${ARG_LIBS})
  target_compile_definitions(${name} PRIVATE
    CAIRN_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    CAIRN_BUILD_DIR="${PROJECT_BINARY_DIR}"
    CAIRN_SHARED_DATA_DIR="${PROJECT_SOURCE_DIR}/../shared/data"
    CAIRN_CLI_PATH="$<TARGET_FILE:cairn>")
  add_test(NAME ${name} COMMAND ${name})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  # Sanitizer builds (scripts/test --sanitize) run several times slower.
  if(CAIRN_TEST_TIMEOUT_FACTOR)
    math(EXPR ARG_TIMEOUT "${ARG_TIMEOUT} * ${CAIRN_TEST_TIMEOUT_FACTOR}")
  endif()
  # Each test has its own IPython folder: kernels of two tests run at once (ctest -j) would
  # otherwise share one history database, and IPython then prints a history warning into a cell.
  file(MAKE_DIRECTORY "${CMAKE_BINARY_DIR}/test-ipython")
  # A test whose initTestCase() skips (shared data or a plugin missing) ran nothing: ctest
  # shows it as skipped, not passed.
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    SKIP_REGULAR_EXPRESSION "SKIP +: [A-Za-z0-9_]+::initTestCase\\(\\)"
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;XDG_CONFIG_HOME=${CMAKE_BINARY_DIR}/test-config;IPYTHONDIR=${CMAKE_BINARY_DIR}/test-ipython/${name};PYTHONPATH=${PROJECT_SOURCE_DIR}/resources/python;${ARG_ENV}")
endfunction()

# cairn_add_translations(TARGET): compiles translations/*.ts and embeds the .qm files under :/i18n.
function(cairn_add_translations target)
  file(GLOB ts_files ${PROJECT_SOURCE_DIR}/translations/*.ts)
  qt_add_lrelease(${target} TS_FILES ${ts_files} QM_FILES_OUTPUT_VARIABLE qm_files)
  qt_add_resources(${target} cairn_translations PREFIX /i18n BASE ${CMAKE_CURRENT_BINARY_DIR} FILES ${qm_files})
endfunction()
