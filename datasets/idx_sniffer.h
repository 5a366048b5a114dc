#pragma once
// Recognising an MNIST-style dataset in what the user dropped on the window: one folder, or
// the four idx files. Pure function; any thread (it reads headers and the small labels files).

#include "base/result.h"
#include "datasets/dataset.h"
#include "proto/torchlight.pb.h"

#include <filesystem>
#include <string>
#include <vector>

namespace tl::datasets {

// Finds train-images-idx3-ubyte, train-labels-idx1-ubyte and optionally
// t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each optionally ".gz"; "test" for "t10k";
// "-", "_" or "." as separators; any element type name: ubyte, byte, short, int, float, double;
// idx2 to idx4 samples; a common prefix such as "emnist-letters-" names the dataset, and a
// folder with several prefixes is an error), confirms each by its header and checks that images
// and labels of a split have the same count. The spec gets the folder's name, format
// IDX, the four absolute paths, and class names: Fashion-MNIST's when a path contains
// "fashion" (any case), otherwise "0".."K-1" where K = largest train label + 1.
base::Result<proto::DatasetSpec> sniffIdxDataset(const std::vector<std::filesystem::path> &dropped);

// sniffIdxDataset() as a recogniser: NotFound ("not idx") when no dropped file is an idx file
// by content and no single folder was dropped.
Recognition recognizeIdx(const std::vector<std::filesystem::path> &dropped);

// The ten Fashion-MNIST class names, in label order.
const std::vector<std::string> &fashionMnistClassNames();

} // namespace tl::datasets
