#include "runners/evaluation_metrics.h"
#include "tensor_literals.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

using namespace tl;
using runners::EvaluationMetrics;
using runners::TargetKind;

using tl::testing::labelsOf;
using tl::testing::rows;

namespace {

torch::Tensor lossSum(double value)
{
    return torch::tensor(static_cast<float>(value));
}

std::vector<std::uint64_t> confusionOf(const proto::EvaluationEvent &event)
{
    return {event.confusion().begin(), event.confusion().end()};
}

std::vector<std::string> namesOf(const proto::EvaluationEvent &event)
{
    return {event.class_names().begin(), event.class_names().end()};
}

// Five samples of three classes in two batches; class 2 never occurs as a label.
//   sample  scores     label  predicted
//   1       [5, 0, 0]  0      0  right
//   2       [0, 5, 0]  0      1  wrong
//   3       [0, 5, 0]  1      1  right
//   4       [0, 0, 5]  1      2  wrong   (second batch)
//   5       [5, 0, 0]  0      0  right   (second batch)
proto::EvaluationEvent threeClassEvent()
{
    EvaluationMetrics metrics(TargetKind::ClassIndex, 3, torch::kCPU);
    metrics.add(rows({{5, 0, 0}, {0, 5, 0}, {0, 5, 0}}), labelsOf({0, 0, 1}), lossSum(3.0));
    metrics.add(rows({{0, 0, 5}, {5, 0, 0}}), labelsOf({1, 0}), lossSum(2.0));
    return metrics.finish("val", 120, 2, {"cat"});
}

} // namespace

TEST_CASE("The confusion matrix counts true classes by row and predictions by column", "[metrics]")
{
    const proto::EvaluationEvent event = threeClassEvent();
    // Row 0: two right, one taken for class 1. Row 1: one right, one taken for class 2.
    CHECK(confusionOf(event) == std::vector<std::uint64_t>{2, 1, 0, 0, 1, 1, 0, 0, 0});
    CHECK(event.samples() == 5);
    CHECK(event.split() == "val");
    CHECK(event.step() == 120);
    CHECK(event.epoch() == 2);
}

TEST_CASE("Accuracy and loss are averaged over the samples of all batches", "[metrics]")
{
    const proto::EvaluationEvent event = threeClassEvent();
    CHECK(event.accuracy() == Approx(3.0 / 5.0));
    // Loss sums 3 and 2 over 5 samples: 1 per sample, not the mean of the batch means (1 and 1.5).
    CHECK(event.loss() == Approx(1.0));
    // Three classes: no top-5.
    CHECK(event.top5() == 0.0);
}

TEST_CASE("Class accuracy is the recall per class and NaN for an absent class", "[metrics]")
{
    const proto::EvaluationEvent event = threeClassEvent();
    REQUIRE(event.class_accuracy_size() == 3);
    CHECK(event.class_accuracy(0) == Approx(2.0 / 3.0));
    CHECK(event.class_accuracy(1) == Approx(0.5));
    CHECK(std::isnan(event.class_accuracy(2)));
}

TEST_CASE("Missing class names are filled with the class index", "[metrics]")
{
    CHECK(namesOf(threeClassEvent()) == std::vector<std::string>{"cat", "1", "2"});
    EvaluationMetrics metrics(TargetKind::ClassIndex, 2, torch::kCPU);
    metrics.add(rows({{1, 0}}), labelsOf({0}), lossSum(0.5));
    // Names beyond the class count are dropped.
    CHECK(namesOf(metrics.finish("test", 0, 0, {"a", "b", "c"}))
          == std::vector<std::string>{"a", "b"});
}

TEST_CASE("Top-5 counts samples whose label is among the five highest scores", "[metrics]")
{
    // Seven classes; every row ranks class 6 first and classes 2..6 as its top five.
    EvaluationMetrics metrics(TargetKind::ClassIndex, 7, torch::kCPU);
    const torch::Tensor ranked = rows({{0, 1, 2, 3, 4, 5, 6}}).repeat({4, 1});
    // Label 6: right and in the top five; 2: in the top five; 1 and 0: outside.
    metrics.add(ranked, labelsOf({6, 2, 1, 0}), lossSum(4.0));
    const proto::EvaluationEvent event = metrics.finish("val", 1, 0, {});
    CHECK(event.top5() == Approx(0.5));
    CHECK(event.accuracy() == Approx(0.25));
    CHECK(event.class_names_size() == 7);
    CHECK(event.confusion_size() == 49);
    CHECK(event.confusion(6 * 7 + 6) == 1);
    CHECK(event.confusion(0 * 7 + 6) == 1);
}

