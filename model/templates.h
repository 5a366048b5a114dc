#pragma once
// Ready-made model graphs a user starts from: the New Model menu and the worker's tests.
// Pure functions; any thread.

#include "base/result.h"
#include "model/op_registry.h"
#include "proto/torchlight.pb.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tl::model {

// A template as a menu shows it.
struct ModelTemplate
{
    std::string id;          // "mlp", "lenet", "cnn": the argument of makeTemplate()
    std::string displayName; // menu text: "MLP", "LeNet-5"
    std::string description; // one or two sentences for a tooltip
};

// Every template, in menu order: "mlp", "lenet", "cnn".
std::vector<ModelTemplate> modelTemplates();

// Builds template `id` for samples of inputShape (without the batch dimension) and `classes`
// output classes. The graph passes analyzeGraph(); an unknown id, a class count below 1, or an
// input the template cannot take (LeNet needs [C, H, W] with H and W of at least 12) is an
// error saying so; "cnn" needs [C, H, W] with H and W of at least 8.
//   "mlp":   input, flatten, fc1 (Linear 128), relu1, fc2 (Linear classes)
//   "lenet": input, conv1 (Conv2d 6, k5, pad 2), relu1, pool1 (MaxPool2d 2), conv2 (Conv2d 16,
//            k5), relu2, pool2 (MaxPool2d 2), flatten, fc1 (Linear 120), relu3, fc2 (Linear 84),
//            relu4, fc3 (Linear classes)
//   "cnn":   input, conv1 (Conv2d 32, k3, pad 1, bias 0), bn1 (BatchNorm2d), relu1, pool1
//            (MaxPool2d 2), conv2 (Conv2d 64, k3, pad 1, bias 0), bn2, relu2, pool2
//            (MaxPool2d 2), flatten, fc1 (Linear 128), relu3, drop1 (Dropout 0.25),
//            fc2 (Linear classes)
base::Result<proto::ModelGraph>
makeTemplate(std::string_view id, const Shape &inputShape, std::int64_t classes);

} // namespace tl::model
