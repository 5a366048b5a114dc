#include "datasets/dataset_preview.h"
#include "views/models/sample_table_model.h"

#include <catch2/catch.hpp>

#include <QAbstractItemModelTester>
#include <QSignalSpy>

using namespace tl;
using tl::views::SampleTableModel;

namespace {

std::vector<datasets::TableRow> makeRows(int count, std::size_t features)
{
    std::vector<datasets::TableRow> rows;
    for (int i = 0; i < count; ++i) {
        datasets::TableRow row;
        row.index = 100 + i;
        row.label = i % 3;
        for (std::size_t f = 0; f < features; ++f) {
            row.values.push_back(static_cast<float>(i) + 0.25F * static_cast<float>(f));
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

} // namespace

TEST_CASE("The sample table model passes QAbstractItemModelTester through resets", "[views]")
{
    SampleTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    CHECK(model.rowCount() == 0);
    CHECK(model.columnCount() == 1); // the label column is always there

    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.setRows(makeRows(6, 3), {"a", "b", "c"}, {"cat", "dog", "fox"});
    CHECK(reset.count() == 1);
    REQUIRE(model.rowCount() == 6);
    REQUIRE(model.columnCount() == 4);
    model.setRows(makeRows(2, 1), {"only"}, {});
    CHECK(model.columnCount() == 2);
    model.clear();
    CHECK(model.rowCount() == 0);
}

TEST_CASE("The sample table shows the class name, then the features, indexed by sample", "[views]")
{
    SampleTableModel model;
    model.setRows(makeRows(4, 2), {"width", "height"}, {"cat", "dog", "fox"});

    CHECK(model.headerData(0, Qt::Horizontal).toString() == QStringLiteral("label"));
    CHECK(model.headerData(2, Qt::Horizontal).toString() == QStringLiteral("height"));
    CHECK(model.headerData(3, Qt::Vertical).toLongLong() == 103);
    CHECK(model.data(model.index(2, 0)).toString() == QStringLiteral("fox"));
    CHECK(model.data(model.index(2, 0), SampleTableModel::kValueRole).toLongLong() == 2);
    CHECK(model.data(model.index(3, 2)).toString() == QStringLiteral("3.25"));
    CHECK(model.data(model.index(3, 2), SampleTableModel::kValueRole).toDouble() == 3.25);
    CHECK(model.data(model.index(3, 2), Qt::TextAlignmentRole).toInt()
          == int(Qt::AlignRight | Qt::AlignVCenter));
}

TEST_CASE("The sample table shows unnamed labels by index and short rows as empty cells", "[views]")
{
    SampleTableModel model;
    std::vector<datasets::TableRow> rows = makeRows(2, 3);
    rows[1].label = 7; // no class name for it
    rows[1].values.pop_back();
    model.setRows(std::move(rows), {"a", "b", "c"}, {"cat"});
    CHECK(model.data(model.index(1, 0)).toString() == QStringLiteral("7"));
    CHECK_FALSE(model.data(model.index(1, 3)).isValid());
    CHECK(model.data(model.index(0, 3)).isValid());
}

TEST_CASE("Features without names (NumPy arrays) get a numbered column each", "[views]")
{
    SampleTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setRows(makeRows(3, 6), {}, {});
    REQUIRE(model.columnCount() == 7);
    CHECK(model.headerData(1, Qt::Horizontal).toString() == QStringLiteral("feature 1"));
    CHECK(model.headerData(6, Qt::Horizontal).toString() == QStringLiteral("feature 6"));
    CHECK(model.data(model.index(2, 6)).toString() == QStringLiteral("3.25"));
}
