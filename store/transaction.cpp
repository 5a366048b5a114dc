#include "store/transaction.h"

namespace tl::store {

base::Result<Transaction> Transaction::begin(Database &db)
{
    if (auto status = db.exec("BEGIN IMMEDIATE"); !status) {
        return status.error();
    }
    return Transaction(db);
}

Transaction::Transaction(Transaction &&other) noexcept : m_db(other.m_db)
{
    other.m_db = nullptr;
}

Transaction::~Transaction()
{
    // Nothing to report to: a failed rollback leaves SQLite to roll back on close.
    if (m_db) {
        static_cast<void>(m_db->exec("ROLLBACK"));
    }
}

base::Status Transaction::commit()
{
    // On failure (a busy reader in rare cases) the transaction stays open and the destructor
    // rolls it back.
    if (auto status = m_db->exec("COMMIT"); !status) {
        return status;
    }
    m_db = nullptr;
    return base::okStatus();
}

} // namespace tl::store
