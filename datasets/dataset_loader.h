#pragma once
// The one entry point from paths to a trainable dataset, for the GUI, the worker and scripts:
// recognizeDataset() settles what was dropped into a DatasetSpec (format by content), and
// loadDataset() reads that spec with the format's reader, applies limits and the train/val/test
// split. Pure functions; any thread; cancel with the stop token.

#include "datasets/dataset.h"

#include <filesystem>
#include <vector>

namespace tl::datasets {

// Tries every format's recogniser (idx, CIFAR, NumPy, image folder, CSV). A folder with
// nothing recognisable, or files of no known format, give an InvalidInput error naming them
// and listing what each format expects. `notes`, when given, receives sentences about how the
// drop was read ("You picked data_batch_1.bin; loaded all six batches ..."), for the user.
Recognition recognizeDataset(const std::vector<std::filesystem::path> &dropped,
                             std::vector<std::string> *notes = nullptr);

// Reads the dataset the spec names and splits it (SplitOptions; stratified and seeded).
// Progress counts bytes (or images) of the reader, then the split.
base::Result<Dataset> loadDataset(const proto::DatasetSpec &spec, const ReadContext &context = {});

// "idx", "CIFAR", "CSV", "NumPy", "image folder" for a spec's format.
const char *formatDisplayName(proto::DatasetFormat format);

} // namespace tl::datasets
