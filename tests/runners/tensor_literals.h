#pragma once
// Small tensors written out in tests: rows of floats and int64 labels. Tests only.

#include <torch/types.h>

#include <cstdint>
#include <initializer_list>
#include <vector>

namespace tl::testing {

inline torch::Tensor rows(std::initializer_list<std::initializer_list<float>> values)
{
    std::vector<torch::Tensor> list;
    for (const auto &row : values) {
        list.push_back(torch::tensor(std::vector<float>(row)));
    }
    return torch::stack(list);
}

inline torch::Tensor labelsOf(const std::vector<std::int64_t> &values)
{
    return torch::tensor(values, torch::kInt64);
}

} // namespace tl::testing
