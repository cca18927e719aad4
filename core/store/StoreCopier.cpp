// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/StoreCopier.h"

#include "imaging/ImageFormat.h"
#include "store/AuditLog.h"
#include "store/ImageBlobRepository.h"
#include "store/PostgresServer.h"
#include "store/SchemaTables.h"
#include "store/Sql.h"
#include "store/Store.h"
#include "store/TeamSecurity.h"
#include "store/Transaction.h"

#include <QAtomicInt>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSet>
#include <QSqlError>
#include <QSqlField>
#include <QSqlIndex>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>

#include <algorithm>
#include <optional>
#include <unordered_map>

using namespace Qt::StringLiterals;

namespace dl {

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::StoreCopier", text);
}

namespace {

constexpr int RowsPerPage = 500;
/// Pages of tables with blobs (masks, thumbnails) are smaller, so that memory stays bounded.
constexpr int RowsPerBlobPage = 32;

QString quoted(const QString &identifier)
{
    return u'"' + identifier + u'"';
}

bool isPostgres(const QSqlDatabase &db)
{
    return SqlDialect::engineOf(db) == SqlDialect::Engine::Postgres;
}

/// A statement that takes no parameters and cannot be prepared (DDL on PostgreSQL).
bool execDirect(const QSqlDatabase &db, const QString &sql, QString *error)
{
    QSqlQuery query(db);
    if (!query.exec(sql)) {
        *error = query.lastError().text();
        return false;
    }
    return true;
}

/// Whether text keys must be ordered with COLLATE "C" to get SQLite's byte order: on a
/// PostgreSQL database whose own collation is another (a store made by DermLabel has "C").
bool needsByteOrder(const QSqlDatabase &db)
{
    if (!isPostgres(db))
        return false;
    QString error;
    const auto collation = Sql::scalar(db, u"SELECT datcollate FROM pg_database WHERE datname = current_database()"_s,
                                       {}, &error);
    const QString name = collation ? collation->toString() : QString();
    return name != u"C"_s && name != u"POSIX"_s;
}

/// A table as the copy sees it: its columns (by name, sorted: the canonical order) and its
/// primary key.
struct TableShape
{
    QString table;
    QStringList columns;
    QList<int> key;          ///< indexes into columns
    QList<bool> keyIsText;   ///< per key column
    bool hasBlobs = false;
    int passwordColumn = -1; ///< users.password_hash
    int nameColumn = -1;     ///< users.name
    int settingKeyColumn = -1;
};

std::optional<TableShape> shapeOf(const QSqlDatabase &db, const QString &table, QString *error)
{
    const QSqlRecord record = db.record(table);
    if (record.isEmpty()) {
        *error = tr("The table %1 is missing from the store %2.").arg(table, db.databaseName());
        return std::nullopt;
    }
    TableShape shape;
    shape.table = table;
    QHash<QString, QMetaType> types;
    for (int i = 0; i < record.count(); ++i) {
        shape.columns.append(record.fieldName(i));
        types.insert(record.fieldName(i), record.field(i).metaType());
    }
    shape.columns.sort();
    for (const QString &column : std::as_const(shape.columns))
        shape.hasBlobs = shape.hasBlobs || types.value(column).id() == QMetaType::QByteArray;
    const QSqlIndex primary = db.primaryIndex(table);
    for (int i = 0; i < primary.count(); ++i) {
        const QString column = primary.fieldName(i);
        shape.key.append(int(shape.columns.indexOf(column)));
        shape.keyIsText.append(types.value(column).id() == QMetaType::QString);
    }
    if (shape.key.isEmpty() || shape.key.contains(-1)) {
        *error = tr("The table %1 has no primary key to copy it by.").arg(table);
        return std::nullopt;
    }
    if (table == u"users"_s) {
        shape.passwordColumn = int(shape.columns.indexOf(u"password_hash"_s));
        shape.nameColumn = int(shape.columns.indexOf(u"name"_s));
    }
    if (table == u"settings"_s)
        shape.settingKeyColumn = int(shape.columns.indexOf(u"key"_s));
    return shape;
}

using Row = QVariantList;

/// Reads a table page by page in primary-key order (keyset paging: each page starts after the
/// last key of the one before), text keys in byte order on both engines.
bool forEachPage(const QSqlDatabase &db, const TableShape &shape, const std::atomic_bool *cancel, QString *error,
                 const std::function<bool(const QList<Row> &)> &page)
{
    const bool byteOrder = needsByteOrder(db);
    QStringList keyExpressions;
    for (qsizetype i = 0; i < shape.key.size(); ++i) {
        QString expression = quoted(shape.columns.at(shape.key.at(i)));
        if (byteOrder && shape.keyIsText.at(i))
            expression += u" COLLATE \"C\""_s;
        keyExpressions.append(expression);
    }
    QStringList columns;
    for (const QString &column : shape.columns)
        columns.append(quoted(column));
    const int limit = shape.hasBlobs ? RowsPerBlobPage : RowsPerPage;
    const QString select = u"SELECT %1 FROM %2"_s.arg(columns.join(u", "_s), quoted(shape.table));
    const QString order = u" ORDER BY %1 LIMIT %2"_s.arg(keyExpressions.join(u", "_s)).arg(limit);
    QString after;
    if (keyExpressions.size() == 1) {
        after = u" WHERE %1 > ?"_s.arg(keyExpressions.first());
    } else {
        QStringList marks(keyExpressions.size(), u"?"_s);
        after = u" WHERE (%1) > (%2)"_s.arg(keyExpressions.join(u", "_s), marks.join(u", "_s));
    }

    QVariantList lastKey;
    for (;;) {
        if (cancel && cancel->load())
            return true;
        QSqlQuery query(db);
        query.setForwardOnly(true);
        if (!Sql::exec(query, lastKey.isEmpty() ? select + order : select + after + order, lastKey, error))
            return false;
        QList<Row> rows;
        while (query.next()) {
            Row row;
            row.reserve(shape.columns.size());
            for (qsizetype i = 0; i < shape.columns.size(); ++i)
                row.append(query.value(int(i)));
            rows.append(std::move(row));
        }
        if (query.lastError().isValid()) {
            *error = query.lastError().text();
            return false;
        }
        query.finish();
        if (rows.isEmpty())
            return true;
        lastKey.clear();
        for (int index : shape.key)
            lastKey.append(rows.last().at(index));
        if (!page(rows))
            return false;
        if (rows.size() < limit)
            return true;
    }
}

/// The canonical, engine-independent serialisation of a table's rows, hashed.
class TableHasher
{
public:
    explicit TableHasher(const TableShape &shape)
        : m_shape(shape)
    {
        QStringList hashed;
        for (qsizetype i = 0; i < shape.columns.size(); ++i) {
            if (i != shape.passwordColumn)
                hashed.append(shape.columns.at(i));
        }
        m_hash.addData(QByteArrayView((shape.table + u'\n' + hashed.join(u',') + u'\n').toUtf8()));
    }

