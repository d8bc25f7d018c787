#include "group/timer.h"

#include "net/asio.h"

namespace sluice::group {

struct timer::impl {
  explicit impl(boost::asio::io_context& io) : t(io) {}
  boost::asio::steady_timer t;
};

timer::timer(boost::asio::io_context& io) : impl_(std::make_unique<impl>(io)) {}

timer::~timer() = default;

void timer::start(std::chrono::milliseconds after, std::function<void()> fn) {
  impl_->t.expires_after(after);
  impl_->t.async_wait([fn = std::move(fn)](boost::system::error_code ec) {
    if (!ec) fn();
  });
}

void timer::cancel() { impl_->t.cancel(); }

}  // namespace sluice::group
