#pragma once
// A tensor summarised for people: the debugger's snapshots (statistics over all of it, a
// histogram of its finite values, its first values) and libtorch's dtypes by their usual
// names. Private to runners/ (includes libtorch).

#include "proto/torchlight.pb.h"

#include <torch/types.h>

#include <cstddef>
#include <string>

namespace tl::runners {

// "float32", "int64", ...: the names NumPy and ONNX viewers use.
std::string dtypeName(c10::ScalarType type);

struct SnapshotLimits
{
    std::size_t values = 4096; // first values kept, row-major
    std::int64_t bins = 32;    // histogram bins over [min, max] of the finite values
};

// Statistics over the whole tensor (on any device; copied to the CPU), whatever its dtype.
proto::TensorSnapshot
snapshotOf(const std::string &name, const torch::Tensor &tensor, SnapshotLimits limits = {});

// Whether a floating tensor holds a NaN or an Inf (always false for integers and booleans).
bool hasNonFinite(const torch::Tensor &tensor);

} // namespace tl::runners
