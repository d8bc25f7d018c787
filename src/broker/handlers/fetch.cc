// Fetch: reads whole batches from each partition's log. Limits: partition_max_bytes per partition
// and max_bytes overall, except that the first partition with data always gets at least one batch
// (KIP-74), so a consumer can make progress past a batch bigger than its limits.
//
// Long polling: when the response would carry fewer than min_bytes and max_wait_ms > 0, the fetch
// subscribes to appends on its partitions (partition_log::subscribe_appends) and waits on a timer on
// the connection's event loop. An append (on a blocking-pool thread) only posts a wake-up to that
// loop; the wait re-reads there and answers once min_bytes are there or the timer fires. No thread is
// blocked and nothing polls. No fetch sessions: session id 0.
//
// Reads run on the event loop, not on the blocking pool. A consumer reads what producers appended
// moments ago, which is in the page cache, so a read is a memcpy out of the kernel plus the CRC
// checks — microseconds, about what a hop to the pool and back costs, and the pool's few threads
// stay free for appends and fdatasync (acks=-1), which do block. A consumer catching up on data that
// was evicted does block its loop for the disk reads; see the known gaps in ../README.md.
//
// Zero copy: each partition_log::read result is moved into the response as its own buffer (never
// concatenated), and the dispatcher sends those buffers with a gathered write.
#include <spdlog/spdlog.h>

#include "broker/handlers/handlers.h"
#include "model/record_batch.h"
#include "net/asio.h"

namespace sluice::broker {
namespace {

// Reads from `offset` up to `limit` bytes of whole batches (at least one), as one buffer per read.
// partition_log::read stays within the segment holding `offset`, so keep reading across segment
// boundaries while budget is left.
struct partition_read {
  std::vector<std::vector<std::byte>> buffers;
  std::size_t bytes = 0;
  std::uint64_t records = 0;
};

result<partition_read> read_up_to(const storage::partition_log& log, std::int64_t offset, std::size_t limit) {
  partition_read out;
  std::int64_t end = log.end_offset();
  while (offset < end && (out.bytes == 0 || out.bytes < limit)) {
    auto read = log.read(offset, std::max<std::size_t>(limit - std::min(limit, out.bytes), 1));
    if (!read) {
      if (out.bytes == 0) return tl::unexpected(read.error());
      break;
    }
    auto& bytes = read->batches;
    if (bytes.empty() || (out.bytes > 0 && out.bytes + bytes.size() > limit)) break;
    // The offset after the last batch read: walk the batch headers.
    std::size_t at = 0;
    std::int64_t next = offset;
    while (at + model::batch_header_size <= bytes.size()) {
      auto header = model::decode_header(bytes_view(bytes).subspan(at));
      if (!header) break;
      next = header->next_offset();
      at += header->size_bytes();
      out.records += static_cast<std::uint64_t>(std::max(header->records_count, 0));
    }
    if (next <= offset) break;
    offset = next;
    out.bytes += bytes.size();
    out.buffers.push_back(std::move(bytes));
  }
  return out;
}

// What a response serves from each partition, counted once it is sent (a waiting fetch reads again).
struct served {
  std::shared_ptr<storage::partition_log> log;
  std::uint64_t records = 0;
  std::size_t bytes = 0;
};

struct fetch_result {
  kafka::fetch_response response;
  std::size_t bytes = 0;
  std::vector<served> sent;

  kafka::fetch_response finish() {
    for (const auto& s : sent) storage::count_served(s.log->traffic(), s.records, s.bytes);
    return std::move(response);
  }
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
        } else if (first || read->bytes <= limit) {
          // A later partition's first batch may exceed what is left: it waits for the next fetch.
          out.bytes += read->bytes;
          budget -= std::min(budget, read->bytes);
          out.sent.push_back({log, read->records, read->bytes});
          data.records->buffers = std::move(read->buffers);
        }
      }
      topic_out.partitions.push_back(std::move(data));
    }
    out.response.responses.push_back(std::move(topic_out));
  }
  return out;
}

// One waiting fetch. Everything of it runs on its connection's loop thread — start(), the timer,
// the wake-ups appenders post — so it needs no lock.
class fetch_wait : public std::enable_shared_from_this<fetch_wait> {
 public:
  fetch_wait(context& ctx, kafka::fetch_request request, boost::asio::io_context& loop,
             std::function<void(kafka::fetch_response)> done)
      : ctx_(ctx), request_(std::move(request)), loop_(loop), done_(std::move(done)), timer_(loop) {}

  ~fetch_wait() { unsubscribe(); }

  void start() {
    std::weak_ptr<fetch_wait> weak = weak_from_this();
    auto* loop = &loop_;
    for (const auto& topic : request_.topics) {
      for (const auto& p : topic.partitions) {
        auto log = ctx_.logs.partition(topic.topic, p.partition);
        if (!log) continue;
        // Runs on the appending thread under the log's listener lock: only post, never take a strong
        // reference there (the last one going away would unsubscribe under that same lock).
        auto id = log->subscribe_appends([weak, loop] {
          boost::asio::post(*loop, [weak] {
            if (auto self = weak.lock()) self->check(false);
          });
        });
        subscriptions_.emplace_back(std::move(log), id);
      }
    }
    timer_.expires_after(std::chrono::milliseconds(request_.max_wait_ms));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code) { self->check(true); });
    // An append between the first read and the subscriptions would otherwise go unnoticed.
    boost::asio::post(loop_, [weak] {
      if (auto self = weak.lock()) self->check(false);
    });
  }

 private:
  void check(bool timed_out) {
    if (finished_) return;
    auto result = read_partitions(ctx_, request_);
    if (!timed_out && result.bytes < static_cast<std::size_t>(std::max(request_.min_bytes, 1))) return;
    finished_ = true;
    timer_.cancel();
    unsubscribe();
    done_(result.finish());
  }

  void unsubscribe() {
    for (auto& [log, id] : subscriptions_) log->unsubscribe_appends(id);
    subscriptions_.clear();
  }

  context& ctx_;
  kafka::fetch_request request_;
  boost::asio::io_context& loop_;
  std::function<void(kafka::fetch_response)> done_;
  boost::asio::steady_timer timer_;
  bool finished_ = false;
  std::vector<std::pair<std::shared_ptr<storage::partition_log>, std::uint64_t>> subscriptions_;
};

}  // namespace

void handle_fetch(context& ctx, kafka::fetch_request request, std::int16_t, boost::asio::io_context& loop,
                  std::function<void(kafka::fetch_response)> done) {
  auto result = read_partitions(ctx, request);
  bool has_error = false;
  for (const auto& t : result.response.responses)
    for (const auto& p : t.partitions) has_error = has_error || p.error_code != 0;
  bool enough = result.bytes >= static_cast<std::size_t>(std::max(request.min_bytes, 1));
  if (enough || has_error || request.max_wait_ms <= 0) return done(result.finish());
  auto wait = std::make_shared<fetch_wait>(ctx, std::move(request), loop, std::move(done));
  // On the loop's thread already when a connection calls; dispatch keeps a direct caller correct.
  boost::asio::dispatch(loop, [wait] { wait->start(); });
}

}  // namespace sluice::broker
