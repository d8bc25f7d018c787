#include "base/thread_name.h"

#include <pthread.h>

#include <algorithm>
#include <array>

namespace sluice {

void name_this_thread(std::string_view name) {
  std::array<char, 16> buf{};
  auto n = std::min(name.size(), buf.size() - 1);
  std::copy_n(name.data(), n, buf.data());
#ifdef __linux__
  pthread_setname_np(pthread_self(), buf.data());
#endif
}

}  // namespace sluice
