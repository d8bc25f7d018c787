#include "app/periodic_feed.h"

#include <algorithm>
#include <map>

#include "base/thread_name.h"
#include "http/server.h"

namespace sluice::app {

periodic_feed::periodic_feed(std::chrono::milliseconds interval, render_fn render,
                             std::function<void()> on_tick)
    : interval_(interval), render_(std::move(render)), on_tick_(std::move(on_tick)), thread_([this] {
        name_this_thread("sse-feed");
        run();
      }) {}

periodic_feed::~periodic_feed() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void periodic_feed::watch(const std::shared_ptr<http::event_stream>& stream, std::string subject) {
  {
    std::lock_guard lock(mu_);
    newcomers_.push_back({stream, std::move(subject)});
  }
  wake_.notify_all();
}

void periodic_feed::send(const std::vector<watcher>& to) {
  std::map<std::string, std::pair<std::string, std::string>> rendered;
  for (const auto& w : to) {
    auto stream = w.stream.lock();
    if (!stream || stream->closed()) continue;
    auto it = rendered.find(w.subject);
    if (it == rendered.end()) it = rendered.emplace(w.subject, render_(w.subject)).first;
    stream->push(it->second.first, it->second.second);
  }
}

void periodic_feed::run() {
  using clock = std::chrono::steady_clock;
  auto next = clock::now();
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (!newcomers_.empty()) {
      auto fresh = std::move(newcomers_);
      newcomers_.clear();
      lock.unlock();
      send(fresh);
      lock.lock();
      watchers_.insert(watchers_.end(), fresh.begin(), fresh.end());
    }
    if (clock::now() >= next) {
      next = std::max(next + interval_, clock::now());
      std::erase_if(watchers_, [](const watcher& w) {
        auto s = w.stream.lock();
        return !s || s->closed();
      });
      auto round = watchers_;
      lock.unlock();
      if (on_tick_) on_tick_();
      send(round);
      lock.lock();
    }
    wake_.wait_until(lock, next, [this] { return stopping_ || !newcomers_.empty(); });
  }
}

}  // namespace sluice::app