    /// Whether a row is part of the store's content (local settings are not).
    bool counts(const Row &row) const
    {
        return m_shape.settingKeyColumn < 0 || !StoreCopier::settingIsLocal(row.at(m_shape.settingKeyColumn).toString());
    }

    void add(const Row &row)
    {
        for (qsizetype i = 0; i < row.size(); ++i) {
            if (i == m_shape.passwordColumn)
                continue;
            addValue(row.at(i));
        }
        m_hash.addData("\n");
        ++m_rows;
    }

    qint64 rows() const { return m_rows; }
    QString result() const { return QString::fromLatin1(m_hash.result().toHex()); }

private:
    void addValue(const QVariant &value)
    {
        if (value.isNull()) {
            m_hash.addData("n;");
            return;
        }
        QByteArray bytes;
        char tag = 's';
        switch (value.typeId()) {
        case QMetaType::Bool:
        case QMetaType::Short:
        case QMetaType::UShort:
        case QMetaType::Int:
        case QMetaType::UInt:
        case QMetaType::Long:
        case QMetaType::LongLong:
            tag = 'i';
            bytes = QByteArray::number(value.toLongLong());
            break;
        case QMetaType::ULong:
        case QMetaType::ULongLong:
            tag = 'i';
            bytes = QByteArray::number(value.toULongLong());
            break;
        case QMetaType::Float:
        case QMetaType::Double:
            tag = 'r';
            bytes = QByteArray::number(value.toDouble(), 'g', 17);
            break;
        case QMetaType::QByteArray:
            tag = 'b';
            bytes = value.toByteArray();
            break;
        default:
            bytes = value.toString().toUtf8();
            break;
        }
        const QByteArray head = QByteArray(1, tag) + QByteArray::number(bytes.size()) + ':';
        m_hash.addData(head);
        m_hash.addData(bytes);
    }

    const TableShape &m_shape;
    QCryptographicHash m_hash {QCryptographicHash::Sha256};
    qint64 m_rows = 0;
};

/// Multi-row INSERT ... ON CONFLICT DO NOTHING, one prepared statement per batch size.
class RowWriter
{
public:
    RowWriter(QSqlDatabase db, const TableShape &shape)
        : m_db(std::move(db))
        , m_shape(shape)
    {
    }

