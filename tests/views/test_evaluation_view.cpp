#include "views/confusion_matrix.h"
#include "views/confusion_matrix_view.h"
#include "views/evaluation_view.h"
#include "views/models/class_accuracy_model.h"

#include <catch2/catch.hpp>

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QTableView>

#include <cmath>
#include <limits>

using namespace tl;
using views::ClassAccuracyModel;
using views::ConfusionMatrix;

namespace {

// Three classes; rows are true classes:
//   cat:  8 right, 2 taken for dog
//   dog:  1 taken for cat, 6 right, 3 taken for bird
//   bird: none in the split
proto::EvaluationEvent threeClasses(const std::string &split = "val", std::int64_t step = 100)
{
    proto::EvaluationEvent e;
    e.set_split(split);
    e.set_step(step);
    e.set_epoch(2);
    e.set_loss(0.4321);
    e.set_accuracy(0.7);
    e.set_samples(20);
    for (const char *name : {"cat", "dog", "bird"}) {
        e.add_class_names(name);
    }
    e.add_class_accuracy(0.8);
    e.add_class_accuracy(0.6);
    e.add_class_accuracy(std::numeric_limits<double>::quiet_NaN());
    for (std::uint64_t count : {8, 2, 0, 1, 6, 3, 0, 0, 0}) {
        e.add_confusion(count);
    }
    return e;
}

// n classes, each sample of class i predicted i except `wrong` of each taken for i + 1.
proto::EvaluationEvent diagonal(int n, std::uint64_t right, std::uint64_t wrong)
{
    proto::EvaluationEvent e;
    e.set_split("test");
    for (int i = 0; i < n; ++i) {
        e.add_class_names("class " + std::to_string(i));
        for (int j = 0; j < n; ++j) {
            e.add_confusion(j == i ? right : j == (i + 1) % n ? wrong : 0);
        }
    }
    return e;
}

QString cell(const ClassAccuracyModel &model, int row, int column)
{
    return model.data(model.index(row, column)).toString();
}

} // namespace

TEST_CASE("A confusion matrix reads counts by true and predicted class and normalises rows",
          "[views]")
{
    const ConfusionMatrix m(threeClasses());
    REQUIRE(m.classCount() == 3);
    CHECK(m.labels()
          == QStringList{QStringLiteral("cat"), QStringLiteral("dog"), QStringLiteral("bird")});
    CHECK(m.count(0, 0) == 8);
    CHECK(m.count(0, 1) == 2);
    CHECK(m.count(1, 2) == 3);
    CHECK(m.count(3, 0) == 0); // outside: no crash, nothing
    CHECK(m.count(-1, 0) == 0);
    CHECK(m.rowTotal(1) == 10);
    CHECK(m.rowFraction(1, 1) == Approx(0.6));
    CHECK(m.rowFraction(0, 1) == Approx(0.2));
    CHECK(m.rowFraction(2, 2) == 0.0); // a class the split does not hold
    CHECK(m.mostConfusedWith(0) == 1);
    CHECK(m.mostConfusedWith(1) == 2);
    CHECK(m.mostConfusedWith(2) == -1);
}

TEST_CASE("Counts that do not make a square of the classes give no matrix and say why", "[views]")
{
    proto::EvaluationEvent e = threeClasses();
    e.mutable_confusion()->RemoveLast();
    const ConfusionMatrix m(e);
    CHECK(m.isEmpty());
    CHECK(m.problem().contains(QStringLiteral("8 confusion counts for 3 classes")));

    proto::EvaluationEvent unnamed;
    for (int i = 0; i < 4; ++i) {
        unnamed.add_confusion(1);
    }
    const ConfusionMatrix square(unnamed);
    REQUIRE(square.classCount() == 2);
    CHECK(square.labels() == QStringList{QStringLiteral("0"), QStringLiteral("1")});

    const ConfusionMatrix regression{proto::EvaluationEvent()};
    CHECK(regression.isEmpty());
    CHECK(regression.problem().isEmpty());
}

TEST_CASE("Cells are blue for right predictions, red for mistakes, deeper with a larger share",
          "[views]")
{
    const QColor none = ConfusionMatrix::cellColour(0.0, true);
    CHECK(none == QColor(Qt::white));
    const QColor right = ConfusionMatrix::cellColour(0.9, true);
    CHECK(right.blue() > right.red());
    const QColor wrong = ConfusionMatrix::cellColour(0.3, false);
    CHECK(wrong.red() > wrong.blue());
    CHECK(ConfusionMatrix::cellColour(0.5, false).green() < wrong.green());
    CHECK(ConfusionMatrix::cellColour(std::nan(""), true) == QColor(Qt::white));
    CHECK(ConfusionMatrix::textColour(right) == QColor(Qt::white));
    CHECK(ConfusionMatrix::textColour(none) == QColor(Qt::black));
}

