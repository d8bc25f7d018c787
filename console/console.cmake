# The web console in the binary: `npm ci` (only when the lock file changed) and Vite's production build
# of console/, rerun only when its sources change, then every file of the build embedded as a generated
# C++ source by embed.py. The build goes to the build tree, so each preset has its own; node_modules
# stays in console/ and is shared. Without Node.js the binary serves a page that says so.
set(console_dir ${PROJECT_SOURCE_DIR}/console)
set(console_dist ${CMAKE_CURRENT_BINARY_DIR}/console-dist)
set(console_cc ${CMAKE_CURRENT_BINARY_DIR}/generated/console_assets.cc)
find_package(Python3 REQUIRED COMPONENTS Interpreter)
find_program(SLUICE_NODE node)
find_program(SLUICE_NPM npm)

if(SLUICE_NODE AND SLUICE_NPM)
  file(GLOB_RECURSE console_sources CONFIGURE_DEPENDS ${console_dir}/src/* ${console_dir}/public/*)
  add_custom_command(
    OUTPUT ${console_cc}
    COMMAND ${PROJECT_SOURCE_DIR}/tests/common/npm_ci.sh ${console_dir}
    COMMAND ${SLUICE_NODE} ${console_dir}/node_modules/vite/bin/vite.js build --outDir ${console_dist}
            --emptyOutDir --logLevel warn
    COMMAND Python3::Interpreter ${console_dir}/embed.py ${console_dist} ${console_cc}
    DEPENDS ${console_sources} ${console_dir}/index.html ${console_dir}/vite.config.js
            ${console_dir}/package.json ${console_dir}/package-lock.json ${console_dir}/embed.py
    WORKING_DIRECTORY ${console_dir}
    COMMENT "Building the web console (npm ci, vite build) and embedding it"
    VERBATIM)
else()
  message(WARNING "node or npm not found: the binary serves a placeholder instead of the web console "
                  "(scripts/install-deps.sh installs them)")
  add_custom_command(
    OUTPUT ${console_cc}
    COMMAND Python3::Interpreter ${console_dir}/embed.py --placeholder ${console_cc}
    DEPENDS ${console_dir}/embed.py
    VERBATIM)
endif()

add_library(sluice_console_assets STATIC ${console_cc})
target_include_directories(sluice_console_assets PUBLIC ${PROJECT_SOURCE_DIR}/src)