    /// Returns the rows written (those already there are skipped), -1 on error.
    qint64 write(const QList<Row> &rows, QString *error)
    {
        if (rows.isEmpty())
            return 0;
        QString prepareError;
        QSqlQuery &query = statement(rows.size(), &prepareError);
        if (!prepareError.isEmpty()) {
            *error = prepareError;
            return -1;
        }
        for (const Row &row : rows) {
            for (const QVariant &value : row)
                query.addBindValue(value);
        }
        if (!query.exec()) {
            *error = tr("Cannot copy rows of %1: %2").arg(m_shape.table, query.lastError().text());
            return -1;
        }
        const int affected = query.numRowsAffected();
        query.finish();
        return affected < 0 ? 0 : affected;
    }

private:
    QSqlQuery &statement(qsizetype rows, QString *error)
    {
        auto found = m_statements.find(rows);
        if (found != m_statements.end())
            return *found->second;
        QStringList columns;
        for (const QString &column : m_shape.columns)
            columns.append(quoted(column));
        const QString one = u"("_s + QStringList(m_shape.columns.size(), u"?"_s).join(u", "_s) + u")"_s;
        const QString sql = u"INSERT INTO %1 (%2) VALUES %3 ON CONFLICT DO NOTHING"_s.arg(
            quoted(m_shape.table), columns.join(u", "_s), QStringList(rows, one).join(u", "_s));
        auto query = std::make_unique<QSqlQuery>(m_db);
        if (!query->prepare(sql))
            *error = tr("Cannot copy rows of %1: %2").arg(m_shape.table, query->lastError().text());
        return *m_statements.emplace(rows, std::move(query)).first->second;
    }

    QSqlDatabase m_db;
    const TableShape &m_shape;
    std::unordered_map<qsizetype, std::unique_ptr<QSqlQuery>> m_statements;
};

/// A read snapshot of the source for the whole copy: a read transaction (SQLite reads the WAL
/// snapshot of its first read; PostgreSQL a repeatable-read, read-only transaction).
class ReadSnapshot
{
public:
    explicit ReadSnapshot(QSqlDatabase db)
        : m_db(std::move(db))
    {
        QSqlQuery query(m_db);
        m_active = query.exec(isPostgres(m_db) ? u"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"_s : u"BEGIN"_s);
        if (!m_active)
            m_error = query.lastError().text();
    }
    ~ReadSnapshot()
    {
        if (m_active)
            QSqlQuery(m_db).exec(u"ROLLBACK"_s);
    }
    ReadSnapshot(const ReadSnapshot &) = delete;
    ReadSnapshot &operator=(const ReadSnapshot &) = delete;

    bool isActive() const { return m_active; }
    QString error() const { return m_error; }

private:
    QSqlDatabase m_db;
    bool m_active = false;
    QString m_error;
};

QString connectionName()
{
    static QAtomicInt counter;
    return u"dermlabel-copier-%1"_s.arg(counter.fetchAndAddRelaxed(1));
}

/// Where a store keeps an image's bytes: a store file in its image folder, a team store in the
/// server (ImageBlobRepository, which checks the SHA-256 of what it stores and hands out).
class ImageSide
{
public:
    explicit ImageSide(Store &store)
        : m_store(store)
        , m_inServer(store.location().isPostgres())
        , m_blobs(store)
    {
    }

    bool has(const QString &sha256, const QString &extension, QString *error) const
    {
        if (m_inServer)
            return m_blobs.contains(sha256, error);
        return QFileInfo::exists(m_store.imageFilePath(sha256, extension));
    }

