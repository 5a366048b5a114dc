#pragma once
// The live training chart: loss tags on the left axis, accuracy and top-5 tags on the right,
// learning rates on a second right axis; x = step.
// Points are appended as they arrive and repainted by a ~30 Hz timer, never once per point.
// A UI-thread widget, fed ChartPoint structs by a controller; it never reads the store.

#include <QTimer>
#include <QWidget>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

class QCustomPlot;
class QCPAxis;
class QCPGraph;

namespace tl::views {

struct ChartPoint
{
    std::string tag; // "train/loss", "test/accuracy", ...
    std::int64_t step = 0;
    double value = 0;
};

class ScalarChart : public QWidget
{
    Q_OBJECT

public:
    explicit ScalarChart(QWidget *parent = nullptr);

    // Adds points to their tags' graphs (creating a graph per new tag); the next timer tick
    // rescales and replots, so a burst of points costs one repaint.
    void appendPoints(const std::vector<ChartPoint> &points);
    // Removes every graph and point (a different run is about to be shown).
    void clear();
    // A caption above the plot, e.g. the run's name.
    void setTitle(const QString &title);

    // Points currently held for tag (0 when the tag has no graph).
    int pointCount(const std::string &tag) const;
    QCustomPlot *plot() const { return m_plot; }

    // Which axis a tag goes to: accuracy-like tags (containing "acc" or "top5") to the right,
    // learning rates ("train/lr") to their own axis, the rest (losses) to the left.
    static bool isAccuracyTag(const std::string &tag);
    static bool isLearningRateTag(const std::string &tag);
    // The learning-rate axis, or nullptr while no rate is shown.
    QCPAxis *rateAxis() const { return m_rateAxis; }

private:
    QCPGraph *graphFor(const std::string &tag);
    QCPAxis *axisFor(const std::string &tag);
    void replotIfDirty();

    QCustomPlot *m_plot = nullptr;
    std::map<std::string, QCPGraph *> m_graphs;
    QCPAxis *m_rateAxis = nullptr; // owned by the plot's axis rect
    QTimer m_replotTimer;
    bool m_dirty = false;
};

} // namespace tl::views
