#pragma once
// Recognising an MNIST-style dataset in what the user dropped on the window: one folder, or
// the four idx files. Pure function; any thread (it reads headers and the small labels files).

#include "base/result.h"
#include "proto/torchlight.pb.h"

#include <filesystem>
#include <string>
#include <vector>

namespace tl::datasets {

// Finds train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
// t10k-labels-idx1-ubyte (each optionally ".gz"; "test" for "t10k", "." for "-" before "idx",
// and idx4 images [N,C,H,W] are accepted too), confirms each by its header and checks that
// images and labels of a split have the same count. The spec gets the folder's name, format
// IDX, the four absolute paths, and class names: Fashion-MNIST's when a path contains
// "fashion" (any case), otherwise "0".."K-1" where K = largest train label + 1.
base::Result<proto::DatasetSpec> sniffIdxDataset(const std::vector<std::filesystem::path> &dropped);

// The ten Fashion-MNIST class names, in label order.
const std::vector<std::string> &fashionMnistClassNames();

} // namespace tl::datasets
