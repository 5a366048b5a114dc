#pragma once
// The Graph tab: a tool row (the model's title, search with previous/next and a match count,
// zoom out/in and fit), a "viewing only" banner for models with ops Torchlight cannot run, and
// the GraphView itself. A UI-thread widget; app/ feeds its view and sets title and banner.

#include <QWidget>

class QAction;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QToolButton;

namespace tl::views {

class GraphView;

class GraphPanel : public QWidget
{
    Q_OBJECT

public:
    explicit GraphPanel(QWidget *parent = nullptr);

    GraphView &view() const { return *m_view; }
    QLineEdit &searchField() const { return *m_search; }

    // "lenet.onnx · ONNX opset 17 · 12 nodes"; shown at the left of the tool row.
    void setTitle(const QString &text);
    QString title() const;
    // A line above the graph ("Viewing only: ..."); empty hides it.
    void setBanner(const QString &text);
    QString banner() const;
    // "2 of 5", "No match", or empty without a search.
    QString matchText() const;
    // Shows `action` (the app's "Fine-tune" of the opened model) as a button at the right of
    // the tool row; the button follows the action's text, enabled state and tooltip.
    void addModelAction(QAction *action);

private:
    void runSearch();
    void showMatchCount();

    QLabel *m_title = nullptr;
    QLineEdit *m_search = nullptr;
    QToolButton *m_previous = nullptr;
    QToolButton *m_next = nullptr;
    QLabel *m_matches = nullptr;
    QLabel *m_banner = nullptr;
    QHBoxLayout *m_tools = nullptr;
    GraphView *m_view = nullptr;
};

} // namespace tl::views
