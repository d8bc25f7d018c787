// net/asio.h — the one way to include Boost.Asio. Debian's Boost 1.74 uses std::exchange in
// awaitable.hpp without including <utility>, which g++ 12 no longer pulls in transitively.
// Include this only from .cc files: Asio is heavy to compile.
#pragma once

// clang-format off
#include <utility>
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
// clang-format on
