#pragma once
// Transaction: one write transaction on a Database (internal to store/). Lives on the stack of
// the call that writes.

#include "base/result.h"
#include "store/database.h"

namespace tl::store {

// BEGIN IMMEDIATE … COMMIT: takes the write lock up front, so a second writer waits on the busy
// timeout instead of failing mid-transaction. Rolls back unless commit() succeeded.
class Transaction
{
public:
    static base::Result<Transaction> begin(Database &db);

    Transaction(Transaction &&other) noexcept;
    Transaction &operator=(Transaction &&) = delete;
    Transaction(const Transaction &) = delete;
    ~Transaction();

    base::Status commit();

private:
    explicit Transaction(Database &db) : m_db(&db) {}

    Database *m_db = nullptr; // null once committed or moved from
};

} // namespace tl::store
