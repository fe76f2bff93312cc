#include "core/base/LargeBuffer.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

namespace cellforge {

namespace {
constexpr std::size_t kHugePage = std::size_t(2) << 20;
}

std::shared_ptr<std::byte> allocateLargeBuffer(std::size_t bytes) {
    if (bytes < 2 * kHugePage) {
        // calloc aligns to 16; 64 keeps vector loads on cache lines.
        void* p = nullptr;
        if (posix_memalign(&p, 64, bytes == 0 ? 64 : bytes) != 0 || !p) throw std::bad_alloc();
        std::memset(p, 0, bytes);
        return std::shared_ptr<std::byte>(static_cast<std::byte*>(p), [](std::byte* q) { std::free(q); });
    }
    // Anonymous mappings are zero-filled lazily: nothing is touched here.
    const std::size_t length = ((bytes + kHugePage - 1) & ~(kHugePage - 1)) + kHugePage;
    void* base = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) throw std::bad_alloc();
    auto* aligned = reinterpret_cast<std::byte*>((reinterpret_cast<std::uintptr_t>(base) + kHugePage - 1) &
                                                 ~std::uintptr_t(kHugePage - 1));
    adviseHugePages(aligned, length - std::size_t(aligned - static_cast<std::byte*>(base)));
    return std::shared_ptr<std::byte>(aligned, [base, length](std::byte*) { ::munmap(base, length); });
}

void adviseHugePages(void* data, std::size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    const auto begin = reinterpret_cast<std::uintptr_t>(data);
    const auto end = begin + bytes;
    const auto alignedBegin = (begin + kHugePage - 1) & ~std::uintptr_t(kHugePage - 1);
    if (end > alignedBegin + kHugePage)
        ::madvise(reinterpret_cast<void*>(alignedBegin), std::size_t((end - alignedBegin) & ~(kHugePage - 1)),
                  MADV_HUGEPAGE);
#else
    (void)data;
    (void)bytes;
#endif
}

}  // namespace cellforge
