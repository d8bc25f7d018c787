// engine/checkpoints.h — the SQL engine's checkpoints on disk: consistent copies of the state store
// from which a restart resumes, and which one a restart may trust.
//
// Layout under the engine's state directory:
//   live/                      the RocksDB the dataflows write (rebuilt from a checkpoint at startup)
//   logs/                      the views' row logs (state_log): appended and synced before the keys
//                              that give their lengths; a restore truncates each to its length
//   checkpoints/<sequence>/    one checkpoint: a RocksDB checkpoint (SST files hard-linked, so a
//                              checkpoint costs what changed since the last one, not the whole state)
//                              and a MANIFEST-like marker file, CHECKPOINT, written last
//   checkpoints/tmp-<sequence> a checkpoint being written; never trusted
// A checkpoint is valid when its marker decodes, its CRC-32C matches, and every file the marker
// lists exists with the size it lists. At startup the newest valid checkpoint is restored; a
// corrupted or half-written one is skipped (and reported) in favour of the one before it. The
// newest `keep` checkpoints are kept.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace sluice::io {
class file_system;
}

namespace sluice::engine {

struct checkpoint_info {
  std::uint64_t sequence = 0;
  std::int64_t created_ms = 0;  // wall clock when it was taken
  std::string dir;              // its directory
};

class checkpoint_dir {
 public:
  checkpoint_dir(io::file_system& fs, std::string state_dir, int keep = 3);

  std::string live_dir() const { return state_dir_ + "/live"; }
  std::string logs_dir() const { return state_dir_ + "/logs"; }
  // Where the store should write checkpoint `sequence` (a temporary name until commit()).
  std::string staging_dir(std::uint64_t sequence) const;

  // The highest sequence number on disk, valid or not (0: none), so new ones never reuse a name.
  result<std::uint64_t> highest_sequence();
  // The newest valid checkpoint, skipping invalid ones (each reported in `skipped`).
  result<std::optional<checkpoint_info>> newest_valid(std::vector<std::string>* skipped = nullptr);
  // Replaces live/ with a copy of `from` (SST files hard-linked, the rest copied), or with nothing.
  result<void> restore_live(const std::optional<checkpoint_info>& from);
  // Seals the checkpoint the store wrote to staging_dir(sequence): writes its marker, renames it
  // into place, syncs, and removes checkpoints beyond the newest `keep`.
  result<checkpoint_info> commit(std::uint64_t sequence, std::int64_t created_ms);

 private:
  std::string checkpoints_dir() const { return state_dir_ + "/checkpoints"; }
  result<bool> valid(const std::string& dir, checkpoint_info& info);
  result<void> prune();

  io::file_system& fs_;
  std::string state_dir_;
  int keep_;
};

}  // namespace sluice::engine
