#include "runners/blas_threads.h"

#include <dlfcn.h>

namespace tl::runners {
namespace {

// Whether the library (or one it depends on, as Debian's openblas-pthread/libblas.so.3 does on
// libopenblas.so.0) is OpenBLAS. dlsym on a handle searches the library's dependencies too.
bool providesOpenBlas(const std::string &library)
{
    if (library.find("openblas") != std::string::npos) {
        return true;
    }
    void *handle = dlopen(library.c_str(), RTLD_LAZY | RTLD_NOLOAD);
    if (!handle) {
        return false;
    }
    const bool found = dlsym(handle, "openblas_get_config") != nullptr;
    dlclose(handle);
    return found;
}

} // namespace

BlasInfo limitBlasToOneThread()
{
    // RTLD_DEFAULT searches the libraries already loaded, in the order the dynamic linker
    // resolves libtorch's own calls.
    using SetThreads = void (*)(int);
    if (void *symbol = dlsym(RTLD_DEFAULT, "openblas_set_num_threads")) {
        reinterpret_cast<SetThreads>(symbol)(1);
    }

    // OpenBLAS can be loaded (e.g. through liblapack.so.3) while libblas.so.3 is the reference
    // implementation, so ask who provides the single-precision matrix product itself.
    BlasInfo info;
    void *gemm = dlsym(RTLD_DEFAULT, "sgemm_");
    Dl_info where{};
    if (!gemm || dladdr(gemm, &where) == 0 || !where.dli_fname) {
        return info;
    }
    info.library = where.dli_fname;
    // PyPI's libtorch links MKL into libtorch_cpu.so itself: fast, and not ours to tune.
    if (info.library.find("libtorch") != std::string::npos
        || info.library.find("mkl") != std::string::npos) {
        return info;
    }
    info.backend = providesOpenBlas(info.library) ? BlasBackend::OpenBlas : BlasBackend::Reference;
    return info;
}

} // namespace tl::runners
