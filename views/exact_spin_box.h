#pragma once
// A spin box for a double that must survive the trip config -> widget -> config unchanged:
// it shows the shortest text that reads back as the same double ("0.0003", "1e-08") and
// keeps values that a fixed number of decimals would round. Optionally steps by a factor
// (learning rates move in decades, not by 0.001). No prefix or suffix. A UI-thread widget.

#include <QDoubleSpinBox>

namespace tl::views {

class ExactSpinBox : public QDoubleSpinBox
{
    Q_OBJECT

public:
    explicit ExactSpinBox(QWidget *parent = nullptr);

    // Up/down multiply or divide by factor (> 1); 0 steps by singleStep() as usual.
    void setStepFactor(double factor) { m_stepFactor = factor; }

    void stepBy(int steps) override;
    QString textFromValue(double value) const override;
    double valueFromText(const QString &text) const override;
    QValidator::State validate(QString &input, int &pos) const override;

private:
    double m_stepFactor = 0;
};

} // namespace tl::views
