#include "engine/engine.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "base/thread_name.h"
#include "engine/engine_state.h"
#include "storage/log_manager.h"

namespace sluice::engine {

engine_state::engine_state(storage::log_manager& l, engine_options o)
    : logs(l),
      options(std::move(o)),
      catalog(l),
      dead_letters(l, options.dead_letter_topic, 1),
      late_events(l, options.late_events_topic, 1) {}

const sql::relation_info* engine_state::find(std::string_view name) const {
  auto it = relations.find(name);
  return it == relations.end() ? nullptr : &it->second;
}

std::vector<const sql::relation_info*> engine_state::list() const {
  std::vector<const sql::relation_info*> out;
  for (const auto& name : creation_order) out.push_back(&relations.at(name));
  return out;
}

void engine_state::wake_worker() {
  {
    std::lock_guard lock(wake_mu);
    work_pending = true;
  }
  work.notify_one();
}

result<std::unique_ptr<engine>> engine::open(storage::log_manager& logs, engine_options options) {
  auto state = std::make_unique<engine_state>(logs, std::move(options));
  {
    std::lock_guard lock(state->mu);
    SLUICE_RETURN_IF_ERROR(state->open_store());
    SLUICE_RETURN_IF_ERROR(state->restore_catalog());
    state->recover_sink_output();
  }
  auto e = std::unique_ptr<engine>(new engine(std::move(state)));
  return e;
}

engine::engine(std::unique_ptr<engine_state> state) : state_(std::move(state)) {
  worker_ = std::thread([this] {
    name_this_thread("sql-worker");
    worker_loop();
  });
}

engine::~engine() { stop(); }

void engine::stop() {
  {
    std::lock_guard lock(state_->wake_mu);
    if (state_->stopping) return;
    state_->stopping = true;
  }
  state_->work.notify_one();
  if (worker_.joinable()) worker_.join();
  std::lock_guard checkpointing(state_->checkpoint_mu);
  std::lock_guard lock(state_->mu);
  state_->remove_listeners();
  // A last checkpoint: the next start resumes from here, and the sinks' last output goes out.
  state_->tick_all();
  if (auto taken = state_->checkpoint(); !taken)
    spdlog::error("final checkpoint: {}", taken.error().describe());
}

void engine::worker_loop() {
  engine_state& s = *state_;
  auto next_tick = std::chrono::steady_clock::now();
  auto next_checkpoint = next_tick + s.options.checkpoint_interval;
  while (true) {
    bool progressed = false;
    {
      std::unique_lock lock(s.mu);
      progressed = s.pump_all();
      auto now = std::chrono::steady_clock::now();
      if (s.checkpoint_done()) (void)s.finish_checkpoint();  // a failure is logged and counted there
      if (now >= next_tick) {
        s.tick_all();
        // A CHECKPOINT statement taking one now holds checkpoint_mu (and waits for mu): skip this turn.
        std::unique_lock checkpointing(s.checkpoint_mu, std::try_to_lock);
        if (now >= next_checkpoint && !s.checkpoint_in_flight && checkpointing.owns_lock()) {
          if (auto begun = s.begin_checkpoint(); !begun)
            spdlog::error("checkpoint: {}", begun.error().describe());
          next_checkpoint = std::chrono::steady_clock::now() + s.options.checkpoint_interval;
        }
        next_tick = std::chrono::steady_clock::now() + s.options.tick_interval;
      }
    }
    s.progress.notify_all();
    std::unique_lock wake(s.wake_mu);
    if (s.stopping) return;
    if (!progressed) {
      s.work.wait_until(wake, next_tick, [&s] { return s.work_pending || s.stopping; });
      if (s.stopping) return;
    }
    s.work_pending = false;
  }
}

sql::sql_result<std::uint64_t> engine::checkpoint() {
  std::lock_guard checkpointing(state_->checkpoint_mu);
  std::lock_guard lock(state_->mu);
  state_->tick_all();
  auto taken = state_->checkpoint();
  if (!taken)
    return sql::sql_fail(sql::sqlstate::internal_error, "checkpoint failed: " + taken.error().describe());
  return taken->sequence;
}

bool engine::wait_caught_up(std::chrono::milliseconds timeout) {
  state_->wake_worker();
  std::unique_lock lock(state_->mu);
  return state_->progress.wait_for(lock, timeout, [this] { return state_->caught_up(); });
}

sql::sql_result<sql::schema> engine::view_columns(const std::string& name) {
  std::lock_guard lock(state_->mu);
  auto it = state_->views.find(name);
  if (it == state_->views.end()) {
    return sql::sql_fail(sql::sqlstate::undefined_table, "materialized view \"" + name + "\" does not exist");
  }
  return it->second->pipeline->view().schema();
}

sql::sql_result<std::vector<sql::row>> engine::subscribe_view(
    const std::string& name, std::function<bool(const sql::change_batch&)> fn) {
  std::lock_guard lock(state_->mu);
  auto it = state_->views.find(name);
  if (it == state_->views.end()) {
    return sql::sql_fail(sql::sqlstate::undefined_table, "materialized view \"" + name + "\" does not exist");
  }
  return it->second->pipeline->view().subscribe(std::move(fn));
}

std::unique_ptr<engine_session> engine::open_session() { return std::make_unique<engine_session>(*this); }

}  // namespace sluice::engine
