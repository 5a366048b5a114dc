// Giving the arrays of a NumPy source their roles: the spec's names first, then the usual
// names (x/y, data/labels, x_train/y_train/x_test/y_test, ...), then shapes for two arrays.
#include "datasets/numpy_sources.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace tl::datasets::detail {
namespace {

namespace fs = std::filesystem;
using base::ErrorCode;

std::string lower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

const std::set<std::string> kFeatureNames = {"x",
                                             "data",
                                             "features",
                                             "images",
                                             "inputs",
                                             "input",
                                             "samples",
                                             "x_train",
                                             "train_x",
                                             "xtrain",
                                             "train_images",
                                             "train_data",
                                             "train_features",
                                             "train_inputs",
                                             "images_train"};
const std::set<std::string> kLabelNames = {
    "y",       "labels",  "label",  "targets",      "target",        "classes",
    "y_train", "train_y", "ytrain", "train_labels", "train_targets", "labels_train"};
const std::set<std::string> kTestFeatureNames = {"x_test",      "test_x",     "xtest",
                                                 "test_images", "test_data",  "test_features",
                                                 "test_inputs", "images_test"};
const std::set<std::string> kTestLabelNames = {
    "y_test", "test_y", "ytest", "test_labels", "test_targets", "test_target", "labels_test"};

std::vector<const NumpyArrayInfo *> named(const NumpySource &source,
                                          const std::set<std::string> &names)
{
    std::vector<const NumpyArrayInfo *> found;
    for (const NumpyArrayInfo &array : source.arrays) {
        if (names.count(lower(array.name))) {
            found.push_back(&array);
        }
    }
    return found;
}

std::string arrayList(const NumpySource &source)
{
    std::string out;
    for (const NumpyArrayInfo &array : source.arrays) {
        out += (out.empty() ? "" : ", ") + array.describe();
    }
    return out;
}

base::Error ambiguous(const NumpySource &source, const std::string &problem)
{
    return base::makeError(
        ErrorCode::InvalidInput,
        "Cannot tell which arrays hold the samples and their labels (" + problem
            + "): the source holds " + arrayList(source)
            + ". Name the samples x, data, features, images or inputs and the labels y, labels "
              "or targets (x_train, y_train, x_test and y_test for a test split of its own), or "
              "choose the arrays in the dataset options.",
        source.label());
}

// The array the spec names: a member name with or without ".npy", a file's stem, name or path.
base::Result<const NumpyArrayInfo *> findChosen(const NumpySource &source, const std::string &name)
{
    for (bool exact : {true, false}) {
        for (const NumpyArrayInfo &array : source.arrays) {
            const bool byPath =
                !array.file.empty()
                && (array.file.lexically_normal() == fs::path(name).lexically_normal()
                    || array.file.filename() == name);
            const std::string ownName = exact ? array.name : lower(array.name);
            const std::string wanted = exact ? name : lower(name);
            if (byPath || ownName == wanted || ownName + ".npy" == wanted) {
                return &array;
            }
        }
    }
    return base::makeError(ErrorCode::InvalidInput,
                           "The dataset options name the array '" + name
                               + "', which the source does not hold; it holds " + arrayList(source)
                               + ".",
                           source.label());
}

// One role: the spec's choice, else the only array with one of `names`; nullptr when none.
base::Result<const NumpyArrayInfo *> pick(const NumpySource &source,
                                          const std::string &chosen,
                                          const std::set<std::string> &names,
                                          const std::string &role)
{
    if (!chosen.empty()) {
        return findChosen(source, chosen);
    }
    const auto found = named(source, names);
    if (found.size() > 1) {
        return ambiguous(source,
                         found[0]->name + " and " + found[1]->name + " could both be the " + role);
    }
    return found.empty() ? nullptr : found.front();
}

bool isLabelShaped(const NpyHeader &header)
{
    const bool column =
        header.shape.size() == 1 || (header.shape.size() == 2 && header.shape[1] == 1);
    return column && header.dtype.kind != NpyKind::Float;
}

// Two arrays without telling names (np.savez's arr_0, arr_1): the integer column is the labels
// if the other is not; a role already chosen must agree.
void pickByShape(const NumpySource &source, ArrayRoles &roles)
{
    if (source.arrays.size() != 2) {
        return;
    }
    const NumpyArrayInfo &a = source.arrays[0];
    const NumpyArrayInfo &b = source.arrays[1];
    if (a.header.shape.empty() || b.header.shape.empty() || a.header.shape[0] != b.header.shape[0]
        || isLabelShaped(a.header) == isLabelShaped(b.header)) {
        return;
    }
    const NumpyArrayInfo *labels = isLabelShaped(a.header) ? &a : &b;
    const NumpyArrayInfo *features = labels == &a ? &b : &a;
    if ((roles.features && roles.features != features)
        || (roles.labels && roles.labels != labels)) {
        return;
    }
    roles.features = features;
    roles.labels = labels;
}

base::Status
pickTest(const NumpySource &source, const proto::NumpyArrays &chosen, ArrayRoles &roles)
{
    auto features = pick(source, chosen.test_features(), kTestFeatureNames, "test samples");
    auto labels = pick(source, chosen.test_labels(), kTestLabelNames, "test labels");
    if (!features || !labels) {
        return !features ? features.error() : labels.error();
    }
    const NumpyArrayInfo *x = features.value();
    const NumpyArrayInfo *y = labels.value();
    if ((x == nullptr) != (y == nullptr)) {
        const bool chosenByName = !chosen.test_features().empty() || !chosen.test_labels().empty();
        const std::string sentence =
            (x ? x->describe() + " has no test labels (y_test, test_y or test_labels)"
               : y->describe() + " has no test samples (x_test, test_x or test_images)");
        if (chosenByName) {
            return base::makeError(ErrorCode::InvalidInput,
                                   "The test split is incomplete: " + sentence + ".",
                                   source.label());
        }
        roles.warnings.push_back(source.label() + ": " + sentence + ", so it was left out.");
        return base::okStatus();
    }
    roles.testFeatures = x;
    roles.testLabels = y;
    return base::okStatus();
}

} // namespace

base::Result<ArrayRoles> chooseNumpyArrays(const NumpySource &source,
                                           const proto::NumpyArrays &chosen)
{
    ArrayRoles roles;
    auto features = pick(source, chosen.features(), kFeatureNames, "samples");
    auto labels = pick(source, chosen.labels(), kLabelNames, "labels");
    if (!features || !labels) {
        return !features ? features.error() : labels.error();
    }
    roles.features = features.value();
    roles.labels = labels.value();
    if (!roles.features || !roles.labels) {
        pickByShape(source, roles);
    }
    if (!roles.features || !roles.labels) {
        return ambiguous(source, roles.features ? "found no array for the labels"
                                                : "found no array for the samples");
    }
    if (roles.features == roles.labels) {
        return ambiguous(source, roles.features->name + " was chosen for both");
    }
    if (auto test = pickTest(source, chosen, roles); !test) {
        return test.error();
    }
    return roles;
}

} // namespace tl::datasets::detail
