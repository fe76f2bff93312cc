// Memory for large arrays (volumes, meshes under construction). On a virtual machine,
// first-touching a fresh 200 MB buffer in 4 KB pages costs about a second, more than a
// Gaussian pass: large buffers are mapped on 2 MB boundaries and Linux is asked to back
// them with transparent huge pages. The one allocator every part of CellForge uses.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace cellforge {

// A zero-filled buffer of `bytes` bytes, aligned to at least 64 bytes (to 2 MB when it
// is large). Throws std::bad_alloc when the memory cannot be had.
std::shared_ptr<std::byte> allocateLargeBuffer(std::size_t bytes);

// Asks Linux to back the whole 2 MB pages inside [data, data + bytes) with huge pages.
// Advice only: does nothing elsewhere or when it fails.
void adviseHugePages(void* data, std::size_t bytes);

// Sizes a vector that is about to be written in full to `n` elements, with huge-page
// advice for its storage (its old contents are dropped).
template <typename T>
void resizeForWriting(std::vector<T>& v, std::size_t n) {
    std::vector<T>().swap(v);
    v.reserve(n);
    adviseHugePages(v.data(), n * sizeof(T));
    v.resize(n);
}

}  // namespace cellforge
