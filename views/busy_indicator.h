#pragma once
// A status-bar companion for long work that has no panel of its own (opening a model): a busy
// bar and a Cancel button, shown only when the work lasts longer than a moment so quick
// re-layouts do not flicker. A UI-thread widget; the owner says when work starts and ends.

#include <QTimer>
#include <QWidget>

class QProgressBar;
class QPushButton;

namespace tl::views {

class BusyIndicator : public QWidget
{
    Q_OBJECT

public:
    static constexpr int kShowDelayMs = 250;

    explicit BusyIndicator(QWidget *parent = nullptr);

    // Work began: the bar appears after kShowDelayMs unless finish() comes first.
    void start(const QString &what);
    void finish();
    bool isBusy() const { return m_busy; }
    QString what() const { return m_what; }

signals:
    void cancelClicked();

private:
    QProgressBar *m_bar = nullptr;
    QPushButton *m_cancel = nullptr;
    QTimer m_delay;
    QString m_what;
    bool m_busy = false;
};

} // namespace tl::views
