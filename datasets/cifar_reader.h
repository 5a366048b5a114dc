#pragma once
// CIFAR-10 and CIFAR-100 in their binary form (Torchlight issue #4): recognising the batch folder
// in what the user dropped (the folder, its parent, or any file inside it) and reading its batches
// into uint8 [3, 32, 32] samples. Pure functions; any thread.

#include "base/result.h"
#include "datasets/dataset.h"
#include "proto/torchlight.pb.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tl::datasets {

// Finds a CIFAR-10 folder (data_batch_1..5.bin, test_batch.bin, batches.meta.txt, as in
// cifar-10-batches-bin) or a CIFAR-100 folder (train.bin, test.bin, fine_label_names.txt,
// coarse_label_names.txt, as in cifar-100-binary). Accepts the folder, its parent when that
// folder is the parent's only subfolder, or any files inside it. Batches are confirmed by their
// size (a whole number of 3,073-byte CIFAR-10 or 3,074-byte CIFAR-100 records); a folder without
// a train batch or without the test batch is an error. The spec gets the folder's name, format
// CIFAR and the folder as its one source.
Recognition recognizeCifar(const std::vector<std::filesystem::path> &dropped);

// When the user picked files inside a CIFAR folder rather than the folder, the sentence the loader
// adds to the warnings: "You picked data_batch_1.bin; loaded all six batches of
// cifar-10-batches-bin." nullopt when a folder was dropped, the picks were every batch, or the
// paths are not CIFAR.
std::optional<std::string> cifarPickNote(const std::vector<std::filesystem::path> &dropped);

// Reads the folder of a CIFAR spec (its sources are resolved as recognizeCifar() does): train =
// data_batch_1..5.bin (or train.bin), test = test_batch.bin (or test.bin); labels are the CIFAR-10
// label, or CIFAR-100's fine label (the coarse one with spec.cifar100_coarse_labels()). Class
// names come from the meta text files, or are the standard ones with a warning. Missing train
// batches are a warning. Progress counts bytes of all batches.
base::Result<SourceData> readCifar(const proto::DatasetSpec &spec, const ReadContext &context);

// The standard class names, in label order: CIFAR-10's 10, CIFAR-100's 100 fine and 20 coarse.
const std::vector<std::string> &cifar10ClassNames();
const std::vector<std::string> &cifar100FineClassNames();
const std::vector<std::string> &cifar100CoarseClassNames();

} // namespace tl::datasets
