#pragma once
// The step debugger dock: where the followed run stopped (step, phase, node), Break / Step /
// Continue, the forward pass's nodes with a breakpoint check box each, and the stop's tensors in
// a TensorInspector. It only reports what the user asked for; the debugger controller in app/
// sends the commands and feeds it the run's DebugEvents. UI thread.

#include "proto/torchlight.pb.h"

#include <QString>
#include <QStringList>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSplitter;

namespace tl::views {

class TensorInspector;

// "Step 12 · forward · fc1 (Linear) — node 3 of 7"
QString debugStopText(const proto::DebugEvent &event);

class DebuggerPanel : public QWidget
{
    Q_OBJECT

public:
    explicit DebuggerPanel(QWidget *parent = nullptr);

    // Whether a run is followed, and whether it runs (also while paused between steps) or is
    // held by the debugger. Running or detached clears the stop position; the tensor stays.
    void setAttached(bool attached, bool running);
    // A stop (attaches and stops the panel), REASON_INSPECTED (shows its tensor only; the stop
    // position stays) or REASON_LEFT (running again).
    // The nodes a run will stop at, before its first stop (a stop's own list replaces them):
    // breakpoints can be ticked ahead. Checks already set stay.
    void setNodes(const QStringList &names);
    void showDebugEvent(const proto::DebugEvent &event);
    // Shows settings without emitting settingsChanged.
    void setSettings(const proto::DebugSettings &settings);
    proto::DebugSettings settings() const { return m_settings; }

    bool isAttached() const { return m_attached; }
    bool isStopped() const { return m_attached && !m_running; }
    // The last stop shown (never an INSPECTED or LEFT event); empty before the first.
    const proto::DebugEvent &lastStop() const { return m_lastStop; }
    TensorInspector *inspector() const { return m_inspector; }

    QString statusText() const;
    // Why it stopped ("NaN in the output of fc2 ..."); empty unless stopped.
    QString messageText() const;
    // The row of the node list the run stopped at; -1 when not stopped at a node.
    int currentNodeRow() const { return m_currentRow; }

signals:
    void breakClicked();
    void stepClicked();
    void continueClicked();
    // The user picked one of the stop's tensors other than the one shown.
    void inspectRequested(const QString &tensor);
    // A breakpoint check box changed; the whole new settings.
    void settingsChanged(const tl::proto::DebugSettings &settings);

private:
    void showStop(const proto::DebugEvent &event);
    void showNodes(const proto::DebugEvent &event);
    void fitNodeList();
    void markCurrentNode(int row, proto::DebugEvent::Phase phase);
    void showTensors(const proto::DebugEvent &event);
    void showTensor(const proto::TensorSnapshot &tensor);
    void updateState();
    void nonfiniteToggled(bool checked);
    void tensorActivated(int index);
    // A check box of the node list changed: break_at_nodes anew.
    void applyBreakpoints();

    QLabel *m_status = nullptr;
    QLabel *m_message = nullptr;
    QPushButton *m_break = nullptr;
    QPushButton *m_step = nullptr;
    QPushButton *m_continue = nullptr;
    QCheckBox *m_nonfinite = nullptr;
    QListWidget *m_nodes = nullptr;
    QSplitter *m_split = nullptr;
    QComboBox *m_tensors = nullptr;
    TensorInspector *m_inspector = nullptr;
    proto::DebugSettings m_settings;
    proto::DebugEvent m_lastStop;
    bool m_attached = false;
    bool m_running = false;
    bool m_hasStop = false; // a stop arrived since the run last ran: the status line shows it
    int m_currentRow = -1;
};

} // namespace tl::views
