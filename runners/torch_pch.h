#pragma once
// The precompiled header of runners/ (target_precompile_headers): the part of libtorch the
// runners use, parsed once per build instead of ~20 s per translation unit. Private to runners/
// and its tests; never included by a header other modules see.

#include <ATen/Parallel.h>
#include <c10/util/Exception.h>
#include <torch/cuda.h>
#include <torch/nn.h>
#include <torch/optim.h>
#include <torch/serialize.h>
#include <torch/types.h>