TEST_CASE("The heat map writes counts when they fit and labels every class", "[views]")
{
    views::ConfusionMatrixView view;
    view.resize(500, 500);
    view.setMatrix(ConfusionMatrix(threeClasses()));
    CHECK(view.showsCounts());
    CHECK(view.cellText(0, 0) == QStringLiteral("8"));
    CHECK(view.cellText(1, 2) == QStringLiteral("3"));
    CHECK(view.cellText(0, 2).isEmpty()); // zero counts stay blank
    CHECK(view.labelStride() == 1);
    const QRectF first = view.cellRect(0, 0);
    const QRectF next = view.cellRect(0, 1);
    CHECK(first.width() > 50);
    CHECK(next.left() == Approx(first.right()));
    const auto hit = view.cellAt(view.cellRect(1, 2).center());
    REQUIRE(hit.has_value());
    CHECK(hit->first == 1);
    CHECK(hit->second == 2);
    CHECK(view.cellToolTip(1, 2) == QStringLiteral("true dog, predicted bird\n3 of 10 (30.0%)"));
    CHECK_FALSE(view.cellAt(QPointF(1, 1)).has_value());
}

TEST_CASE("A heat map of many classes drops the counts and labels every n-th class", "[views]")
{
    views::ConfusionMatrixView view;
    view.resize(300, 300);
    view.setMatrix(ConfusionMatrix(diagonal(100, 9000, 1000)));
    CHECK_FALSE(view.showsCounts());
    CHECK(view.cellText(5, 5).isEmpty());
    CHECK(view.labelStride() > 1);
    CHECK(view.grab().width() > 0); // paints without trouble
}

TEST_CASE("The class table lists accuracy, samples and the most frequent mistake", "[views]")
{
    ClassAccuracyModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    const proto::EvaluationEvent e = threeClasses();
    model.setEvaluation(e, ConfusionMatrix(e));
    REQUIRE(model.rowCount() == 3);
    CHECK(cell(model, 0, ClassAccuracyModel::Class) == QStringLiteral("cat"));
    CHECK(cell(model, 0, ClassAccuracyModel::Accuracy) == QStringLiteral("80.0%"));
    CHECK(cell(model, 1, ClassAccuracyModel::Samples) == QStringLiteral("10"));
    CHECK(cell(model, 1, ClassAccuracyModel::MistakenFor) == QStringLiteral("bird (30.0%)"));
    CHECK(cell(model, 2, ClassAccuracyModel::Accuracy) == QStringLiteral("–"));
    CHECK(cell(model, 2, ClassAccuracyModel::MistakenFor).isEmpty());
    CHECK(
        model.data(model.index(0, ClassAccuracyModel::Accuracy), ClassAccuracyModel::kFractionRole)
            .toDouble()
        == Approx(0.8));
    CHECK(model.data(model.index(2, ClassAccuracyModel::Accuracy), ClassAccuracyModel::kSortRole)
              .toDouble()
          == -1.0);
    model.clear();
    CHECK(model.rowCount() == 0);
}

TEST_CASE("The evaluation view shows the test split once it exists unless the user chose one",
          "[views]")
{
    views::EvaluationView view;
    CHECK(view.splits().isEmpty());
    CHECK(view.summaryText().contains(QStringLiteral("No evaluation yet")));

    view.addEvaluation(threeClasses("val", 100));
    CHECK(view.currentSplit() == QStringLiteral("val"));
    CHECK(view.matrixView().matrix().count(0, 0) == 8);
    CHECK(view.summaryText().contains(QStringLiteral("step 100 (epoch 2)")));
    CHECK(view.summaryText().contains(QStringLiteral("loss 0.4321")));
    CHECK(view.summaryText().contains(QStringLiteral("accuracy 70.00%")));
    CHECK(view.classModel().rowCount() == 3);

    proto::EvaluationEvent later = threeClasses("val", 200);
    later.set_confusion(0, 9);
    view.addEvaluation(later);
    CHECK(view.matrixView().matrix().count(0, 0) == 9);

    view.addEvaluation(diagonal(4, 5, 1));
    CHECK(view.splits() == QStringList{QStringLiteral("val"), QStringLiteral("test")});
    CHECK(view.currentSplit() == QStringLiteral("test"));
    CHECK(view.matrixView().matrix().classCount() == 4);

    REQUIRE(view.setCurrentSplit(QStringLiteral("val")));
    view.addEvaluation(diagonal(4, 6, 1));
    CHECK(view.currentSplit() == QStringLiteral("val")); // the user's choice stays
    CHECK_FALSE(view.setCurrentSplit(QStringLiteral("train")));

    view.setEvaluations({diagonal(2, 1, 1)});
    CHECK(view.splits() == QStringList{QStringLiteral("test")});
    CHECK(view.currentSplit() == QStringLiteral("test"));
    view.clear();
    CHECK(view.splits().isEmpty());
    CHECK(view.classModel().rowCount() == 0);
    CHECK(view.matrixView().matrix().isEmpty());
}

TEST_CASE("A regression evaluation shows its loss and no matrix", "[views]")
{
    views::EvaluationView view;
    proto::EvaluationEvent e;
    e.set_split("test");
    e.set_loss(0.125);
    e.set_samples(50);
    view.addEvaluation(e);
    CHECK(view.summaryText().contains(QStringLiteral("loss 0.1250")));
    CHECK_FALSE(view.summaryText().contains(QStringLiteral("accuracy")));
    CHECK(view.matrixView().matrix().isEmpty());
    CHECK(view.matrixView().emptyMessage().contains(QStringLiteral("regression")));
}
