// storage/properties_file.h — small metadata files (topic configs, partition
// state, the data directory's identity) as checksummed `key=value` lines.
//
//   # a comment line naming the file's purpose
//   key=value              one per line, keys sorted, no newlines in values
//   crc32c=1a2b3c4d        CRC-32C of every byte before this line
//
// Files are replaced atomically; a file whose checksum does not match is
// reported as corruption, never half-read.
#pragma once

#include <map>
#include <string>

#include "base/result.h"
#include "io/file.h"

namespace sluice::storage {

using properties = std::map<std::string, std::string>;

result<void> write_properties(io::file_system& fs, const std::string& path, const std::string& comment,
                              const properties& values);

result<properties> read_properties(io::file_system& fs, const std::string& path);

// Typed look-ups that name the file and key in their errors.
result<std::int64_t> get_int(const properties& p, const std::string& key);

}  // namespace sluice::storage
