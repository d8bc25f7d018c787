// Fetch: reads whole batches from each partition's log. Limits: partition_max_bytes per partition
// and max_bytes overall, except that the first partition with data always gets at least one batch
// (KIP-74), so a consumer can make progress past a batch bigger than its limits.
//
// Long polling: when the response would carry fewer than min_bytes and max_wait_ms > 0, the fetch
// subscribes to appends on its partitions (partition_log::subscribe_appends) and waits on a timer.
// An append posts a wake-up to the io_context; the wait re-reads and answers once min_bytes are
// there or the timer fires. No thread is blocked and nothing polls. No fetch sessions: session id 0.
#include <spdlog/spdlog.h>

#include <mutex>

#include "broker/handlers/handlers.h"
#include "model/record_batch.h"
#include "net/asio.h"

namespace sluice::broker {
namespace {

// Reads from `offset` up to `limit` bytes of whole batches (at least one). partition_log::read stays
// within the segment holding `offset`, so keep reading across segment boundaries while budget is left.
result<std::vector<std::byte>> read_up_to(const storage::partition_log& log, std::int64_t offset,
                                          std::size_t limit) {
  std::vector<std::byte> out;
  std::int64_t end = log.end_offset();
  while (offset < end && (out.empty() || out.size() < limit)) {
    auto read = log.read(offset, std::max<std::size_t>(limit - std::min(limit, out.size()), 1));
    if (!read) {
      if (out.empty()) return tl::unexpected(read.error());
      break;
    }
    auto& bytes = read->batches;
    if (bytes.empty() || (!out.empty() && out.size() + bytes.size() > limit)) break;
    // The offset after the last batch read: walk the batch headers.
    std::size_t at = 0;
    std::int64_t next = offset;
    while (at + model::batch_header_size <= bytes.size()) {
      auto header = model::decode_header(bytes_view(bytes).subspan(at));
      if (!header) break;
      next = header->next_offset();
      at += header->size_bytes();
    }
    if (next <= offset) break;
    offset = next;
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  return out;
}

struct fetch_result {
  kafka::fetch_response response;
  std::size_t bytes = 0;
};

fetch_result read_partitions(context& ctx, const kafka::fetch_request& request) {
  fetch_result out;
  std::size_t budget = request.max_bytes > 0 ? static_cast<std::size_t>(request.max_bytes) : 0;
  for (const auto& topic : request.topics) {
    kafka::fetch_response::fetchable_topic_response topic_out;
    topic_out.topic = topic.topic;
    for (const auto& p : topic.partitions) {
      kafka::fetch_response::partition_data data;
      data.partition_index = p.partition;
      data.records.emplace();
      auto log = ctx.logs.partition(topic.topic, p.partition);
      if (!log) {
        data.error_code = code(kafka::error_code::unknown_topic_or_partition);
        data.high_watermark = -1;
        topic_out.partitions.push_back(std::move(data));
        continue;
      }
      auto end = log->end_offset();
      data.high_watermark = end;
      data.last_stable_offset = end;
      data.log_start_offset = log->log_start_offset();
      std::size_t limit = p.partition_max_bytes > 0 ? static_cast<std::size_t>(p.partition_max_bytes) : 0;
      limit = std::min(limit, budget);
      bool first = out.bytes == 0;
      if (p.fetch_offset < data.log_start_offset || p.fetch_offset > end) {
        data.error_code = code(kafka::error_code::offset_out_of_range);
      } else if (p.fetch_offset < end && (limit > 0 || first)) {
        auto read = read_up_to(*log, p.fetch_offset, std::max<std::size_t>(limit, 1));
        if (!read) {
          data.error_code = code(to_kafka_error(read.error().code));
        } else if (first || read->size() <= limit) {
          // A later partition's first batch may exceed what is left: it waits for the next fetch.
          out.bytes += read->size();
          budget -= std::min(budget, read->size());
          data.records->buffers.push_back(std::move(*read));
        }
      }
      topic_out.partitions.push_back(std::move(data));
    }
    out.response.responses.push_back(std::move(topic_out));
  }
  return out;
}

// One waiting fetch. The timer and `done` are touched only under mu_: wake-ups come from appending
// threads (via post) and from the timer, on any io thread.
class fetch_wait : public std::enable_shared_from_this<fetch_wait> {
 public:
  fetch_wait(context& ctx, kafka::fetch_request request, std::function<void(kafka::fetch_response)> done)
      : ctx_(ctx), request_(std::move(request)), done_(std::move(done)), timer_(*ctx.io) {}

  ~fetch_wait() { unsubscribe(); }

  void start() {
    std::lock_guard lock(mu_);
    std::weak_ptr<fetch_wait> weak = weak_from_this();
    auto* io = ctx_.io;
    for (const auto& topic : request_.topics) {
      for (const auto& p : topic.partitions) {
        auto log = ctx_.logs.partition(topic.topic, p.partition);
        if (!log) continue;
        // Runs on the appending thread under the log's listener lock: only post, never take a strong
        // reference there (the last one going away would unsubscribe under that same lock).
        auto id = log->subscribe_appends([weak, io] {
          boost::asio::post(*io, [weak] {
            if (auto self = weak.lock()) self->check(false);
          });
        });
        subscriptions_.emplace_back(std::move(log), id);
      }
    }
    timer_.expires_after(std::chrono::milliseconds(request_.max_wait_ms));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code) { self->check(true); });
    // An append between the first read and the subscriptions would otherwise go unnoticed.
    boost::asio::post(*io, [weak] {
      if (auto self = weak.lock()) self->check(false);
    });
  }

 private:
  void check(bool timed_out) {
    std::unique_lock lock(mu_);  // ordered before the logs' listener locks, never after
    if (finished_) return;
    auto result = read_partitions(ctx_, request_);
    if (!timed_out && result.bytes < static_cast<std::size_t>(std::max(request_.min_bytes, 1))) return;
    finished_ = true;
    timer_.cancel();
    unsubscribe();
    lock.unlock();
    done_(std::move(result.response));
  }

  void unsubscribe() {
    for (auto& [log, id] : subscriptions_) log->unsubscribe_appends(id);
    subscriptions_.clear();
  }

  context& ctx_;
  kafka::fetch_request request_;
  std::function<void(kafka::fetch_response)> done_;
  std::mutex mu_;
  boost::asio::steady_timer timer_;
  bool finished_ = false;
  std::vector<std::pair<std::shared_ptr<storage::partition_log>, std::uint64_t>> subscriptions_;
};

}  // namespace

void handle_fetch(context& ctx, kafka::fetch_request request, std::int16_t,
                  std::function<void(kafka::fetch_response)> done) {
  auto result = read_partitions(ctx, request);
  bool has_error = false;
  for (const auto& t : result.response.responses)
    for (const auto& p : t.partitions) has_error = has_error || p.error_code != 0;
  bool enough = result.bytes >= static_cast<std::size_t>(std::max(request.min_bytes, 1));
  if (enough || has_error || request.max_wait_ms <= 0 || ctx.io == nullptr)
    return done(std::move(result.response));
  auto wait = std::make_shared<fetch_wait>(ctx, std::move(request), std::move(done));
  wait->start();
}

}  // namespace sluice::broker
