#pragma once
// glibc malloc settings for the training loop. Every step allocates and frees the same
// batch-sized tensors (hundreds of KiB); by default glibc returns that memory to the kernel
// (munmap or heap trimming) and takes it back on the next step, so a quarter of a batch-256
// MLP step went to page faults. Process-wide; called once at worker start-up.

namespace tl::runners {

// Keeps freed memory in the process: allocations below 32 MiB come from the heap and the heap
// is not trimmed. No effect outside glibc.
void keepFreedMemoryForReuse();

} // namespace tl::runners
