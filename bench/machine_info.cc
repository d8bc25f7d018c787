#include "machine_info.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sluice::bench {
namespace {

std::string trim(const std::string& s) {
  auto begin = s.find_first_not_of(" \t");
  auto end = s.find_last_not_of(" \t\n");
  return begin == std::string::npos ? "" : s.substr(begin, end - begin + 1);
}

// The value of the first "key : value" line of a /proc file whose key is `key`.
std::string proc_field(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    auto colon = line.find(':');
    if (colon != std::string::npos && trim(line.substr(0, colon)) == key) return trim(line.substr(colon + 1));
  }
  return "";
}

bool has_cpu_flag(const std::string& flag) {
  std::istringstream flags(" " + proc_field("/proc/cpuinfo", "flags") + " ");
  for (std::string f; flags >> f;)
    if (f == flag) return true;
  return false;
}

std::uint64_t memory_bytes() {
  std::istringstream total(proc_field("/proc/meminfo", "MemTotal"));  // "24684084 kB"
  std::uint64_t kib = 0;
  total >> kib;
  return kib * 1024;
}

std::string kernel() {
  utsname u{};
  if (uname(&u) != 0) return "";
  return std::string(u.sysname) + " " + u.release + " " + u.machine;
}

// Today's local date (YYYY-MM-DD), or the UTC time in ISO 8601.
std::string format_now(bool utc) {
  std::time_t now = std::time(nullptr);
  std::tm parts{};
  char out[64];
  std::size_t n = 0;
  if (utc) {
    gmtime_r(&now, &parts);
    n = std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &parts);
  } else {
    localtime_r(&now, &parts);
    n = std::strftime(out, sizeof out, "%Y-%m-%d", &parts);
  }
  return std::string(out, n);
}

// The mount whose mount point is the longest prefix of `path`.
void find_mount(const std::string& path, machine_info& m) {
  std::ifstream mounts("/proc/self/mounts");
  std::size_t best = 0;
  for (std::string line; std::getline(mounts, line);) {
    std::istringstream fields(line);
    std::string device, mount_point, type, options;
    fields >> device >> mount_point >> type >> options;
    bool inside = path == mount_point || mount_point == "/" ||
                  (path.starts_with(mount_point) && path[mount_point.size()] == '/');
    if (!inside || mount_point.size() < best) continue;
    best = mount_point.size();
    m.fs_device = device;
    m.fs_mount_point = mount_point;
    m.fs_type = type;
    m.fs_mount_options = options;
  }
}

// The first line of a sysfs attribute of the block device (or of the disk
// holding the partition), "" when there is none.
std::string block_queue_attribute(const std::string& device, const std::string& attribute) {
  if (!device.starts_with("/dev/")) return "";
  auto block = std::filesystem::path("/sys/class/block") / std::filesystem::path(device).filename();
  for (const auto& queue : {block / "queue", block / ".." / "queue"}) {
    std::ifstream in(queue / attribute);
    std::string value;
    if (std::getline(in, value)) return value;
  }
  return "";
}

// On ext4, fdatasync is a jbd2 commit when there is a journal and a plain
// writeback plus cache flush when there is not.
std::string ext4_journal(const machine_info& m) {
  if (m.fs_type != "ext4" || !m.fs_device.starts_with("/dev/")) return "";
  std::ifstream in("/sys/fs/ext4/" + std::filesystem::path(m.fs_device).filename().string() +
                   "/journal_task");
  std::string task;
  std::getline(in, task);
  return task;
}

}  // namespace

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

machine_info probe_machine(const std::string& data_dir) {
  machine_info m;
  m.cpu_model = proc_field("/proc/cpuinfo", "model name");
  m.cores = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  m.virtualized = has_cpu_flag("hypervisor");
  m.memory_bytes = memory_bytes();
  m.kernel = kernel();
  find_mount(std::filesystem::canonical(data_dir).string(), m);
  m.rotational = block_queue_attribute(m.fs_device, "rotational");
  m.write_cache = block_queue_attribute(m.fs_device, "write_cache");
  m.ext4_journal = ext4_journal(m);
  m.load_average = load_average();
  m.date = format_now(false);
  m.time_utc = format_now(true);
  return m;
}

json to_json(const machine_info& m) {
  json j;
  j.set("cpu_model", m.cpu_model)
      .set("cores", m.cores)
      .set("virtualized", m.virtualized)
      .set("memory_bytes", m.memory_bytes)
      .set("memory_gib", static_cast<double>(m.memory_bytes) / (1024.0 * 1024 * 1024))
      .set("kernel", m.kernel)
      .set("load_average_at_start", m.load_average);
  json fs;
  fs.set("type", m.fs_type)
      .set("device", m.fs_device)
      .set("mount_point", m.fs_mount_point)
      .set("mount_options", m.fs_mount_options)
      .set("rotational", m.rotational)
      .set("write_cache", m.write_cache)
      .set("ext4_journal_task", m.ext4_journal);
  j.set("data_filesystem", std::move(fs));
  return j;
}

}  // namespace sluice::bench
