// app/periodic_feed.h — live SSE endpoints that re-send a snapshot every interval (the console's
// overview, consumer group and pipeline streams): one thread per feed renders each watched subject
// once per tick and pushes it to every stream watching it; a new watcher gets its first event from
// that thread at once (the HTTP event loop never waits for the engine or the coordinator).
//
// Streams belong to their connections and are held weakly; closed ones are dropped at the next tick.
// The feed's thread stops in the destructor, which the HTTP routes' owner runs before the components
// the render function reads go away.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace sluice::http {
class event_stream;
}

namespace sluice::app {

class periodic_feed {
 public:
  // (event name, data) for one subject (a group id; "" for feeds without subjects).
  using render_fn = std::function<std::pair<std::string, std::string>(const std::string& subject)>;

  // `on_tick` runs once per interval before rendering (e.g. to sample rates), watched or not.
  periodic_feed(std::chrono::milliseconds interval, render_fn render, std::function<void()> on_tick = {});
  ~periodic_feed();
  periodic_feed(const periodic_feed&) = delete;
  periodic_feed& operator=(const periodic_feed&) = delete;

  void watch(const std::shared_ptr<http::event_stream>& stream, std::string subject = {});

 private:
  struct watcher {
    std::weak_ptr<http::event_stream> stream;
    std::string subject;
  };
  void run();
  // Renders each subject once and pushes it to its watchers. REQUIRES: mu_ not held.
  void send(const std::vector<watcher>& to);

  std::chrono::milliseconds interval_;
  render_fn render_;
  std::function<void()> on_tick_;
  std::mutex mu_;  // guards what follows
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<watcher> watchers_;
  std::vector<watcher> newcomers_;  // not sent an event yet
  std::thread thread_;              // last: starts once the fields above exist
};

}  // namespace sluice::app
