#pragma once
// A titled section whose body folds away: a flat arrow button with the title (and a short
// summary of the body's settings while folded) above the body widget. Keeps long settings
// forms compact. A UI-thread widget; the body is reparented to it.

#include <QWidget>

class QToolButton;

namespace tl::views {

class CollapsibleSection : public QWidget
{
    Q_OBJECT

public:
    CollapsibleSection(const QString &title, QWidget *body, QWidget *parent = nullptr);

    void setExpanded(bool expanded);
    bool isExpanded() const;
    // Shown after the title ("Schedule — cosine"), so a folded section still tells its state.
    void setSummary(const QString &summary);
    QString headerText() const;
    QWidget *body() const { return m_body; }

private:
    void updateHeader();

    QString m_title;
    QString m_summary;
    QToolButton *m_header = nullptr;
    QWidget *m_body = nullptr;
};

} // namespace tl::views
