#include "engine/checkpoints.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "base/crc32c.h"
#include "io/file.h"

namespace sluice::engine {
namespace {

namespace fs = std::filesystem;

constexpr const char* marker_name = "CHECKPOINT";
constexpr const char* marker_magic = "sluice checkpoint v1";

std::uint32_t crc_of(std::string_view text) {
  return crc32c::value(std::as_bytes(std::span<const char>(text.data(), text.size())));
}

// Sequence numbers are zero-padded so names sort in sequence order.
std::string sequence_name(std::uint64_t sequence) { return fmt::format("{:020}", sequence); }

std::optional<std::uint64_t> parse_sequence(const std::string& name) {
  if (name.size() != 20 || name.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoull(name);
}

error io_failure(const std::string& what, const std::error_code& ec) {
  return error{errc::io_error, what + ": " + ec.message()};
}

}  // namespace

checkpoint_dir::checkpoint_dir(io::file_system& fs, std::string state_dir, int keep)
    : fs_(fs), state_dir_(std::move(state_dir)), keep_(keep) {}

std::string checkpoint_dir::staging_dir(std::uint64_t sequence) const {
  return checkpoints_dir() + "/tmp-" + sequence_name(sequence);
}

result<checkpoint_info> checkpoint_dir::commit(std::uint64_t sequence, std::int64_t created_ms) {
  std::string staging = staging_dir(sequence);
  std::string text = fmt::format("{}\nsequence {}\ncreated_ms {}\n", marker_magic, sequence, created_ms);
  std::error_code ec;
  std::vector<std::pair<std::string, std::uint64_t>> files;
  for (const auto& entry : fs::directory_iterator(staging, ec)) {
    if (entry.is_regular_file()) files.emplace_back(entry.path().filename().string(), entry.file_size());
  }
  if (ec) return tl::unexpected(io_failure("listing " + staging, ec));
  std::sort(files.begin(), files.end());
  for (const auto& [name, size] : files) text += fmt::format("file {} {}\n", name, size);
  text += fmt::format("crc32c {}\n", crc_of(text));
  SLUICE_RETURN_IF_ERROR(io::write_file_atomically(
      fs_, staging + "/" + marker_name, std::as_bytes(std::span<const char>(text.data(), text.size()))));
  std::string final_dir = checkpoints_dir() + "/" + sequence_name(sequence);
  SLUICE_RETURN_IF_ERROR(fs_.rename(staging, final_dir));
  SLUICE_RETURN_IF_ERROR(fs_.sync_directory(checkpoints_dir()));
  SLUICE_RETURN_IF_ERROR(prune());
  return checkpoint_info{sequence, created_ms, final_dir};
}

result<bool> checkpoint_dir::valid(const std::string& dir, checkpoint_info& info) {
  if (!fs_.exists(dir + "/" + marker_name)) return false;
  SLUICE_ASSIGN_OR_RETURN(auto bytes, io::read_whole_file(fs_, dir + "/" + marker_name));
  std::string text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  auto crc_at = text.rfind("crc32c ");
  if (crc_at == std::string::npos || !text.starts_with(marker_magic)) return false;
  std::uint32_t stored = 0;
  try {
    stored = static_cast<std::uint32_t>(std::stoul(text.substr(crc_at + 7)));
  } catch (const std::exception&) {
    return false;
  }
  if (stored != crc_of(std::string_view(text).substr(0, crc_at))) return false;
  std::istringstream lines(text.substr(0, crc_at));
  std::string line;
  std::getline(lines, line);  // the magic line
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string word;
    words >> word;
    if (word == "sequence") {
      words >> info.sequence;
    } else if (word == "created_ms") {
      words >> info.created_ms;
    } else if (word == "file") {
      std::string name;
      std::uint64_t size = 0;
      words >> name >> size;
      std::error_code ec;
      auto actual = fs::file_size(dir + "/" + name, ec);
      if (ec || actual != size) return false;
    }
  }
  info.dir = dir;
  return true;
}

result<std::uint64_t> checkpoint_dir::highest_sequence() {
  if (!fs_.exists(checkpoints_dir())) return std::uint64_t{0};
  SLUICE_ASSIGN_OR_RETURN(auto names, fs_.list(checkpoints_dir()));
  std::uint64_t highest = 0;
  for (const auto& name : names) {
    auto sequence = parse_sequence(name.starts_with("tmp-") ? name.substr(4) : name);
    if (sequence) highest = std::max(highest, *sequence);
  }
  return highest;
}

result<std::optional<checkpoint_info>> checkpoint_dir::newest_valid(std::vector<std::string>* skipped) {
  if (!fs_.exists(checkpoints_dir())) return std::optional<checkpoint_info>();
  SLUICE_ASSIGN_OR_RETURN(auto names, fs_.list(checkpoints_dir()));
  std::sort(names.rbegin(), names.rend());
  for (const auto& name : names) {
    if (!parse_sequence(name)) continue;
    checkpoint_info info;
    SLUICE_ASSIGN_OR_RETURN(bool ok, valid(checkpoints_dir() + "/" + name, info));
    if (ok) return std::optional<checkpoint_info>(info);
    if (skipped) skipped->push_back(name);
  }
  return std::optional<checkpoint_info>();
}

result<void> checkpoint_dir::restore_live(const std::optional<checkpoint_info>& from) {
  std::error_code ec;
  fs::remove_all(live_dir(), ec);
  if (ec) return tl::unexpected(io_failure("removing " + live_dir(), ec));
  fs::create_directories(live_dir(), ec);
  fs::create_directories(checkpoints_dir(), ec);
  if (ec) return tl::unexpected(io_failure("creating " + live_dir(), ec));
  // Half-written checkpoints of the previous run are never trusted.
  for (const auto& entry : fs::directory_iterator(checkpoints_dir(), ec)) {
    if (entry.path().filename().string().starts_with("tmp-")) fs::remove_all(entry.path(), ec);
  }
  if (!from) return {};
  for (const auto& entry : fs::directory_iterator(from->dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name == marker_name) continue;
    fs::path to = fs::path(live_dir()) / name;
    // SST files never change once written: share them. The rest (MANIFEST, CURRENT, OPTIONS, WAL)
    // is rewritten by RocksDB, so the checkpoint keeps its own copy.
    if (name.ends_with(".sst")) {
      fs::create_hard_link(entry.path(), to, ec);
    } else {
      fs::copy_file(entry.path(), to, ec);
    }
    if (ec) return tl::unexpected(io_failure("restoring " + name + " from " + from->dir, ec));
  }
  if (ec) return tl::unexpected(io_failure("reading " + from->dir, ec));
  return fs_.sync_directory(live_dir());
}

result<void> checkpoint_dir::prune() {
  SLUICE_ASSIGN_OR_RETURN(auto names, fs_.list(checkpoints_dir()));
  std::vector<std::string> sealed;
  for (const auto& name : names) {
    if (parse_sequence(name)) sealed.push_back(name);
  }
  std::sort(sealed.begin(), sealed.end());
  for (std::size_t i = 0; i + static_cast<std::size_t>(keep_) < sealed.size(); ++i) {
    SLUICE_RETURN_IF_ERROR(fs_.remove_all(checkpoints_dir() + "/" + sealed[i]));
  }
  return {};
}

}  // namespace sluice::engine
