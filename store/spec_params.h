#pragma once
// Flattening an ExperimentSpec into the key/value params a runs table compares.

#include "proto/torchlight.pb.h"

#include <map>
#include <string>

namespace tl::store {

// Keys: optimizer, learning_rate, momentum, weight_decay, epochs, batch_size, seed, threads,
// log_every_steps, model, dataset, train_limit, test_limit, device. Values are what the spec
// says ("0" = unset, optimizer "unspecified"), never the defaults a runner would apply.
std::map<std::string, std::string> specParams(const proto::ExperimentSpec &spec);

} // namespace tl::store
