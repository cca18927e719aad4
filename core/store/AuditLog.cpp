// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/AuditLog.h"

#include "store/Sql.h"
#include "store/SqlDialect.h"
#include "store/Store.h"
#include "store/Transaction.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>

#include <new>
#include <stdexcept>

using namespace Qt::StringLiterals;

namespace dl {

static QString tr(const char *text)
{
    return QCoreApplication::translate("dl::AuditLog", text);
}

static bool isPostgres(const QSqlDatabase &db)
{
    return SqlDialect::engineOf(db) == SqlDialect::Engine::Postgres;
}

QString AuditHead::toString() const
{
    return u"%1 %2"_s.arg(seq).arg(hash);
}

std::optional<AuditHead> AuditHead::fromString(const QString &text)
{
    static const QRegularExpression pattern(u"^([0-9]+) ([0-9a-f]{64})$"_s);
    const QRegularExpressionMatch match = pattern.match(text);
    if (!match.hasMatch())
        return std::nullopt;
    bool ok = false;
    const qint64 seq = match.captured(1).toLongLong(&ok);
    if (!ok)
        return std::nullopt;
    return AuditHead {seq, match.captured(2)};
}

QJsonObject AuditHead::toJson() const
{
    return {{u"seq"_s, seq}, {u"hash"_s, hash}};
}

QJsonObject AuditChainCheck::toJson() const
{
    QJsonObject o {{u"ok"_s, ok()}, {u"entries"_s, entries}, {u"head"_s, head.toJson()}};
    if (recordedHead)
        o.insert(u"recorded_head"_s, recordedHead->toJson());
    if (broken) {
        o.insert(u"broken"_s, QJsonObject {{u"seq"_s, brokenSeq},
                                           {u"at"_s, brokenAt},
                                           {u"action"_s, brokenAction},
                                           {u"problem"_s, problem}});
    }
    return o;
}

QString AuditLog::genesisHash()
{
    return QString(64, u'0');
}

QString AuditLog::headSettingKey()
{
    return u"audit_head"_s;
}

static void appendField(QByteArray &out, const QVariant &value)
{
    if (!value.isValid() || value.isNull()) {
        out.append("-1:");
        return;
    }
    const QByteArray bytes = value.toString().toUtf8();
    out.append(QByteArray::number(bytes.size()));
    out.append(':');
    out.append(bytes);
}

QByteArray AuditLog::canonical(const AuditEntry &e)
{
    QByteArray out("dermlabel-audit-1");
    appendField(out, QString::number(e.seq));
    appendField(out, e.at.isNull() ? QVariant() : QVariant(e.at));
    appendField(out, e.userId.isNull() ? QVariant() : QVariant(QString::number(e.userId.toLongLong())));
    appendField(out, e.action.isNull() ? QVariant() : QVariant(e.action));
    appendField(out, e.entity.isNull() ? QVariant() : QVariant(e.entity));
    appendField(out, e.entityId.isNull() ? QVariant() : QVariant(QString::number(e.entityId.toLongLong())));
    appendField(out, e.detail.isNull() ? QVariant() : QVariant(e.detail));
    appendField(out, e.prevHash.isNull() ? QVariant() : QVariant(e.prevHash));
    return out;
}

QString AuditLog::entryHash(const AuditEntry &entry)
{
    return QString::fromLatin1(QCryptographicHash::hash(canonical(entry), QCryptographicHash::Sha256).toHex());
}

static QVariant nullable(const QVariant &value)
{
    return value.isNull() ? QVariant() : value;
}

static AuditEntry entryFrom(const QSqlQuery &q)
{
    // id, seq, at, user_id, action, entity, entity_id, detail, prev_hash, hash
    AuditEntry e;
    e.id = q.value(0).toLongLong();
    e.seq = q.value(1).toLongLong();
    e.at = q.value(2).isNull() ? QString() : q.value(2).toString();
    e.userId = nullable(q.value(3));
    e.action = q.value(4).isNull() ? QString() : q.value(4).toString();
    e.entity = q.value(5).isNull() ? QString() : q.value(5).toString();
    e.entityId = nullable(q.value(6));
    e.detail = q.value(7).isNull() ? QString() : q.value(7).toString();
    e.prevHash = q.value(8).isNull() ? QString() : q.value(8).toString();
    e.hash = q.value(9).isNull() ? QString() : q.value(9).toString();
    // An empty text is not NULL (Qt drivers may hand back a null QString for '').
    if (!q.value(2).isNull() && e.at.isNull())
        e.at = u""_s;
    if (!q.value(4).isNull() && e.action.isNull())
        e.action = u""_s;
    if (!q.value(5).isNull() && e.entity.isNull())
        e.entity = u""_s;
    if (!q.value(7).isNull() && e.detail.isNull())
        e.detail = u""_s;
    return e;
}

// A test hook: DERMLABEL_TEST_FAULT=audit.record (or audit.record:runtime_error) makes record()
// throw once the entry is written inside the caller's transaction, as core work that runs out of
// memory half-way would, so that the tests can show the command line's boundary catching it and
// nothing being stored. Read once; unset in normal use.
static void faultPoint()
{
    static const QString fault = qEnvironmentVariable("DERMLABEL_TEST_FAULT");
    if (fault == u"audit.record"_s)
        throw std::bad_alloc();
    if (fault == u"audit.record:runtime_error"_s)
        throw std::runtime_error("audit.record fault injected for a test");
}

static const char *EntryColumns = "id, seq, at, user_id, action, entity, entity_id, detail, prev_hash, hash";

std::optional<AuditHead> AuditLog::head(const QSqlDatabase &db, QString *error)
{
    QSqlQuery query(db);
    if (!Sql::exec(query, u"SELECT seq, hash FROM audit_log WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1"_s, {},
                   error))
        return std::nullopt;
    if (!query.next())
        return AuditHead {0, genesisHash()};
    return AuditHead {query.value(0).toLongLong(), query.value(1).toString()};
}

std::optional<AuditHead> AuditLog::recordedHead(const QSqlDatabase &db, QString *error)
{
    QSqlQuery query(db);
    if (!Sql::exec(query, u"SELECT value FROM settings WHERE key = ?"_s, {headSettingKey()}, error))
        return std::nullopt;
    if (!query.next())
        return std::nullopt;
    const auto parsed = AuditHead::fromString(query.value(0).toString());
    if (!parsed)
        return AuditHead {-1, query.value(0).toString()}; // unreadable: verify() reports it
    return parsed;
}

bool AuditLog::writeRecordedHead(const QSqlDatabase &db, const AuditHead &head, QString *error)
{
    return Sql::exec(db,
                     u"INSERT INTO settings (key, value) VALUES (?, ?) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value"_s,
                     {headSettingKey(), head.toString()}, error);
}

bool AuditLog::record(const QSqlDatabase &db, qint64 userId, const QString &action, const QString &entity,
                      qint64 entityId, const QJsonObject &detail, QString *error)
{
    QString ignored;
    if (!error)
        error = &ignored;
    AuditEntry e;
    e.at = Sql::now();
    e.userId = userId > 0 ? QVariant(userId) : QVariant();
    e.action = action;
    e.entity = entity;
    e.entityId = entityId >= 0 ? QVariant(entityId) : QVariant();
    e.detail = QString::fromUtf8(QJsonDocument(detail).toJson(QJsonDocument::Compact));
    const QVariant nullId {QMetaType(QMetaType::LongLong)};
    const QVariant user = e.userId.isNull() ? nullId : e.userId;
    const QVariant subject = e.entityId.isNull() ? nullId : e.entityId;

    if (isPostgres(db)) {
        // The server's trigger (dl_audit_chain) fills seq, prev_hash and hash.
        if (!Sql::exec(db,
                       u"INSERT INTO audit_log (at, user_id, action, entity, entity_id, detail) VALUES (?, ?, ?, ?, ?, ?)"_s,
                       {e.at, user, e.action, e.entity, subject, e.detail}, error))
            return false;
        faultPoint();
        return true;
    }

    // SQLite: the chain's next link under the store's write lock (the caller's transaction, or
    // one of our own when there is none).
    std::optional<Transaction> own;
    if (!Transaction::isOpenOn(db)) {
        own.emplace(db);
        if (!own->isActive()) {
            *error = own->error();
            return false;
        }
    }
    const auto last = head(db, error);
    if (!last)
        return false;
    QString readError;
    const auto recorded = recordedHead(db, &readError);
    if (!readError.isEmpty()) {
        *error = readError;
        return false;
    }
    // A head kept in settings beyond the last entry means the tail is gone: continue after it,
    // so that the gap stays visible rather than being chained over.
    const AuditHead previous = recorded && recorded->seq > last->seq ? *recorded : *last;
    e.seq = previous.seq + 1;
    e.prevHash = previous.hash;
    e.hash = entryHash(e);
    if (!Sql::exec(db,
                   u"INSERT INTO audit_log (at, user_id, action, entity, entity_id, detail, seq, prev_hash, hash) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"_s,
                   {e.at, user, e.action, e.entity, subject, e.detail, e.seq, e.prevHash, e.hash}, error)
        || !writeRecordedHead(db, {e.seq, e.hash}, error))
        return false;
    faultPoint();
    if (own && !own->commit()) {
        *error = own->error();
        return false;
    }
    return true;
}

bool AuditLog::record(const Store &store, qint64 userId, const QString &action, const QString &entity,
                      qint64 entityId, const QJsonObject &detail, QString *error)
{
    return record(store.db(), userId, action, entity, entityId, detail, error);
}

std::optional<AuditChainCheck> AuditLog::verify(const QSqlDatabase &db, QString *error)
{
    AuditChainCheck c;
    auto breakAt = [&c](qint64 seq, const QString &at, const QString &action, const QString &problem) {
        if (c.broken)
            return;
        c.broken = true;
        c.brokenSeq = seq;
        c.brokenAt = at;
        c.brokenAction = action;
        c.problem = problem;
    };
    // Entries outside the chain (written past it: no sequence number or hash).
    {
        QSqlQuery query(db);
        if (!Sql::exec(query,
                       u"SELECT id, at, action FROM audit_log WHERE seq IS NULL OR prev_hash IS NULL OR hash IS NULL "
                       "ORDER BY id LIMIT 1"_s,
                       {}, error))
            return std::nullopt;
        if (query.next())
            breakAt(0, query.value(1).toString(), query.value(2).toString(),
                    tr("entry id %1 is outside the chain (no sequence number or hash)").arg(query.value(0).toLongLong()));
    }
    AuditHead previous {0, genesisHash()};
    if (!Sql::forEachRow(db,
                         u"SELECT %1 FROM audit_log WHERE seq IS NOT NULL ORDER BY seq"_s.arg(QLatin1StringView(EntryColumns)),
                         {}, error, [&](const QSqlQuery &q) {
                             const AuditEntry e = entryFrom(q);
                             ++c.entries;
                             if (e.seq != previous.seq + 1) {
                                 if (e.seq == previous.seq)
                                     breakAt(e.seq, e.at, e.action, tr("its sequence number is used twice"));
                                 else if (e.seq == previous.seq + 2)
                                     breakAt(e.seq, e.at, e.action,
                                             tr("the entry before it (%1) is missing").arg(previous.seq + 1));
                                 else
                                     breakAt(e.seq, e.at, e.action,
                                             tr("the entries before it (%1 to %2) are missing")
                                                 .arg(previous.seq + 1)
                                                 .arg(e.seq - 1));
                             } else if (e.hash != entryHash(e)) {
                                 breakAt(e.seq, e.at, e.action,
                                         tr("its content does not match its hash: it was changed after it was "
                                            "written"));
                             } else if (e.prevHash != previous.hash) {
                                 breakAt(e.seq, e.at, e.action,
                                         tr("it does not follow from the entry before it (its previous hash differs)"));
                             }
                             previous = {e.seq, e.hash};
                         }))
        return std::nullopt;
    c.head = previous;
    QString readError;
    c.recordedHead = recordedHead(db, &readError);
    if (!readError.isEmpty()) {
        *error = readError;
        return std::nullopt;
    }
    if (!c.recordedHead) {
        if (c.entries > 0)
            breakAt(c.head.seq, {}, {}, tr("the chain's recorded head is missing"));
    } else if (c.recordedHead->seq < 0) {
        breakAt(c.head.seq, {}, {}, tr("the chain's recorded head cannot be read"));
    } else if (c.recordedHead->seq > c.head.seq) {
        breakAt(c.head.seq + 1, {}, {},
                tr("the entries %1 to %2 at the end are missing (the log was cut short)")
                    .arg(c.head.seq + 1)
                    .arg(c.recordedHead->seq));
    } else if (!(*c.recordedHead == c.head)) {
        breakAt(c.head.seq, {}, {},
                tr("the last entry (%1) is not the chain's recorded head (%2)")
                    .arg(c.head.seq)
                    .arg(c.recordedHead->seq));
    }
    return c;
}

// The PostgreSQL side of the chain, the same serialisation as canonical(). Owned by the store's
// owner group once the team store's rules are installed (team_security.sql hands every dl_
// function over); SECURITY DEFINER so that a rater who may only insert can read the head.
static QStringList postgresStatements()
{
    return {
        u"CREATE OR REPLACE FUNCTION dl_audit_field(v text) RETURNS bytea LANGUAGE sql IMMUTABLE "
        "AS $$ SELECT CASE WHEN v IS NULL THEN convert_to('-1:', 'UTF8') "
        "ELSE convert_to(octet_length(convert_to(v, 'UTF8'))::text || ':', 'UTF8') || convert_to(v, 'UTF8') END $$"_s,

        u"CREATE OR REPLACE FUNCTION dl_audit_hash(p_seq bigint, p_at text, p_user bigint, p_action text, "
        "p_entity text, p_entity_id bigint, p_detail text, p_prev text) RETURNS text LANGUAGE sql IMMUTABLE "
        "AS $$ SELECT encode(sha256(convert_to('dermlabel-audit-1', 'UTF8') || dl_audit_field(p_seq::text) "
        "|| dl_audit_field(p_at) || dl_audit_field(p_user::text) || dl_audit_field(p_action) "
        "|| dl_audit_field(p_entity) || dl_audit_field(p_entity_id::text) || dl_audit_field(p_detail) "
        "|| dl_audit_field(p_prev)), 'hex') $$"_s,

        // One writer of the chain at a time (a transaction-level advisory lock, released at commit
        // or rollback, so seq has no gaps); whatever the client sent in seq, prev_hash and hash is
        // replaced. A head kept in settings beyond the last entry (a removed tail) is continued from,
        // so that the gap stays visible.
        u"CREATE OR REPLACE FUNCTION dl_audit_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
        "SET search_path = public AS $$\n"
        "DECLARE\n"
        "    last_seq bigint;\n"
        "    last_hash text;\n"
        "    recorded text;\n"
        "BEGIN\n"
        "    PERFORM pg_advisory_xact_lock(7236833125446739049);\n"
        "    SELECT seq, hash INTO last_seq, last_hash FROM audit_log WHERE seq IS NOT NULL\n"
        "     ORDER BY seq DESC LIMIT 1;\n"
        "    IF NOT FOUND THEN\n"
        "        last_seq := 0;\n"
        "        last_hash := repeat('0', 64);\n"
        "    END IF;\n"
        "    SELECT value INTO recorded FROM settings WHERE key = 'audit_head';\n"
        "    IF recorded ~ '^[0-9]{1,18} [0-9a-f]{64}$' AND split_part(recorded, ' ', 1)::bigint > last_seq THEN\n"
        "        last_seq := split_part(recorded, ' ', 1)::bigint;\n"
        "        last_hash := split_part(recorded, ' ', 2);\n"
        "    END IF;\n"
        "    NEW.seq := last_seq + 1;\n"
        "    NEW.prev_hash := last_hash;\n"
        "    NEW.hash := dl_audit_hash(NEW.seq, NEW.at, NEW.user_id, NEW.action, NEW.entity, NEW.entity_id,\n"
        "                              NEW.detail, NEW.prev_hash);\n"
        "    INSERT INTO settings (key, value) VALUES ('audit_head', NEW.seq || ' ' || NEW.hash)\n"
        "        ON CONFLICT (key) DO UPDATE SET value = excluded.value;\n"
        "    RETURN NEW;\n"
        "END $$"_s,

        u"DROP TRIGGER IF EXISTS dl_audit_chain ON audit_log"_s,
        u"CREATE TRIGGER dl_audit_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION dl_audit_chain()"_s,
    };
}

static QStringList sqliteStatements()
{
    return {
        u"CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: entries are never changed'); END"_s,
        u"CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: entries are never deleted'); END"_s,
        u"CREATE TRIGGER audit_log_sealed BEFORE INSERT ON audit_log "
        "WHEN NEW.seq IS NULL OR NEW.prev_hash IS NULL OR NEW.hash IS NULL "
        "BEGIN SELECT RAISE(ABORT, 'an audit entry needs its place in the chain (seq, prev_hash, hash)'); END"_s,
    };
}

bool AuditLog::sealForMigration(const QSqlDatabase &db, QString *error)
{
    QList<AuditEntry> entries;
    if (!Sql::forEachRow(db, u"SELECT %1 FROM audit_log ORDER BY id"_s.arg(QLatin1StringView(EntryColumns)), {},
                         error, [&](const QSqlQuery &q) { entries.append(entryFrom(q)); }))
        return false;
    AuditHead previous {0, genesisHash()};
    for (AuditEntry &e : entries) {
        e.seq = previous.seq + 1;
        e.prevHash = previous.hash;
        e.hash = entryHash(e);
        if (!Sql::exec(db, u"UPDATE audit_log SET seq = ?, prev_hash = ?, hash = ? WHERE id = ?"_s,
                       {e.seq, e.prevHash, e.hash, e.id}, error))
            return false;
        previous = {e.seq, e.hash};
    }
    if (!writeRecordedHead(db, previous, error))
        return false;
    QSqlQuery query(db);
    // Unprepared: function bodies in dollar quotes are no place for bound parameters.
    for (const QString &statement : isPostgres(db) ? postgresStatements() : sqliteStatements()) {
        if (!query.exec(statement)) {
            *error = tr("Cannot protect the audit log: %1").arg(query.lastError().text());
            return false;
        }
    }
    return true;
}

} // namespace dl
