#pragma once
// bfloat16 autocast on CUDA for the forward pass and the loss (TrainConfig.precision), as a
// scope: matrix products and convolutions run in bfloat16, reductions stay float32. The cast
// cache is off, as CUDA-graph capture requires. Private to runners/ (includes libtorch); the
// training thread only (autocast state is thread-local).

#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace tl::runners {

class AutocastScope
{
public:
    explicit AutocastScope(bool enabled) : m_enabled(enabled)
    {
        if (m_enabled) {
            set(true);
        }
    }
    ~AutocastScope()
    {
        if (m_enabled) {
            set(false);
        }
    }
    AutocastScope(const AutocastScope &) = delete;
    AutocastScope &operator=(const AutocastScope &) = delete;

private:
    static void set(bool on)
    {
        at::autocast::set_autocast_cache_enabled(!on);
#if TORCH_VERSION_MAJOR * 100 + TORCH_VERSION_MINOR >= 204
        at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
        at::autocast::set_autocast_enabled(at::kCUDA, on);
#else
        at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
        at::autocast::set_enabled(on);
#endif
        if (!on) {
            at::autocast::clear_cache();
        }
    }

    bool m_enabled;
};

} // namespace tl::runners
