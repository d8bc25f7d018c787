#include "io/file.h"

namespace sluice::io {
namespace {

std::string parent_directory(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

result<void> write_file_atomically(file_system& fs, const std::string& path, bytes_view contents) {
  const std::string temporary = path + ".tmp";
  {
    SLUICE_ASSIGN_OR_RETURN(auto f, fs.open(temporary, open_mode::read_write));
    SLUICE_RETURN_IF_ERROR(f->truncate(0));
    SLUICE_RETURN_IF_ERROR(f->write_at(contents, 0));
    SLUICE_RETURN_IF_ERROR(f->sync());
  }
  SLUICE_RETURN_IF_ERROR(fs.rename(temporary, path));
  return fs.sync_directory(parent_directory(path));
}

result<std::vector<std::byte>> read_whole_file(file_system& fs, const std::string& path) {
  SLUICE_ASSIGN_OR_RETURN(auto f, fs.open(path, open_mode::read_only));
  SLUICE_ASSIGN_OR_RETURN(auto size, f->size());
  std::vector<std::byte> contents(size);
  SLUICE_ASSIGN_OR_RETURN(auto n, f->read_at(contents, 0));
  contents.resize(n);
  return contents;
}

}  // namespace sluice::io