TEST_CASE("A single logit predicts class 1 when it is positive", "[metrics]")
{
    EvaluationMetrics metrics(TargetKind::BinaryLogit, 2, torch::kCPU);
    metrics.add(rows({{-1}, {2}, {3}}), labelsOf({0, 0, 1}), lossSum(1.5));
    const proto::EvaluationEvent event = metrics.finish("val", 1, 0, {"no", "yes"});
    CHECK(confusionOf(event) == std::vector<std::uint64_t>{1, 1, 0, 1});
    CHECK(event.accuracy() == Approx(2.0 / 3.0));
    CHECK(event.class_accuracy(0) == Approx(0.5));
    CHECK(event.class_accuracy(1) == Approx(1.0));
    CHECK(event.loss() == Approx(0.5));
}

TEST_CASE("A regression evaluation reports only the loss and the sample count", "[metrics]")
{
    EvaluationMetrics metrics(TargetKind::Regression, 10, torch::kCPU);
    metrics.add(rows({{1.5F}, {2}}), labelsOf({1, 4}), lossSum(4.25));
    metrics.add(rows({{3}}), labelsOf({3}), lossSum(0.0));
    const proto::EvaluationEvent event = metrics.finish("test", 9, 1, {});
    CHECK(event.loss() == Approx(4.25 / 3));
    CHECK(event.samples() == 3);
    CHECK(event.accuracy() == 0.0);
    CHECK(event.class_names_size() == 0);
    CHECK(event.class_accuracy_size() == 0);
    CHECK(event.confusion_size() == 0);
}

TEST_CASE("The loss sums of computeLoss average to the loss of the whole split", "[metrics]")
{
    proto::TrainConfig config;
    config.set_loss(proto::LOSS_CROSS_ENTROPY);
    const torch::Tensor output = rows({{2, 0, 1}, {0, 1, 0}, {1, 1, 3}, {0, 0, 0}});
    const torch::Tensor labels = labelsOf({0, 2, 2, 1});
    EvaluationMetrics metrics(TargetKind::ClassIndex, 3, torch::kCPU);
    for (std::int64_t begin : {0, 3}) {
        const torch::Tensor part = output.slice(0, begin, begin == 0 ? 3 : 4);
        const torch::Tensor partLabels = labels.slice(0, begin, begin == 0 ? 3 : 4);
        metrics.add(part, partLabels,
                    runners::computeLoss(config, TargetKind::ClassIndex, part, partLabels, true));
    }
    const double whole =
        runners::computeLoss(config, TargetKind::ClassIndex, output, labels).item<double>();
    CHECK(metrics.finish("val", 0, 0, {}).loss() == Approx(whole));
}

TEST_CASE("A label outside the classes is left out of the confusion matrix", "[metrics]")
{
    EvaluationMetrics metrics(TargetKind::ClassIndex, 3, torch::kCPU);
    metrics.add(rows({{5, 0, 0}, {0, 5, 0}, {0, 0, 5}}), labelsOf({0, 7, -1}), lossSum(1.0));
    const proto::EvaluationEvent event = metrics.finish("val", 0, 0, {});
    CHECK(confusionOf(event) == std::vector<std::uint64_t>{1, 0, 0, 0, 0, 0, 0, 0, 0});
    CHECK(event.samples() == 3);
    CHECK(event.accuracy() == Approx(1.0 / 3.0));
}

TEST_CASE("An evaluation without samples reports NaN instead of dividing by zero", "[metrics]")
{
    EvaluationMetrics metrics(TargetKind::ClassIndex, 2, torch::kCPU);
    const proto::EvaluationEvent event = metrics.finish("val", 0, 0, {});
    CHECK(event.samples() == 0);
    CHECK(std::isnan(event.loss()));
    CHECK(std::isnan(event.accuracy()));
    CHECK(confusionOf(event) == std::vector<std::uint64_t>{0, 0, 0, 0});
}
