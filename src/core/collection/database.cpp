#include "database.h"

#include <QFile>

#include <sqlite3.h>

#include <cstring>
#include <utility>

namespace lookalike {

namespace {

Error sqliteError(sqlite3 *db, int rc, const QString &context)
{
    const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    const int primary = rc & 0xff;
    Error::Code code = Error::Code::Generic;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        code = Error::Code::Busy;
    else if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
        code = Error::Code::Corrupt;
    else if (primary == SQLITE_CANTOPEN || primary == SQLITE_IOERR || primary == SQLITE_READONLY
             || primary == SQLITE_FULL || primary == SQLITE_PERM)
        code = Error::Code::Io;
    QString text = QStringLiteral("%1: %2").arg(context, QString::fromUtf8(msg));
    if (code == Error::Code::Busy)
        text = QStringLiteral("%1: the collection is busy (another program is writing to it); try again when it has finished")
                   .arg(context);
    return Error(text, code);
}

} // namespace

Database::Database(sqlite3 *db, QString path) : m_db(db), m_path(std::move(path)) {}

Database::~Database()
{
    // Statements are finalised by their owners first; v2 defers the close until they are.
    sqlite3_close_v2(m_db);
}

Result<std::unique_ptr<Database>> Database::open(const QString &path, Mode mode, int busyTimeoutMs)
{
    int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    switch (mode) {
    case Mode::ReadOnly: flags |= SQLITE_OPEN_READONLY; break;
    case Mode::ReadWrite: flags |= SQLITE_OPEN_READWRITE; break;
    case Mode::ReadWriteCreate: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE; break;
    }
    sqlite3 *db = nullptr;
    const int rc = sqlite3_open_v2(path.toUtf8().constData(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
        Error e = sqliteError(db, rc, QStringLiteral("cannot open %1").arg(path));
        sqlite3_close_v2(db);
        return e;
    }
    std::unique_ptr<Database> d(new Database(db, path));
    sqlite3_busy_timeout(db, busyTimeoutMs);
    sqlite3_extended_result_codes(db, 1);
    // Defensive mode: SQL cannot corrupt the file on purpose (writable_schema and the like).
    // The schema stays trusted: its FTS5 triggers need that.
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
    if (mode != Mode::ReadOnly) {
        if (auto r = d->exec("PRAGMA journal_mode=WAL"); !r)
            return r.error();
    }
    // NORMAL is durable across application crashes in WAL mode (only an OS crash or power
    // loss can roll back the last commits, never corrupt the file).
    if (auto r = d->exec("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY"); !r)
        return r.error();
    return d;
}

Result<void> Database::exec(const char *sql)
{
    char *err = nullptr;
    const int rc = sqlite3_exec(m_db, sql, nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        Error e = sqliteError(m_db, rc, QString::fromUtf8(sql).left(60));
        sqlite3_free(err);
        return e;
    }
    return {};
}

Result<qint64> Database::scalar(const char *sql)
{
    auto q = prepare(sql);
    if (!q)
        return q.error();
    auto row = q->step();
    if (!row)
        return row.error();
    return *row ? q->int64(0) : 0;
}

Result<void> Database::backupTo(const QString &path)
{
    sqlite3 *copy = nullptr;
    int rc = sqlite3_open_v2(QFile::encodeName(path).constData(), &copy,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc == SQLITE_OK) {
        sqlite3_backup *b = sqlite3_backup_init(copy, "main", m_db, "main");
        if (!b) {
            rc = sqlite3_errcode(copy);
        } else {
            rc = sqlite3_backup_step(b, -1);
            sqlite3_backup_finish(b);
            rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
        }
    }
    Result<void> result;
    if (rc != SQLITE_OK)
        result = sqliteError(copy ? copy : m_db, rc, QStringLiteral("backup to %1").arg(path));
    sqlite3_close(copy);
    if (!result)
        QFile::remove(path);
    return result;
}

Result<Statement> Database::prepare(const char *sql)
{
    sqlite3_stmt *stmt = nullptr;
    const int rc = sqlite3_prepare_v3(m_db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK)
        return sqliteError(m_db, rc, QStringLiteral("prepare"));
    return Statement(stmt, m_db);
}

qint64 Database::lastInsertId() const
{
    return sqlite3_last_insert_rowid(m_db);
}

int Database::changes() const
{
    return sqlite3_changes(m_db);
}

Error Database::lastError(const QString &context) const
{
    return sqliteError(m_db, sqlite3_errcode(m_db), context);
}

Statement::~Statement()
{
    sqlite3_finalize(m_stmt);
}

Statement::Statement(Statement &&other) noexcept
    : m_stmt(std::exchange(other.m_stmt, nullptr)), m_db(other.m_db)
{
}

Statement &Statement::operator=(Statement &&other) noexcept
{
    if (this != &other) {
        sqlite3_finalize(m_stmt);
        m_stmt = std::exchange(other.m_stmt, nullptr);
        m_db = other.m_db;
    }
    return *this;
}

Statement &Statement::bind(int index, qint64 v)
{
    sqlite3_bind_int64(m_stmt, index, v);
    return *this;
}

Statement &Statement::bind(int index, double v)
{
    sqlite3_bind_double(m_stmt, index, v);
    return *this;
}

Statement &Statement::bind(int index, const QString &v)
{
    const QByteArray utf8 = v.toUtf8();
    sqlite3_bind_text(m_stmt, index, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
    return *this;
}

Statement &Statement::bind(int index, QByteArrayView blob)
{
    sqlite3_bind_blob(m_stmt, index, blob.data(), int(blob.size()), SQLITE_TRANSIENT);
    return *this;
}

Statement &Statement::bindFloats(int index, std::span<const float> v)
{
    sqlite3_bind_blob(m_stmt, index, v.data(), int(v.size_bytes()), SQLITE_TRANSIENT);
    return *this;
}

Statement &Statement::bindNull(int index)
{
    sqlite3_bind_null(m_stmt, index);
    return *this;
}

Statement &Statement::bind(int index, const QVariant &v)
{
    switch (v.typeId()) {
    case QMetaType::LongLong: return bind(index, v.toLongLong());
    case QMetaType::Double: return bind(index, v.toDouble());
    case QMetaType::QString: return bind(index, v.toString());
    case QMetaType::QByteArray: return bind(index, QByteArrayView(v.toByteArray()));
    default: return bindNull(index);
    }
}

Result<bool> Statement::step()
{
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    Error e = sqliteError(m_db, rc, QStringLiteral("query"));
    sqlite3_reset(m_stmt);
    return e;
}

Result<void> Statement::run()
{
    Result<bool> r = step();
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
    if (!r)
        return r.error();
    return {};
}

void Statement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

qint64 Statement::int64(int col) const
{
    return sqlite3_column_int64(m_stmt, col);
}

double Statement::real(int col) const
{
    return sqlite3_column_double(m_stmt, col);
}

QString Statement::text(int col) const
{
    const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, col));
    return p ? QString::fromUtf8(p, sqlite3_column_bytes(m_stmt, col)) : QString();
}

QByteArray Statement::blob(int col) const
{
    const void *p = sqlite3_column_blob(m_stmt, col);
    return p ? QByteArray(static_cast<const char *>(p), sqlite3_column_bytes(m_stmt, col)) : QByteArray();
}

std::vector<float> Statement::floats(int col) const
{
    const void *p = sqlite3_column_blob(m_stmt, col);
    const int bytes = sqlite3_column_bytes(m_stmt, col);
    if (!p || bytes % int(sizeof(float)) != 0)
        return {};
    std::vector<float> v(size_t(bytes) / sizeof(float));
    std::memcpy(v.data(), p, size_t(bytes));
    return v;
}

bool Statement::readFloats(int col, std::span<float> out) const
{
    const void *p = sqlite3_column_blob(m_stmt, col);
    const int bytes = sqlite3_column_bytes(m_stmt, col);
    if (!p || size_t(bytes) != out.size_bytes())
        return false;
    std::memcpy(out.data(), p, size_t(bytes));
    return true;
}

bool Statement::isNull(int col) const
{
    return sqlite3_column_type(m_stmt, col) == SQLITE_NULL;
}

QVariant Statement::value(int col) const
{
    switch (sqlite3_column_type(m_stmt, col)) {
    case SQLITE_INTEGER: return QVariant(qint64(sqlite3_column_int64(m_stmt, col)));
    case SQLITE_FLOAT: return QVariant(sqlite3_column_double(m_stmt, col));
    case SQLITE_TEXT: return QVariant(text(col));
    case SQLITE_BLOB: return QVariant(blob(col));
    default: return QVariant();
    }
}

int Statement::columnCount() const
{
    return sqlite3_column_count(m_stmt);
}

Transaction::~Transaction()
{
    if (m_open)
        (void)m_db.exec("ROLLBACK");
}

Result<void> Transaction::begin()
{
    if (auto r = m_db.exec(m_kind == Kind::Write ? "BEGIN IMMEDIATE" : "BEGIN"); !r)
        return r;
    m_open = true;
    return {};
}

Result<void> Transaction::commit()
{
    if (auto r = m_db.exec("COMMIT"); !r)
        return r;
    m_open = false;
    return {};
}

} // namespace lookalike
