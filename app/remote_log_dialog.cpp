#include "app/remote_log_dialog.h"

#include "app/remote_runs_controller.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPointer>
#include <QScrollBar>
#include <QVBoxLayout>

namespace tl::app {

RemoteLogDialog::RemoteLogDialog(RemoteRunsController &controller,
                                 std::int64_t runId,
                                 QWidget *parent)
    : QDialog(parent)
    , m_controller(controller)
    , m_runId(runId)
{
    setObjectName(QStringLiteral("remoteLogDialog"));
    const views::JobRow *job = controller.job(runId);
    setWindowTitle(job ? tr("Logs of %1 — %2 on %3")
                             .arg(QString::fromStdString(job->runName),
                                  QString::fromStdString(job->jobId),
                                  QString::fromStdString(job->host))
                       : tr("Logs of run %1").arg(runId));
    m_file = new QComboBox(this);
    for (const std::string &name : controller.logNames(runId)) {
        m_file->addItem(QString::fromStdString(name));
    }
    m_status = new QLabel(this);
    m_text = new QPlainTextEdit(this);
    m_text->setReadOnly(true);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setMaximumBlockCount(50000); // the newest lines of a long log
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    auto *top = new QHBoxLayout;
    top->addWidget(m_file);
    top->addWidget(m_status, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_text, 1);
    resize(820, 480);
    m_follow.setInterval(kFollowMs);
    connect(&m_follow, &QTimer::timeout, this, &RemoteLogDialog::readMore);
    connect(m_file, &QComboBox::currentIndexChanged, this, &RemoteLogDialog::restart);
    restart();
    m_follow.start();
}

void RemoteLogDialog::restart()
{
    ++m_generation;
    m_offset = 0;
    m_reading = false;
    m_text->clear();
    readMore();
}

void RemoteLogDialog::readMore()
{
    if (m_reading || m_file->currentIndex() < 0) {
        return;
    }
    m_reading = true;
    const int generation = m_generation;
    const std::string name = m_file->currentText().toStdString();
    QPointer<RemoteLogDialog> self(this);
    m_controller.readLog(
        m_runId, name, m_offset, [self, generation, name](base::Result<std::string> bytes) {
            if (!self || generation != self->m_generation) {
                return; // closed, or another file chosen meanwhile
            }
            self->m_reading = false;
            if (!bytes) {
                self->m_status->setText(
                    bytes.error().code == base::ErrorCode::NotFound
                        ? tr("%1 is not there yet.").arg(QString::fromStdString(name))
                        : QString::fromStdString(bytes.error().describe()));
                return;
            }
            self->m_offset += bytes.value().size();
            self->m_status->setText(tr("%1 bytes, following").arg(self->m_offset));
            if (bytes.value().empty()) {
                return;
            }
            QScrollBar *bar = self->m_text->verticalScrollBar();
            const bool atEnd = bar->value() == bar->maximum();
            self->m_text->moveCursor(QTextCursor::End);
            self->m_text->insertPlainText(QString::fromUtf8(bytes.value()));
            if (atEnd) {
                bar->setValue(bar->maximum());
            }
            // A long log comes in pieces: ask for the next at once.
            if (bytes.value().size() >= (256u << 10)) {
                self->readMore();
            }
        });
}

} // namespace tl::app
