#include "views/scalar_chart.h"

#include <catch2/catch.hpp>

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QSignalSpy>

#include <qcustomplot.h>

#include <functional>

using tl::views::ChartPoint;
using tl::views::ScalarChart;

namespace {

QCPGraph *graphNamed(QCustomPlot *plot, const QString &name)
{
    for (int i = 0; i < plot->graphCount(); ++i) {
        if (plot->graph(i)->name() == name) {
            return plot->graph(i);
        }
    }
    return nullptr;
}

// Turns the event loop until condition holds or timeoutMs pass.
bool waitUntil(const std::function<bool()> &condition, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!condition()) {
        if (deadline.hasExpired()) {
            return false;
        }
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    }
    return true;
}

} // namespace

TEST_CASE("Appended points land in one graph per tag and are replotted by the timer", "[views]")
{
    ScalarChart chart;
    chart.resize(640, 400);
    chart.show();
    QCoreApplication::processEvents(); // the first paint after show()
    QSignalSpy replotted(chart.plot(), &QCustomPlot::afterReplot);

    std::vector<ChartPoint> points;
    for (std::int64_t step = 1; step <= 100; ++step) {
        points.push_back({"train/loss", step * 10, 2.0 / static_cast<double>(step)});
    }
    points.push_back({"test/accuracy", 1000, 0.84});
    chart.appendPoints(points);
    chart.appendPoints({{"train/loss", 1010, 0.01}});

    // Nothing is repainted per point: the replot waits for the timer's tick.
    CHECK(replotted.count() == 0);
    REQUIRE(waitUntil([&] { return replotted.count() > 0; }, 5000));
    CHECK(chart.pointCount("train/loss") == 101);
    CHECK(chart.pointCount("test/accuracy") == 1);
    CHECK(chart.pointCount("test/loss") == 0);

    QCPGraph *loss = graphNamed(chart.plot(), QStringLiteral("train/loss"));
    QCPGraph *accuracy = graphNamed(chart.plot(), QStringLiteral("test/accuracy"));
    REQUIRE(loss != nullptr);
    REQUIRE(accuracy != nullptr);
    CHECK(loss->valueAxis() == chart.plot()->yAxis);
    CHECK(accuracy->valueAxis() == chart.plot()->yAxis2);
    // The rescale on the tick covers every point.
    CHECK(chart.plot()->xAxis->range().contains(10));
    CHECK(chart.plot()->xAxis->range().contains(1010));
    CHECK(chart.plot()->yAxis->range().contains(2.0));
    CHECK(chart.plot()->yAxis2->range().contains(0.84));
    CHECK(chart.plot()->legend->itemCount() == 2);
    // 102 points in two batches cost one repaint (plus, at most, the one the first resize
    // queued), not one per point.
    QCoreApplication::processEvents();
    CHECK(replotted.count() <= 2);
}

TEST_CASE("Clearing the chart removes every graph", "[views]")
{
    ScalarChart chart;
    chart.appendPoints({{"train/loss", 1, 1.0}, {"test/loss", 1, 1.5}});
    REQUIRE(chart.plot()->graphCount() == 2);
    chart.clear();
    CHECK(chart.plot()->graphCount() == 0);
    CHECK(chart.pointCount("train/loss") == 0);
    chart.appendPoints({{"train/loss", 5, 0.5}});
    CHECK(chart.pointCount("train/loss") == 1);
}

TEST_CASE("Accuracy tags go to the right axis, everything else to the left", "[views]")
{
    CHECK(ScalarChart::isAccuracyTag("test/accuracy"));
    CHECK(ScalarChart::isAccuracyTag("train/acc"));
    CHECK(ScalarChart::isAccuracyTag("val/top5"));
    CHECK_FALSE(ScalarChart::isAccuracyTag("train/loss"));
    CHECK(ScalarChart::isLearningRateTag("train/lr"));
    CHECK_FALSE(ScalarChart::isLearningRateTag("train/loss"));
    CHECK_FALSE(ScalarChart::isLearningRateTag("train/curl"));
}

TEST_CASE("Learning rates get an axis of their own, gone again when the chart is cleared",
          "[views]")
{
    ScalarChart chart;
    CHECK(chart.rateAxis() == nullptr);
    chart.appendPoints({{"train/loss", 1, 2.0}, {"train/lr", 1, 0.01}, {"val/top5", 1, 0.9}});
    REQUIRE(chart.rateAxis() != nullptr);
    CHECK(graphNamed(chart.plot(), QStringLiteral("train/lr"))->valueAxis() == chart.rateAxis());
    CHECK(graphNamed(chart.plot(), QStringLiteral("val/top5"))->valueAxis()
          == chart.plot()->yAxis2);
    CHECK(graphNamed(chart.plot(), QStringLiteral("train/loss"))->valueAxis()
          == chart.plot()->yAxis);
    // A constant rate still shows as a level line between zero and the top.
    REQUIRE(waitUntil([&] { return chart.rateAxis()->range().upper < 1.0; }, 2000));
    CHECK(chart.rateAxis()->range().lower == 0.0);
    CHECK(chart.rateAxis()->range().upper == Approx(0.011));
    chart.clear();
    CHECK(chart.rateAxis() == nullptr);
    chart.appendPoints({{"train/lr", 2, 0.005}});
    CHECK(chart.rateAxis() != nullptr);
}
