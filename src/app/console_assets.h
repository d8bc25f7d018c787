// app/console_assets.h — the web console's files as built into the binary: a table generated at build
// time by console/embed.py from Vite's production build of console/ (see console/console.cmake).
//
// Invariant: paths are unique, start with '/', and "/index.html" is always present (a placeholder page
// when the build had no Node.js). Every view points into static storage that lives as long as the
// program.
#pragma once

#include <span>
#include <string_view>

namespace sluice::app {

struct console_asset {
  std::string_view path;          // URL path, e.g. "/assets/index-3f2a1b.js"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view body;
  std::string_view gzip_body;  // the body gzip-compressed, or empty when that would not be smaller
};

std::span<const console_asset> console_assets();

}  // namespace sluice::app
