// Allocator settings for running networks on the CPU. Torch-free header.
#pragma once

namespace cellforge::ml {

// glibc hands every freed block above its mmap threshold straight back to the kernel and
// trims the heap beyond its trim threshold, so a network's activations (megabytes each,
// allocated and freed on every call) cost a page fault per page on every call: two
// thirds of the time of a CPU inference here (512 x 512 slices: 1.0 -> 3.2 slices/s).
// Raises both thresholds once per process (64 MiB and 256 MiB): tensors reuse freed heap
// memory, while whole volumes (larger) are still mapped and returned when freed. Called
// by tiled inference and training; does nothing on other C libraries.
void keepTensorMemoryInProcess();

}  // namespace cellforge::ml
