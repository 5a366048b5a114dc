#pragma once
// Image folders (Torchlight issue #4): root/<class>/*.{png,jpg,jpeg,bmp}, torchvision's
// ImageFolder layout, or root/{train,test}/<class>/... with the source's own split. Recognising
// lists folders only; reading decodes every image on all cores into uint8 [C, H, W] samples.
// Pure functions; any thread (readImageFolder() starts and joins its own decoder threads).

#include "base/result.h"
#include "datasets/dataset.h"
#include "proto/torchlight.pb.h"

#include <filesystem>
#include <vector>

namespace tl::datasets {

// One dropped folder whose subfolders (the classes, sorted by name as torchvision does) hold
// images, by extension, any case; hidden files and folders are ignored. A folder with train/ and
// test/ (or val/) subfolders, each laid out so, keeps that split: sources = [root/train,
// root/test]; otherwise sources = [root]. NotFound when nothing in it looks like images; an
// InvalidInput error for images without class subfolders.
Recognition recognizeImageFolder(const std::vector<std::filesystem::path> &dropped);

// Decodes the images of an IMAGE_FOLDER spec with std::thread::hardware_concurrency() threads.
// Samples are ordered by class, then file path; labels index the sorted class names (the union of
// train's and test's). Images are converted to gray or RGB (spec.image().color; AUTO: RGB when any
// of the first 16 images has colour) and resized to spec.image() width x height (0: the first
// image's size, at most 256 x 256). Images that cannot be decoded follow spec.bad_samples().
// Progress counts images.
base::Result<SourceData> readImageFolder(const proto::DatasetSpec &spec,
                                         const ReadContext &context);

// readImageFolder() on `threads` decoding threads (0: all cores); for benchmarks and tests.
base::Result<SourceData> readImageFolderOnThreads(const proto::DatasetSpec &spec,
                                                  const ReadContext &context,
                                                  unsigned threads);

} // namespace tl::datasets