    /// Copies an image from another store's side; its content hash is checked on the way.
    bool copyFrom(ImageSide &source, const QString &sha256, const QString &extension, const QString &scratch,
                  QString *error)
    {
        const QString to = m_store.imageFilePath(sha256, extension);
        if (source.m_inServer && m_inServer) {
            // Server to server: through a scratch file.
            const QString file = QDir(scratch).filePath(sha256);
            const bool copied = source.m_blobs.fetch(sha256, file, error) && m_blobs.put(sha256, file, error);
            QFile::remove(file);
            return copied;
        }
        if (source.m_inServer)
            return source.m_blobs.fetch(sha256, to, error);
        const QString from = source.m_store.imageFilePath(sha256, extension);
        if (m_inServer)
            return m_blobs.put(sha256, from, error);
        return copyFile(from, to, sha256, error);
    }

private:
    static bool copyFile(const QString &from, const QString &to, const QString &sha256, QString *error)
    {
        if (!QDir().mkpath(QFileInfo(to).absolutePath())) {
            *error = tr("Cannot create the folder %1.").arg(QDir::toNativeSeparators(QFileInfo(to).absolutePath()));
            return false;
        }
        QFile in(from);
        if (!in.open(QIODevice::ReadOnly)) {
            *error = tr("Cannot read %1: %2").arg(QDir::toNativeSeparators(from), in.errorString());
            return false;
        }
        QSaveFile out(to);
        if (!out.open(QIODevice::WriteOnly)) {
            *error = tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(to), out.errorString());
            return false;
        }
        QCryptographicHash hash(QCryptographicHash::Sha256);
        QByteArray buffer;
        while (!in.atEnd()) {
            buffer = in.read(1 << 20);
            if (buffer.isEmpty() && in.error() != QFile::NoError) {
                *error = tr("Cannot read %1: %2").arg(QDir::toNativeSeparators(from), in.errorString());
                return false;
            }
            hash.addData(buffer);
            if (out.write(buffer) != buffer.size()) {
                *error = tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(to), out.errorString());
                return false;
            }
        }
        if (QString::fromLatin1(hash.result().toHex()) != sha256) {
            out.cancelWriting();
            *error = tr("The image file %1 does not match its checksum; it was not copied (run dermlabel-cli check "
                        "--verify-hashes on the source).")
                         .arg(QDir::toNativeSeparators(from));
            return false;
        }
        if (!out.commit()) {
            *error = tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(to), out.errorString());
            return false;
        }
        return true;
    }

    Store &m_store;
    bool m_inServer;
    ImageBlobRepository m_blobs;
};

struct StoreImage
{
    QString sha256;
    QString extension;
};

std::optional<QList<StoreImage>> storeImages(const Store &store, QString *error)
{
    QList<StoreImage> images;
    if (!Sql::forEachRow(store.db(), u"SELECT sha256, format FROM images ORDER BY sha256"_s, {}, error,
                         [&](const QSqlQuery &query) {
                             images.append({query.value(0).toString(),
                                            formatExtension(formatFromName(query.value(1).toString()))});
                         }))
        return std::nullopt;
    std::sort(images.begin(), images.end(),
              [](const StoreImage &a, const StoreImage &b) { return a.sha256 < b.sha256; });
    return images;
}

/// Count and SHA-256 over the sorted hashes of a store's images that have their file.
bool summariseImages(const QList<StoreImage> &images, const ImageSide &side, qint64 *count, QString *sha256,
                     QStringList *missing, QString *error)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    *count = 0;
    for (const StoreImage &image : images) {
        QString hasError;
        const bool has = side.has(image.sha256, image.extension, &hasError);
        if (!hasError.isEmpty()) {
            *error = hasError;
            return false;
        }
        if (!has) {
            if (missing)
                missing->append(image.sha256);
            continue;
        }
        hash.addData(QByteArrayView(image.sha256.toLatin1()));
        hash.addData("\n");
        ++*count;
    }
    *sha256 = QString::fromLatin1(hash.result().toHex());
    return true;
}

/// What a target holds before the copy.
struct TargetState
{
    bool empty = true;
    QString secret;
    QStringList nonEmpty; ///< "table (rows)"
};

std::optional<TargetState> inspectTarget(const Store &target, QString *error)
{
    TargetState state;
    const QSqlDatabase db = target.db();
    for (const QString &table : SchemaTables::inDependencyOrder()) {
        qint64 rows = 0;
        if (table == u"settings"_s) {
            if (!Sql::forEachRow(db, u"SELECT key, value FROM settings"_s, {}, error, [&](const QSqlQuery &query) {
                    const QString key = query.value(0).toString();
                    if (key == u"secret"_s)
                        state.secret = query.value(1).toString();
                    else if (!StoreCopier::settingIsLocal(key))
                        ++rows;
                }))
                return std::nullopt;
        } else {
            const auto count = Sql::scalar(db, u"SELECT COUNT(*) FROM %1"_s.arg(quoted(table)), {}, error);
            if (!count)
                return std::nullopt;
            rows = count->toLongLong();
        }
        if (rows > 0) {
            state.empty = false;
            state.nonEmpty.append(u"%1 (%2)"_s.arg(table).arg(rows));
        }
    }
    return state;
}

} // namespace

bool CopyReport::identical() const
{
    if (tables.isEmpty())
        return false;
    for (const TableComparison &table : tables) {
        if (!table.matches())
            return false;
    }
    return images.matches() && sourceAuditHead == targetAuditHead;
}

