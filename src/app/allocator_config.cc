// jemalloc's options, read once at startup (MALLOC_CONF in the environment still overrides them).
//
// background_thread: dirty pages are returned to the kernel by jemalloc's own thread. Otherwise the
// thread that frees memory purges it, and the engine's worker, which reuses a few megabytes of read
// buffers every round, faulted fresh zeroed pages back in: 5-7 % of its CPU in clear_page and the
// page-fault path over a Nexmark join (docs/benchmarks.md).
extern "C" {
// NOLINTNEXTLINE: the name and linkage are jemalloc's interface.
const char* malloc_conf = "background_thread:true";
}
