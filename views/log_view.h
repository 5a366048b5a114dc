#pragma once
// The messages area: the worker's log lines and the app's errors, newest at the bottom,
// capped so a chatty run cannot grow it without bound. A UI-thread widget.

#include <QPlainTextEdit>

namespace tl::views {

class LogView : public QPlainTextEdit
{
    Q_OBJECT

public:
    enum class Level { Info, Warning, Error };
    static constexpr int kMaxLines = 5000;

    explicit LogView(QWidget *parent = nullptr);

    // Appends one line with a time stamp; warnings and errors are coloured.
    void appendLine(Level level, const QString &text);
    int lineCount() const;
};

} // namespace tl::views
