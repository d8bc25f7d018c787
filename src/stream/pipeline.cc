#include "stream/pipeline.h"

#include <algorithm>
#include <utility>

namespace sluice::stream {

pipeline::pipeline(state_store* store, sql::schema view_schema, bool append_only)
    : store_(store), view_(std::move(view_schema), state_prefix(0), append_only) {}

int pipeline::add_node(std::unique_ptr<stream_operator> op, int consumer, int port, std::string label) {
  node_state n;
  n.label = std::move(label);
  n.input_watermarks.assign(static_cast<std::size_t>(op->input_count()), no_watermark);
  n.op = std::move(op);
  n.consumer = consumer;
  n.port = port;
  nodes_.push_back(std::move(n));
  return static_cast<int>(nodes_.size() - 1);
}

int pipeline::add_source(std::unique_ptr<source_reader> reader) {
  sources_.push_back({std::move(reader), {}, no_watermark, 0, 0});
  return static_cast<int>(sources_.size() - 1);
}

int pipeline::find_source(std::string_view relation) const {
  for (std::size_t i = 0; i < sources_.size(); ++i) {
    if (sources_[i].reader->relation() == relation) return static_cast<int>(i);
  }
  return -1;
}

namespace {

// How many columns a target reads; SIZE_MAX for all of them.
std::size_t read_count(const std::vector<bool>& columns) {
  if (columns.empty()) return SIZE_MAX;
  return static_cast<std::size_t>(std::count(columns.begin(), columns.end(), true));
}

// `batch` with only `columns` of each row (all when empty); the others NULL.
sql::change_batch copy_columns(const sql::change_batch& batch, const std::vector<bool>& columns) {
  if (read_count(columns) >= columns.size()) return batch;
  sql::change_batch copy;
  copy.reserve(batch.size());
  for (const sql::change& c : batch) {
    sql::row r;
    r.reserve(c.values.size());
    for (std::size_t i = 0; i < c.values.size(); ++i) {
      if (i < columns.size() && columns[i]) {
        r.push_back(c.values[i]);
      } else {
        r.emplace_back();
      }
    }
    copy.push_back({std::move(r), c.weight});
  }
  return copy;
}

}  // namespace

void pipeline::add_source_target(int source, int node, int port, std::vector<bool> columns) {
  source_state& s = sources_[static_cast<std::size_t>(source)];
  if (s.targets.empty() || read_count(columns) >= read_count(s.targets[s.widest].columns))
    s.widest = s.targets.size();
  s.targets.push_back({node, port, std::move(columns)});
}

pipeline::source_state* pipeline::lookup(std::string_view relation) {
  int i = find_source(relation);
  return i < 0 ? nullptr : &sources_[static_cast<std::size_t>(i)];
}

std::int64_t pipeline::watermark(std::string_view relation) const {
  int i = find_source(relation);
  return i < 0 ? no_watermark : sources_[static_cast<std::size_t>(i)].watermark;
}

result<void> pipeline::start() {
  SLUICE_RETURN_IF_ERROR(view_.start(*store_));
  // Consumers first (the compiler gives them smaller ids), so a global aggregate has emitted its
  // empty-input row before constant rows (VALUES) below it arrive as changes.
  for (node_state& n : nodes_) {
    sql::change_batch out;
    n.op->on_start(out);
    if (!out.empty()) deliver(n.consumer, n.port, out);
  }
  // A table has no event time: it never holds back what it is joined with.
  for (source_state& s : sources_) {
    sql::change_batch none;
    if (s.reader->is_table()) dispatch(s, none, end_of_time);
  }
  return commit();
}

result<void> pipeline::restore() {
  for (source_state& s : sources_) SLUICE_RETURN_IF_ERROR(s.reader->restore(*store_));
  for (node_state& n : nodes_) SLUICE_RETURN_IF_ERROR(n.op->restore(*store_));
  SLUICE_RETURN_IF_ERROR(view_.restore(*store_));
  sql::change_batch none;
  for (source_state& s : sources_) {
    if (s.reader->is_table()) dispatch(s, none, end_of_time);
  }
  return commit();
}

void pipeline::deliver(int id, int port, sql::change_batch& batch) {
  if (id < 0) return view_.apply(batch);
  node_state& n = nodes_[static_cast<std::size_t>(id)];
  n.rows_in += batch.size();
  sql::change_batch out;
  n.op->on_changes(port, batch, out);
  n.rows_out += out.size();
  if (!out.empty()) deliver(n.consumer, n.port, out);
}

void pipeline::advance(int id, int port, std::int64_t watermark) {
  if (id < 0) return;
  node_state& n = nodes_[static_cast<std::size_t>(id)];
  auto& input = n.input_watermarks[static_cast<std::size_t>(port)];
  input = std::max(input, watermark);
  std::int64_t low = *std::min_element(n.input_watermarks.begin(), n.input_watermarks.end());
  if (low <= n.watermark) return;
  n.watermark = low;
  sql::change_batch out;
  n.op->on_watermark(low, out);
  n.rows_out += out.size();
  if (!out.empty()) deliver(n.consumer, n.port, out);
  advance(n.consumer, n.port, low);
}

void pipeline::dispatch(source_state& s, sql::change_batch& batch, std::int64_t watermark) {
  if (!batch.empty()) {
    s.rows_out += batch.size();
    // The target that reads the most columns takes the batch itself; the others (self-joins) get
    // copies of the columns they read, made before any target consumes the batch's rows.
    std::vector<sql::change_batch> copies(s.targets.size() > 1 ? s.targets.size() : 0);
    for (std::size_t i = 0; i < s.targets.size(); ++i) {
      if (i != s.widest) copies[i] = copy_columns(batch, s.targets[i].columns);
    }
    for (std::size_t i = 0; i < s.targets.size(); ++i)
      deliver(s.targets[i].node, s.targets[i].port, i == s.widest ? batch : copies[i]);
  }
  if (watermark > s.watermark) {
    s.watermark = watermark;
    for (const auto& t : s.targets) advance(t.node, t.port, watermark);
  }
}

result<void> pipeline::ingest(std::string_view relation, std::span<const record> records) {
  source_state* s = lookup(relation);
  if (s == nullptr) return {};
  sql::change_batch batch;
  s->records_in += records.size();
  s->reader->ingest(records, batch);
  dispatch(*s, batch, s->reader->advance_watermark());
  return commit_each_batch_ ? commit() : result<void>{};
}

result<void> pipeline::tick() {
  for (source_state& s : sources_) {
    sql::change_batch none;
    dispatch(s, none, s.reader->advance_watermark());
  }
  return commit_each_batch_ ? commit() : result<void>{};
}

void pipeline::declare_partitions(std::string_view relation, int count) {
  if (source_state* s = lookup(relation)) s->reader->declare_partitions(count);
}

result<void> pipeline::inject(std::string_view relation, sql::change_batch batch, std::int64_t watermark) {
  source_state* s = lookup(relation);
  if (s == nullptr) return fail(errc::not_found, "no source " + std::string(relation));
  if (s->reader->is_table() && watermark == no_watermark) watermark = end_of_time;
  dispatch(*s, batch, watermark);
  return commit_each_batch_ ? commit() : result<void>{};
}

std::vector<pipeline::node_stats> pipeline::stats() const {
  std::vector<node_stats> out;
  int operators = static_cast<int>(nodes_.size());
  for (int i = 0; i < operators; ++i) {
    const node_state& n = nodes_[static_cast<std::size_t>(i)];
    out.push_back({i, n.label, {}, n.rows_in, n.rows_out, n.watermark});
  }
  for (std::size_t s = 0; s < sources_.size(); ++s) {
    const source_state& src = sources_[s];
    int id = operators + static_cast<int>(s);
    out.push_back({id, "Source: " + src.reader->relation(), {}, src.records_in, src.rows_out, src.watermark});
    for (const auto& t : src.targets) {
      if (t.node >= 0) out[static_cast<std::size_t>(t.node)].inputs.push_back(id);
    }
  }
  for (int i = 0; i < operators; ++i) {
    int consumer = nodes_[static_cast<std::size_t>(i)].consumer;
    if (consumer >= 0) out[static_cast<std::size_t>(consumer)].inputs.push_back(i);
  }
  for (auto& n : out) std::sort(n.inputs.begin(), n.inputs.end());
  return out;
}

write_batch pipeline::take_changes() {
  for (source_state& s : sources_) s.reader->flush(pending_);
  for (node_state& n : nodes_) n.op->flush(pending_);
  view_.flush(pending_);
  write_batch taken = std::exchange(pending_, write_batch{});
  pending_.reserve(taken.bytes() + taken.bytes() / 4);  // the next checkpoint's changes are alike
  return taken;
}

result<void> pipeline::commit() {
  write_batch changes = take_changes();
  if (changes.empty()) return {};
  return store_->write(changes);
}

}  // namespace sluice::stream