QJsonObject CopyReport::toJson() const
{
    static const char *const outcomes[] = {"failed", "cancelled", "copied", "completed", "identical"};
    QJsonArray tableArray;
    for (const TableComparison &t : tables) {
        tableArray.append(QJsonObject {{u"table"_s, t.table},
                                       {u"source_rows"_s, t.sourceRows},
                                       {u"target_rows"_s, t.targetRows},
                                       {u"source_sha256"_s, t.sourceSha256},
                                       {u"target_sha256"_s, t.targetSha256},
                                       {u"copied"_s, t.copied},
                                       {u"match"_s, t.matches()}});
    }
    QJsonObject o {{u"ok"_s, ok() && identical()},
                   {u"outcome"_s, QString::fromLatin1(outcomes[int(outcome)])},
                   {u"identical"_s, identical()},
                   {u"tables"_s, tableArray},
                   {u"images"_s, QJsonObject {{u"source_files"_s, images.sourceFiles},
                                              {u"target_files"_s, images.targetFiles},
                                              {u"source_sha256"_s, images.sourceSha256},
                                              {u"target_sha256"_s, images.targetSha256},
                                              {u"copied"_s, images.copied},
                                              {u"missing_in_source"_s, QJsonArray::fromStringList(images.missingInSource)},
                                              {u"match"_s, images.matches()}}},
                   {u"audit_head"_s, QJsonObject {{u"source"_s, sourceAuditHead.toJson()},
                                                  {u"target"_s, targetAuditHead.toJson()},
                                                  {u"match"_s, sourceAuditHead == targetAuditHead}}},
                   {u"users_without_password"_s, QJsonArray::fromStringList(usersWithoutPassword)},
                   {u"users_with_existing_role"_s, QJsonArray::fromStringList(usersWithExistingRole)}};
    if (!error.isEmpty())
        o.insert(u"error"_s, error);
    return o;
}

StoreCopier::StoreCopier(Store &source, Store &target)
    : m_source(source)
    , m_target(target)
{
}

bool StoreCopier::settingIsLocal(const QString &key)
{
    return key == TeamSecurity::settingKey() || key == AuditLog::headSettingKey();
}

QList<TableComparison> StoreCopier::checksums(const Store &store, QString *error)
{
    QList<TableComparison> result;
    const QSqlDatabase db = store.db();
    for (const QString &table : SchemaTables::inDependencyOrder()) {
        const auto shape = shapeOf(db, table, error);
        if (!shape)
            return {};
        TableHasher hasher(*shape);
        if (!forEachPage(db, *shape, nullptr, error, [&](const QList<Row> &rows) {
                for (const Row &row : rows) {
                    if (hasher.counts(row))
                        hasher.add(row);
                }
                return true;
            }))
            return {};
        TableComparison t;
        t.table = table;
        t.sourceRows = t.targetRows = hasher.rows();
        t.sourceSha256 = t.targetSha256 = hasher.result();
        result.append(t);
    }
    return result;
}

