#include "views/models/runs_table_model.h"
#include "views/runs_panel.h"

#include <catch2/catch.hpp>

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTableView>

using namespace tl;
using tl::views::RunRow;
using tl::views::RunsTableModel;

namespace {

RunRow makeRun(std::int64_t id, double createdAt, proto::RunState state)
{
    RunRow run;
    run.id = id;
    run.name = "run-" + std::to_string(id);
    run.createdAt = createdAt;
    run.state = state;
    run.device = "cpu";
    return run;
}

QString cellText(const RunsTableModel &model, int row, int column)
{
    return model.data(model.index(row, column)).toString();
}

} // namespace

TEST_CASE("The runs model passes QAbstractItemModelTester through resets, inserts and updates",
          "[views]")
{
    RunsTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);

    model.setRuns({makeRun(1, 100, proto::RUN_STATE_COMPLETED),
                   makeRun(2, 200, proto::RUN_STATE_INTERRUPTED)});
    REQUIRE(model.rowCount() == 2);
    CHECK(model.runAt(0)->id == 2); // newest first

    RunRow live = makeRun(3, 300, proto::RUN_STATE_RUNNING);
    model.upsertRun(live);
    REQUIRE(model.rowCount() == 3);
    CHECK(model.rowOf(3) == 0);

    live.state = proto::RUN_STATE_COMPLETED;
    live.testAccuracy = 0.8612;
    live.epoch = 2;
    live.step = 10;
    live.totalSteps = 10;
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.upsertRun(live);
    CHECK(model.rowCount() == 3);
    CHECK(changed.count() == 1);
    CHECK(cellText(model, 0, RunsTableModel::State) == QStringLiteral("completed"));
    CHECK(cellText(model, 0, RunsTableModel::TestAccuracy) == QStringLiteral("86.12%"));
    CHECK(cellText(model, 0, RunsTableModel::Progress) == QStringLiteral("epoch 2 · 10/10"));
    CHECK(cellText(model, 1, RunsTableModel::State) == QStringLiteral("interrupted"));
    CHECK(model.data(model.index(2, 0), RunsTableModel::kRunIdRole).toLongLong() == 1);

    model.setRuns({});
    CHECK(model.rowCount() == 0);
    CHECK(model.runAt(0) == nullptr);
}

TEST_CASE("A run whose creation time changes moves to its sorted row", "[views]")
{
    RunsTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setRuns(
        {makeRun(1, 100, proto::RUN_STATE_COMPLETED), makeRun(2, 200, proto::RUN_STATE_COMPLETED)});
    model.upsertRun(makeRun(1, 300, proto::RUN_STATE_COMPLETED));
    REQUIRE(model.rowCount() == 2);
    CHECK(model.runAt(0)->id == 1);
    CHECK(model.runAt(1)->id == 2);
}

TEST_CASE("Selecting a row in the runs panel reports its run id", "[views]")
{
    RunsTableModel model;
    model.setRuns(
        {makeRun(7, 100, proto::RUN_STATE_COMPLETED), makeRun(9, 200, proto::RUN_STATE_FAILED)});
    views::RunsPanel panel(&model);
    QSignalSpy selected(&panel, &views::RunsPanel::runSelected);

    panel.table()->selectRow(1);
    REQUIRE(selected.count() == 1);
    CHECK(selected.at(0).at(0).value<std::int64_t>() == 7);
    CHECK(panel.selectedRunId() == 7);

    // Programmatic selection (a new live run) does not ask for a redraw.
    CHECK(panel.selectRun(9));
    CHECK(selected.count() == 1);
    CHECK(panel.selectedRunId() == 9);
    CHECK_FALSE(panel.selectRun(42));
}
