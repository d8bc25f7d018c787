// base/thread_name.h — names the calling thread, as `top -H`, `perf` and /proc/<pid>/task show it, so
// a profile of the server says which of its threads did the work.
#pragma once

#include <string_view>

namespace sluice {

// Linux keeps the first 15 bytes of `name`.
void name_this_thread(std::string_view name);

}  // namespace sluice
