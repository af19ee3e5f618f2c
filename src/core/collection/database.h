#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QVariant>

#include <memory>
#include <span>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace lookalike {

class Statement;

// One SQLite connection, owned by one thread at a time (SQLite's rule; callers serialise).
// SQL is only ever run through bound parameters.
class Database final
{
public:
    enum class Mode { ReadWrite, ReadWriteCreate, ReadOnly };

    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    // WAL journal, foreign keys on, a busy timeout so a second writer waits instead of failing.
    static Result<std::unique_ptr<Database>> open(const QString &path, Mode mode, int busyTimeoutMs = 5000);

    Result<void> exec(const char *sql);
    Result<Statement> prepare(const char *sql);
    // The first column of the first row of a query without parameters, as an integer; 0 when
    // there is no row. For counts and pragmas.
    Result<qint64> scalar(const char *sql);
    qint64 lastInsertId() const;
    int changes() const;
    // A consistent copy of the whole database (WAL included) into a new file at `path`, with
    // SQLite's online backup: for keeping the original while something rewrites it.
    Result<void> backupTo(const QString &path);
    QString path() const { return m_path; }
    sqlite3 *handle() const { return m_db; }
    Error lastError(const QString &context) const;

private:
    Database(sqlite3 *db, QString path);
    sqlite3 *m_db = nullptr;
    QString m_path;
};

// A prepared statement. bind() indices start at 1, column() at 0.
class Statement final
{
public:
    Statement() = default;
    ~Statement();
    Statement(Statement &&other) noexcept;
    Statement &operator=(Statement &&other) noexcept;

    Statement &bind(int index, qint64 v);
    Statement &bind(int index, int v) { return bind(index, qint64(v)); }
    Statement &bind(int index, double v);
    Statement &bind(int index, const QString &v);
    Statement &bind(int index, QByteArrayView blob);
    Statement &bindFloats(int index, std::span<const float> v);
    Statement &bindNull(int index);
    // Whatever value() returned: integer, real, text, blob or null.
    Statement &bind(int index, const QVariant &v);

    // Steps once: true while a row is available, false when done. Errors come back as values.
    Result<bool> step();
    // Steps to completion of a statement that returns no rows.
    Result<void> run();
    // Calls fn(*this) for every row; stops at the first error.
    template <typename Fn>
    Result<void> forEachRow(Fn &&fn)
    {
        for (;;) {
            auto row = step();
            if (!row)
                return row.error();
            if (!*row)
                return {};
            fn(*this);
        }
    }
    // fn(*this) of every row, in order.
    template <typename T, typename Fn>
    Result<QList<T>> collect(Fn &&fn)
    {
        QList<T> out;
        if (auto r = forEachRow([&](const Statement &s) { out.push_back(fn(s)); }); !r)
            return r.error();
        return out;
    }
    void reset();

    qint64 int64(int col) const;
    double real(int col) const;
    QString text(int col) const;
    QByteArray blob(int col) const;
    // A BLOB column of float32 values. Copied out with memcpy: SQLite gives no alignment
    // guarantee for BLOB pointers. readFloats() fails when the size is not exactly `out`'s.
    std::vector<float> floats(int col) const;
    bool readFloats(int col, std::span<float> out) const;
    bool isNull(int col) const;
    // A column as its SQLite storage class: qint64, double, QString, QByteArray or a null
    // QVariant. For copying rows whose types are not known in advance.
    QVariant value(int col) const;
    int columnCount() const;

private:
    friend class Database;
    Statement(sqlite3_stmt *stmt, sqlite3 *db) : m_stmt(stmt), m_db(db) {}
    sqlite3_stmt *m_stmt = nullptr;
    sqlite3 *m_db = nullptr;
};

// A transaction, ended by commit() or else rolled back in the destructor.
// Write: BEGIN IMMEDIATE takes the write lock up front, so that a second writer waits (busy
// timeout) instead of deadlocking.
// Read: BEGIN; the statements inside see one snapshot of the database and take SQLite's file
// locks once instead of once per statement (a search's ten hit rows were ten lock/unlock
// rounds of fcntl() calls). Nothing to commit: the destructor's rollback ends it.
class Transaction final
{
public:
    enum class Kind { Write, Read };
    explicit Transaction(Database &db, Kind kind = Kind::Write) : m_db(db), m_kind(kind) {}
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;
    Result<void> begin();
    Result<void> commit();

private:
    Database &m_db;
    Kind m_kind;
    bool m_open = false;
};

} // namespace lookalike
