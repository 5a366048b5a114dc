#pragma once
// Questions a login asks on a connecting thread (an unknown host key, a passphrase or a
// password), answered by dialogs on the UI thread while that thread waits. The waiting side
// gives up, answering "no", once `abandoned` is set, so an owner that is going away never waits
// on a dialog that will not be answered. Nothing typed is kept or logged.

#include "remote/ssh_session.h"

#include <QPointer>
#include <QWidget>

#include <atomic>
#include <memory>

namespace tl::app {

remote::LoginPrompts dialogPrompts(QPointer<QWidget> parent,
                                   std::shared_ptr<std::atomic_bool> abandoned = {});

} // namespace tl::app
