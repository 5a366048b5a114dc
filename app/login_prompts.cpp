#include "app/login_prompts.h"

#include <QApplication>
#include <QInputDialog>
#include <QLineEdit>
#include <QMessageBox>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>

namespace tl::app {
namespace {

QString qs(const std::string &text)
{
    return QString::fromStdString(text);
}

// One question's answer, handed from the UI thread to the waiting one.
template<typename T>
struct Answer
{
    std::mutex mutex;
    std::condition_variable ready;
    bool done = false;
    T value{};
};

// Shows ask() on the UI thread and waits for its answer, or for `abandoned`.
template<typename T>
T askOnUiThread(const std::shared_ptr<std::atomic_bool> &abandoned, std::function<T()> ask)
{
    auto answer = std::make_shared<Answer<T>>();
    QMetaObject::invokeMethod(
        qApp,
        [answer, ask = std::move(ask)] {
            T value = ask();
            std::lock_guard lock(answer->mutex);
            answer->value = std::move(value);
            answer->done = true;
            answer->ready.notify_all();
        },
        Qt::QueuedConnection);
    std::unique_lock lock(answer->mutex);
    while (!answer->done) {
        if (abandoned && abandoned->load()) {
            return T{};
        }
        answer->ready.wait_for(lock, std::chrono::milliseconds(100));
    }
    return std::move(answer->value);
}

} // namespace

remote::LoginPrompts dialogPrompts(QPointer<QWidget> parent,
                                   std::shared_ptr<std::atomic_bool> abandoned)
{
    remote::LoginPrompts prompts;
    prompts.trustUnknownHost = [parent, abandoned](const remote::HostKey &key) {
        return askOnUiThread<bool>(abandoned, [parent, key] {
            return QMessageBox::question(
                       parent, QObject::tr("Unknown host key"),
                       QObject::tr("%1 is not in your known_hosts.\n\nIts %2 key fingerprint "
                                   "is\n%3\n\nTrust this key and connect?")
                           .arg(qs(key.host), qs(key.type), qs(key.fingerprint)))
                   == QMessageBox::Yes;
        });
    };
    prompts.secret = [parent, abandoned](const std::string &prompt) {
        return askOnUiThread<std::optional<std::string>>(
            abandoned, [parent, prompt]() -> std::optional<std::string> {
                bool ok = false;
                QString text = QInputDialog::getText(parent, QObject::tr("Log in"), qs(prompt),
                                                     QLineEdit::Password, {}, &ok);
                if (!ok) {
                    return std::nullopt;
                }
                std::string secret = text.toStdString();
                text.fill(QLatin1Char(' ')); // the dialog's copy is gone with it
                return secret;
            });
    };
    return prompts;
}

} // namespace tl::app
