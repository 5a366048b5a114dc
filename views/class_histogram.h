#pragma once
// The class balance of a dataset's train split as a bar chart (QCustomPlot QCPBars): one bar
// per class, the class names as x tick labels. A UI-thread widget fed counts by the panel.

#include <QString>
#include <QWidget>

#include <cstdint>
#include <string>
#include <vector>

class QCustomPlot;
class QCPBars;

namespace tl::views {

class ClassHistogram : public QWidget
{
    Q_OBJECT

public:
    explicit ClassHistogram(QWidget *parent = nullptr);

    // counts[i] samples of class i; a class without a name is labelled by its index, a count
    // without a class shows as 0 (the summary gives one count per class name).
    void setCounts(const std::vector<std::string> &classNames,
                   const std::vector<std::int64_t> &counts);
    void clear();

    int barCount() const;
    double barValue(int i) const;
    QString tickLabel(int i) const;
    QCustomPlot *plot() const { return m_plot; }

    // The tick labels' rotation in degrees: 0 while the names fit side by side, else slanted
    // (-45) or, for many classes, upright (-90).
    double tickLabelRotation() const;

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void fitTickLabels();

    QCustomPlot *m_plot = nullptr;
    QCPBars *m_bars = nullptr;
};

} // namespace tl::views
