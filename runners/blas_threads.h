#pragma once
// Keeps OpenBLAS single-threaded inside the worker (DESIGN.md, Facts): libtorch's own threads do
// the parallel work, and OpenBLAS threads on top of them make the MLP ~10x slower. Also tells
// which BLAS libtorch's matrix products go to, so the worker can warn about the reference BLAS.

#include <string>

namespace tl::runners {

enum class BlasBackend {
    OpenBlas,  // sgemm_ comes from OpenBLAS; set to one thread
    Reference, // sgemm_ comes from another libblas: probably the reference BLAS, ~20x slower
    Builtin,   // no sgemm_ among the loaded libraries: libtorch carries its own (e.g. MKL)
};

// What limitBlasToOneThread() found.
struct BlasInfo
{
    BlasBackend backend = BlasBackend::Builtin;
    std::string library; // the file that provides sgemm_; empty when none does
};

// Calls openblas_set_num_threads(1) when OpenBLAS is loaded (looked up with dlsym, so nothing
// links against it), and reports which library provides sgemm_.
BlasInfo limitBlasToOneThread();

} // namespace tl::runners