int StoreCopier::peekSchemaVersion(const StoreLocation &location, QString *error)
{
    const QString name = connectionName();
    int version = -1;
    {
        QSqlDatabase db;
        if (location.isPostgres()) {
            PostgresServer::Failure failure = PostgresServer::Failure::None;
            db = PostgresServer::connect(location, name, &failure, error);
            if (failure == PostgresServer::Failure::DatabaseMissing) {
                error->clear();
                version = 0;
            } else if (failure != PostgresServer::Failure::None) {
                version = -1;
                db = QSqlDatabase();
            }
        } else {
            const QFileInfo info(location.filePath());
            if (!info.exists() || (info.isFile() && info.size() == 0)) {
                version = 0;
            } else {
                db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
                db.setDatabaseName(location.filePath());
                db.setConnectOptions(u"QSQLITE_OPEN_READONLY"_s);
                if (!db.open()) {
                    *error = tr("Cannot read %1: %2").arg(location.displayName(), db.lastError().text());
                    db = QSqlDatabase();
                }
            }
        }
        if (db.isOpen()) {
            const QStringList tables = db.tables();
            if (tables.contains(u"schema_version"_s)) {
                const auto max = Sql::scalar(db, u"SELECT MAX(version) FROM schema_version"_s, {}, error);
                if (max)
                    version = max->isNull() ? 0 : max->toInt();
            } else if (tables.isEmpty()) {
                version = 0;
            } else {
                *error = tr("%1 is not a DermLabel store (it holds other tables).").arg(location.displayName());
            }
            db.close();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return version;
}

std::unique_ptr<Store> StoreCopier::openTarget(const StoreLocation &location, int sourceVersion, QString *error)
{
    const int existing = peekSchemaVersion(location, error);
    if (existing < 0)
        return nullptr;
    if (existing != 0 && existing != sourceVersion) {
        *error = tr("The target %1 holds a store with schema version %2, the source has schema version %3. A copy "
                    "needs both at the same version: bring the older one up to date with this program first "
                    "(dermlabel-cli init --store ... for a team store, any command for a store file), or choose "
                    "another target.")
                     .arg(location.displayName())
                     .arg(existing)
                     .arg(sourceVersion);
        return nullptr;
    }
    auto store = Store::open(location, Store::OpenMode::CreateIfMissing, error);
    if (!store)
        return nullptr;
    if (!store->lockForWriting(error))
        return nullptr;
    if (location.isPostgres()) {
        const QSqlDatabase db = store->db();
        QString ignored;
        if (!TeamSecurity::canInstall(db, &ignored)) {
            *error = tr("The target %1 must be opened as the store's owner: a superuser, or a role with CREATEROLE "
                        "that owns the database (the role that runs 'dermlabel-cli init'), because the copy "
                        "creates the users' login roles.")
                         .arg(location.displayName());
            return nullptr;
        }
        if (!TeamSecurity::isCurrent(db, &ignored) && !TeamSecurity::install(db, error))
            return nullptr;
    }
    if (store->schemaVersion() != sourceVersion) {
        *error = tr("The target %1 has schema version %2, the source %3.")
                     .arg(location.displayName())
                     .arg(store->schemaVersion())
                     .arg(sourceVersion);
        return nullptr;
    }
    return store;
}

CopyReport StoreCopier::run(const Progress &progress, const std::atomic_bool *cancel)
{
    CopyReport report;
    auto fail = [&report](const QString &message) {
        report.outcome = CopyReport::Outcome::Failed;
        report.error = message;
        return report;
    };
    auto cancelled = [&] { return cancel && cancel->load(); };
    auto notify = [&](CopyProgress::Phase phase, const QString &table, qint64 done, qint64 total) {
        if (progress)
            progress({phase, table, done, total});
    };
    QString error;
    const QSqlDatabase sourceDb = m_source.db();
    const QSqlDatabase targetDb = m_target.db();
    const bool toServer = isPostgres(targetDb);

    if (m_source.schemaVersion() != m_target.schemaVersion())
        return fail(tr("The source has schema version %1, the target %2: a copy needs the same version.")
                        .arg(m_source.schemaVersion())
                        .arg(m_target.schemaVersion()));

    // Which store is the target? Empty, the same store, or another one (refused before anything
    // is written, the image files included).
    const QString secret = m_source.setting(u"secret"_s);
    if (secret.isEmpty())
        return fail(tr("Cannot read the source store's secret, which keeps its pseudonyms: open it as the store's "
                       "owner or an administrator."));
    const auto state = inspectTarget(m_target, &error);
    if (!state)
        return fail(error);
    if (!state->empty && state->secret != secret)
        return fail(tr("The target %1 holds another store (%2). A migration copies a store into a new or empty one, "
                       "or completes an earlier copy of the same store; it never merges two stores. Choose another "
                       "target, or remove that store first.")
                        .arg(m_target.displayName(), state->nonEmpty.mid(0, 4).join(u", "_s)));

    // Users must be valid login role names before a team store can take them.
    if (toServer) {
        QStringList invalid;
        static const QRegularExpression roleName(u"^[a-z][a-z0-9._-]{0,62}$"_s);
        if (!Sql::forEachRow(sourceDb, u"SELECT name FROM users ORDER BY name"_s, {}, &error,
                             [&](const QSqlQuery &query) {
                                 if (!roleName.match(query.value(0).toString()).hasMatch())
                                     invalid.append(query.value(0).toString());
                             }))
            return fail(error);
        if (!invalid.isEmpty())
            return fail(tr("These user names cannot become server login roles (a team store needs lower-case "
                           "letters, digits, '.', '_' or '-', starting with a letter): %1. Rename or remove them "
                           "in the source first.")
                            .arg(invalid.join(u", "_s)));
    }

    // 1. The image files, content-addressed: a file whose row does not follow is harmless.
    const auto sourceImages = storeImages(m_source, &error);
    if (!sourceImages)
        return fail(error);
    ImageSide sourceSide(m_source);
    ImageSide targetSide(m_target);
    {
        QTemporaryDir scratch;
        qint64 done = 0;
        const qint64 total = sourceImages->size();
        notify(CopyProgress::Phase::Images, {}, 0, total);
        for (const StoreImage &image : *sourceImages) {
            if (cancelled()) {
                report.outcome = CopyReport::Outcome::Cancelled;
                return report;
            }
            QString checkError;
            const bool needed = !targetSide.has(image.sha256, image.extension, &checkError) && checkError.isEmpty()
                && sourceSide.has(image.sha256, image.extension, &checkError);
            if (!checkError.isEmpty())
                return fail(checkError);
            if (needed) {
                if (!targetSide.copyFrom(sourceSide, image.sha256, image.extension, scratch.path(), &error))
                    return fail(error);
                ++report.images.copied;
            }
            notify(CopyProgress::Phase::Images, {}, ++done, total);
        }
    }

    // 2. The tables, in one transaction on the target, read from one snapshot of the source.
    ReadSnapshot snapshot(sourceDb);
    if (!snapshot.isActive())
        return fail(tr("Cannot read the source store: %1").arg(snapshot.error()));
    Transaction tx(targetDb);
    if (!tx.isActive())
        return fail(tr("Cannot write to the target store: %1").arg(tx.error()));
    const QStringList tables = SchemaTables::inDependencyOrder();
    if (toServer) {
        // The consensus_stale rows come from the source: the triggers that mark images stale
        // stay off while rows are copied (rolled back with the transaction).
        for (const QString &table : tables) {
            if (!execDirect(targetDb, u"ALTER TABLE %1 DISABLE TRIGGER USER"_s.arg(quoted(table)), &error))
                return fail(tr("Cannot prepare the target: %1").arg(error));
        }
    }
    if (state->empty && !Sql::exec(targetDb, u"DELETE FROM settings WHERE key = 'secret'"_s, {}, &error))
        return fail(error);

    qint64 copiedRows = 0;
    for (const QString &table : tables) {
        const auto shape = shapeOf(sourceDb, table, &error);
        if (!shape)
            return fail(error);
        const auto targetShape = shapeOf(targetDb, table, &error);
        if (!targetShape)
            return fail(error);
        if (targetShape->columns != shape->columns)
            return fail(tr("The table %1 has other columns in the target than in the source.").arg(table));
        const auto total = Sql::scalar(sourceDb, u"SELECT COUNT(*) FROM %1"_s.arg(quoted(table)), {}, &error);
        if (!total)
            return fail(error);
        TableHasher hasher(*shape);
        RowWriter writer(targetDb, *shape);
        TableComparison comparison;
        comparison.table = table;
        qint64 read = 0;
        notify(CopyProgress::Phase::Tables, table, 0, total->toLongLong());
        const bool copied = forEachPage(sourceDb, *shape, cancel, &error, [&](const QList<Row> &page) {
            QList<Row> rows;
            rows.reserve(page.size());
            for (const Row &row : page) {
                ++read;
                if (!hasher.counts(row))
                    continue;
                hasher.add(row);
                Row copy = row;
                if (shape->passwordColumn >= 0) {
                    const QString hash = row.at(shape->passwordColumn).toString();
                    // A team store keeps passwords in the server: its rows hold no hash.
                    if (toServer)
                        copy[shape->passwordColumn] = u"server"_s;
                    else if (hash == u"server"_s)
                        report.usersWithoutPassword.append(row.at(shape->nameColumn).toString());
                }
                rows.append(std::move(copy));
            }
            const qint64 written = writer.write(rows, &error);
            if (written < 0)
                return false;
            comparison.copied += written;
            notify(CopyProgress::Phase::Tables, table, read, total->toLongLong());
            return true;
        });
        if (!copied)
            return fail(error);
        if (cancelled()) {
            report.outcome = CopyReport::Outcome::Cancelled;
            return report; // the transaction rolls back
        }
        comparison.sourceRows = hasher.rows();
        comparison.sourceSha256 = hasher.result();
        copiedRows += comparison.copied;
        report.tables.append(comparison);

        if (toServer && table == u"users"_s) {
            // Each user a login role of the same name, in their group of this store.
            QStringList names;
            if (!Sql::forEachRow(targetDb, u"SELECT name FROM users ORDER BY name"_s, {}, &error,
                                 [&](const QSqlQuery &query) { names.append(query.value(0).toString()); }))
                return fail(error);
            for (const QString &name : std::as_const(names)) {
                const auto created = Sql::scalar(targetDb, u"SELECT dl_adopt_user(?)"_s, {name}, &error);
                if (!created)
                    return fail(tr("Cannot give the user %1 a login role: %2").arg(name, error));
                (created->toBool() ? report.usersWithoutPassword : report.usersWithExistingRole).append(name);
            }
        }
    }

    if (toServer) {
        for (const QString &table : tables) {
            // Identity columns continue after the copied ids (sequences are not rolled back:
            // a cancelled copy leaves at most a gap).
            if (!targetDb.record(table).contains(u"id"_s))
                continue;
            if (!Sql::exec(targetDb,
                           u"SELECT setval(CAST(pg_get_serial_sequence(?, 'id') AS regclass), "
                           "COALESCE((SELECT MAX(id) FROM %1), 0) + 1, false) "
                           "WHERE pg_get_serial_sequence(?, 'id') IS NOT NULL"_s.arg(quoted(table)),
                           {table, table}, &error))
                return fail(tr("Cannot advance the ids of %1: %2").arg(table, error));
        }
        for (const QString &table : tables) {
            if (!execDirect(targetDb, u"ALTER TABLE %1 ENABLE TRIGGER USER"_s.arg(quoted(table)), &error))
                return fail(error);
        }
    }

    // The audit chain's recorded head follows its log (the rows were copied verbatim).
    bool headWritten = false;
    {
        error.clear();
        const auto sourceHead = AuditLog::recordedHead(sourceDb, &error);
        if (!error.isEmpty())
            return fail(error);
        const auto targetHead = AuditLog::recordedHead(targetDb, &error);
        if (!error.isEmpty())
            return fail(error);
        if (sourceHead && sourceHead != targetHead) {
            if (!AuditLog::writeRecordedHead(targetDb, *sourceHead, &error))
                return fail(error);
            headWritten = true;
        }
    }

    // 3. Verification inside the transaction: the target's rows as the source's.
    bool same = true;
    for (TableComparison &comparison : report.tables) {
        const auto shape = shapeOf(targetDb, comparison.table, &error);
        if (!shape)
            return fail(error);
        TableHasher hasher(*shape);
        notify(CopyProgress::Phase::Verifying, comparison.table, 0, comparison.sourceRows);
        if (!forEachPage(targetDb, *shape, cancel, &error, [&](const QList<Row> &rows) {
                for (const Row &row : rows) {
                    if (hasher.counts(row))
                        hasher.add(row);
                }
                notify(CopyProgress::Phase::Verifying, comparison.table, hasher.rows(), comparison.sourceRows);
                return true;
            }))
            return fail(error);
        if (cancelled()) {
            report.outcome = CopyReport::Outcome::Cancelled;
            return report;
        }
        comparison.targetRows = hasher.rows();
        comparison.targetSha256 = hasher.result();
        same = same && comparison.matches();
    }

    // The two chains end in the same entry, and their recorded heads agree.
    {
        const auto sourceHead = AuditLog::head(sourceDb, &error);
        const auto targetHead = sourceHead ? AuditLog::head(targetDb, &error) : std::nullopt;
        if (!targetHead)
            return fail(error);
        report.sourceAuditHead = *sourceHead;
        report.targetAuditHead = *targetHead;
        error.clear();
        const auto sourceRecorded = AuditLog::recordedHead(sourceDb, &error);
        const auto targetRecorded = AuditLog::recordedHead(targetDb, &error);
        if (!error.isEmpty())
            return fail(error);
        if (!(*sourceHead == *targetHead) || sourceRecorded != targetRecorded)
            same = false;
    }

    const auto targetImages = storeImages(m_target, &error);
    if (!targetImages)
        return fail(error);
    if (!summariseImages(*sourceImages, sourceSide, &report.images.sourceFiles, &report.images.sourceSha256,
                         &report.images.missingInSource, &error)
        || !summariseImages(*targetImages, targetSide, &report.images.targetFiles, &report.images.targetSha256,
                            nullptr, &error))
        return fail(error);
    // The target's image rows are the source's once the tables match.
    if (!same) {
        QStringList differing;
        for (const TableComparison &comparison : std::as_const(report.tables)) {
            if (!comparison.matches())
                differing.append(comparison.table);
        }
        if (differing.isEmpty())
            differing.append(tr("the audit log's head"));
        tx.rollback();
        report.outcome = CopyReport::Outcome::Failed;
        report.error = state->empty
            ? tr("The copy does not match the source in %1; nothing was written.").arg(differing.join(u", "_s))
            : tr("The target is an earlier copy of this store, and rows of %1 have changed since: they differ from "
                 "the source, and a migration never overwrites rows. Nothing was written; remove the target and "
                 "migrate again for a fresh copy.")
                  .arg(differing.join(u", "_s));
        return report;
    }
    if (copiedRows == 0 && !headWritten) {
        tx.rollback(); // nothing to keep: the target already was this copy
        report.outcome = CopyReport::Outcome::Identical;
    } else {
        if (!tx.commit())
            return fail(tr("Cannot save the copy: %1").arg(tx.error()));
        report.outcome = state->empty ? CopyReport::Outcome::Copied : CopyReport::Outcome::Completed;
    }
    if (report.images.copied > 0 && report.outcome == CopyReport::Outcome::Identical)
        report.outcome = CopyReport::Outcome::Completed;
    return report;
}

} // namespace dl
