#pragma once
// NumPy datasets: one .npz archive (Keras' mnist.npz with x_train, y_train, x_test, y_test; or
// np.savez's x and y), several .npy files, or a folder holding them. The recogniser reads only
// headers and the zip directory; the reader turns the chosen arrays into a SourceData. Pure
// functions; any thread.
//
// How arrays become samples (one sample = the array less its first axis):
// - uint8 N×H×W: grayscale images 1×H×W (uint8).
// - N×C×H×W with C in {1, 3, 4} and H, W > 4: images C×H×W as stored.
// - N×H×W×C with C in {1, 3, 4}, not the case above: images, reordered to C×H×W, with a warning.
//   Both image layouts stay uint8 for uint8 arrays and become float32 C×H×W images otherwise
//   (so a float NHWC array still trains as images).
// - Anything else: float32 features, flattened: N×F gives [F], N gives [1], N×A×B gives [A·B].
//   A NaN or infinite value is an error naming the array, the sample and the value.
// Labels: bool, integers, or floats holding whole numbers; N or N×1; never negative. Class
// names are "0" up to the largest label.

#include "datasets/dataset.h"

#include <filesystem>
#include <vector>

namespace tl::datasets {

// One .npz (a zip archive holding .npy members), or .npy files, or a folder holding either.
// Fills name, format, sources (absolute) and, when names make the choice clear, the arrays in
// spec.numpy (member names for an .npz, absolute paths for .npy files). NotFound when the paths
// are not NumPy files; InvalidInput (listing the arrays with their shapes) when the choice of
// arrays is ambiguous or they cannot be used.
Recognition recognizeNumpy(const std::vector<std::filesystem::path> &dropped);

// Reads the arrays the spec names in spec.numpy (empty fields are chosen by name as above).
// Progress counts bytes of the arrays read (uncompressed for an .npz).
base::Result<SourceData> readNumpy(const proto::DatasetSpec &spec, const ReadContext &context);

} // namespace tl::datasets
