#include "views/log_view.h"

#include "views/view_colours.h"

#include <QFontDatabase>
#include <QTime>

namespace tl::views {

LogView::LogView(QWidget *parent) : QPlainTextEdit(parent)
{
    setObjectName(QStringLiteral("logView"));
    setReadOnly(true);
    setMaximumBlockCount(kMaxLines);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    setFont(mono);
}

void LogView::appendLine(Level level, const QString &text)
{
    const QString stamp = QTime::currentTime().toString(QStringLiteral("HH:mm:ss"));
    QString colour;
    if (level == Level::Warning) {
        colour = QStringLiteral("#b26a00");
    } else if (level == Level::Error) {
        colour = kErrorColour.name();
    }
    if (colour.isEmpty()) {
        appendPlainText(stamp + QLatin1Char(' ') + text);
        return;
    }
    appendHtml(QStringLiteral("<span style=\"color:%1\">%2 %3</span>")
                   .arg(colour, stamp, text.toHtmlEscaped()));
}

int LogView::lineCount() const
{
    return blockCount();
}

} // namespace tl::views
